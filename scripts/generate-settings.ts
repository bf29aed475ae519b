/**
 * Writes what is derived from the settings definition: the Settings table of
 * the user's README (README.vsix.md, the readme the .vsix ships).
 *
 *   npx tsx scripts/generate-settings.ts          # rewrite
 *   npx tsx scripts/generate-settings.ts --check  # exit 1 when out of date
 */
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');
export const USER_README = path.join(ROOT, 'README.vsix.md');
const START = /<!-- settings:start[^>]*-->\n/;
const END = '<!-- settings:end -->';

interface SettingSchema {
  type?: string | string[];
  default?: unknown;
  enum?: unknown[];
  markdownDescription?: string;
  description?: string;
  markdownEnumDescriptions?: string[];
  minimum?: number;
  maximum?: number;
}

export interface SettingsCategory {
  title: string;
  properties: Record<string, SettingSchema>;
}

function readManifestConfiguration(): SettingsCategory[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    contributes: { configuration: SettingsCategory[] };
  };
  return manifest.contributes.configuration;
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
    .replace(/#(agate\.[\w.]+)#/g, '`$1`').replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
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
  return withSettingsSection(fs.readFileSync(USER_README, 'utf8'), readManifestConfiguration());
}

if (require.main === module) {
  const expected = expectedUserReadme();
  const current = fs.readFileSync(USER_README, 'utf8');
  if (process.argv.includes('--check')) {
    if (expected !== current) {
      process.stderr.write('README.vsix.md is out of date: run npx tsx scripts/generate-settings.ts\n');
      process.exit(1);
    }
  } else if (expected !== current) {
    fs.writeFileSync(USER_README, expected);
  }
}
