/**
 * Writes what is derived from the settings definitions (src/core/config/definition.ts,
 * src/vscode/settings-definition.ts): package.json `contributes.configuration`
 * and the Settings section of the user's README (README.vsix.md).
 *
 *   npx tsx scripts/generate-settings.ts          # rewrite both
 *   npx tsx scripts/generate-settings.ts --check  # exit 1 when either is out of date
 */
import fs from 'node:fs';
import path from 'node:path';
import { contributedConfiguration } from '../src/vscode/settings-definition';

export const ROOT = path.resolve(__dirname, '..');
export const USER_README = path.join(ROOT, 'README.vsix.md');
export const MANIFEST = path.join(ROOT, 'package.json');
const START = /<!-- settings:start[^>]*-->\n/;
const END = '<!-- settings:end -->';

interface SettingSchema {
  type?: string | string[];
  default?: unknown;
  enum?: unknown[];
  markdownDescription?: string;
  description?: string;
  markdownEnumDescriptions?: string[];
}

export interface SettingsCategory {
  title: string;
  properties: Record<string, SettingSchema>;
}

function formatDefault(value: unknown): string {
  if (value === '' || value === undefined) return '(empty)';
  if (Array.isArray(value) && value.length === 0) return '`[]`';
  return '`' + JSON.stringify(value) + '`';
}

/** One table cell: Markdown on one line, pipes escaped, `#agate.x#` setting links as code. */
function cell(markdown: string): string {
  return markdown
    .replace(/`#(agate\.[\w.]+)#`/g, '`$1`')
    .replace(/#(agate\.[\w.]+)#/g, '`$1`')
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ');
}

function describe(schema: SettingSchema): string {
  let text = schema.markdownDescription ?? schema.description ?? '';
  if (schema.enum && schema.markdownEnumDescriptions) {
    const values = schema.enum.map((value, i) => `\`${String(value)}\`: ${schema.markdownEnumDescriptions![i]}`);
    text += ' ' + values.join(' ');
  }
  return cell(text);
}

export function renderSettingsTable(categories: SettingsCategory[]): string {
  const lines: string[] = [];
  for (const category of categories) {
    lines.push(`### ${category.title}`, '', '| Setting | Default | |', '|---|---|---|');
    for (const [key, schema] of Object.entries(category.properties)) {
      lines.push(`| \`${key}\` | ${cell(formatDefault(schema.default))} | ${describe(schema)} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** The README with its settings section regenerated. */
export function withSettingsSection(readme: string, categories: SettingsCategory[]): string {
  const start = START.exec(readme);
  const end = readme.indexOf(END);
  if (!start || end < start.index) throw new Error('README.vsix.md lost its settings markers');
  const head = readme.slice(0, start.index + start[0].length);
  return head + '\n' + renderSettingsTable(categories) + readme.slice(end);
}

export function expectedUserReadme(): string {
  return withSettingsSection(fs.readFileSync(USER_README, 'utf8'), contributedConfiguration() as SettingsCategory[]);
}

/** package.json with `contributes.configuration` regenerated, formatted as npm writes it. */
export function expectedManifest(): string {
  const manifest = JSON.parse(fs.readFileSync(MANIFEST, 'utf8')) as { contributes: { configuration: unknown } };
  manifest.contributes.configuration = contributedConfiguration();
  return JSON.stringify(manifest, null, 2) + '\n';
}

if (require.main === module) {
  const outputs: Array<[string, string]> = [
    [MANIFEST, expectedManifest()],
    [USER_README, expectedUserReadme()],
  ];
  const stale = outputs.filter(([file, expected]) => fs.readFileSync(file, 'utf8') !== expected);
  if (process.argv.includes('--check')) {
    for (const [file] of stale) process.stderr.write(`${path.relative(ROOT, file)} is out of date: run npx tsx scripts/generate-settings.ts\n`);
    if (stale.length) process.exit(1);
  } else {
    for (const [file, expected] of stale) fs.writeFileSync(file, expected);
  }
}
