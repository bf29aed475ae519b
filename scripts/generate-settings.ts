/**
 * Writes what is derived from the settings definitions (src/core/config/definition.ts,
 * src/vscode/settings-definition.ts): package.json `contributes.configuration`
 * (its texts as `%config.…%` placeholders), their English texts in package.nls.json
 * and the Settings section of the user's README (README.vsix.md). The other
 * keys of package.nls.json (commands, walkthrough) are written by hand and kept.
 *
 *   npx tsx scripts/generate-settings.ts          # rewrite all three
 *   npx tsx scripts/generate-settings.ts --check  # exit 1 when one is out of date or a translation lacks a key
 */
import fs from 'node:fs';
import path from 'node:path';
import { CONFIGURATION_NLS_PREFIX, configurationStrings, contributedConfiguration, resolvedConfiguration } from '../src/vscode/settings-definition';

export const ROOT = path.resolve(__dirname, '..');
export const USER_README = path.join(ROOT, 'README.vsix.md');
export const MANIFEST = path.join(ROOT, 'package.json');
/** The manifest's English texts; each translation is package.nls.<language>.json beside it. */
export const MANIFEST_NLS = path.join(ROOT, 'package.nls.json');
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
  return withSettingsSection(fs.readFileSync(USER_README, 'utf8'), resolvedConfiguration() as SettingsCategory[]);
}

/** package.json with `contributes.configuration` regenerated, formatted as npm writes it. */
export function expectedManifest(): string {
  const manifest = JSON.parse(fs.readFileSync(MANIFEST, 'utf8')) as { contributes: { configuration: unknown } };
  manifest.contributes.configuration = contributedConfiguration();
  return JSON.stringify(manifest, null, 2) + '\n';
}

/** package.nls.json: its hand-written keys as they are, then the settings' texts as generated. */
export function expectedManifestNls(): string {
  const current = JSON.parse(fs.readFileSync(MANIFEST_NLS, 'utf8')) as Record<string, string>;
  const handWritten = Object.entries(current).filter(([key]) => !key.startsWith(CONFIGURATION_NLS_PREFIX));
  return JSON.stringify({ ...Object.fromEntries(handWritten), ...configurationStrings() }, null, 2) + '\n';
}

/** The translations of the manifest: package.nls.<language>.json. */
export function manifestTranslations(): string[] {
  return fs
    .readdirSync(ROOT)
    .filter((name) => /^package\.nls\.[\w-]+\.json$/.test(name))
    .map((name) => path.join(ROOT, name));
}

/** Keys a translation lacks or holds beyond the English package.nls.json. */
export function translationGaps(english: Record<string, string>, translation: Record<string, string>): { missing: string[]; extra: string[] } {
  return {
    missing: Object.keys(english).filter((key) => !(key in translation)),
    extra: Object.keys(translation).filter((key) => !(key in english)),
  };
}

if (require.main === module) {
  const outputs: Array<[string, string]> = [
    [MANIFEST, expectedManifest()],
    [MANIFEST_NLS, expectedManifestNls()],
    [USER_README, expectedUserReadme()],
  ];
  const stale = outputs.filter(([file, expected]) => fs.readFileSync(file, 'utf8') !== expected);
  if (process.argv.includes('--check')) {
    for (const [file] of stale) process.stderr.write(`${path.relative(ROOT, file)} is out of date: run npx tsx scripts/generate-settings.ts\n`);
    const english = JSON.parse(expectedManifestNls()) as Record<string, string>;
    let gaps = 0;
    for (const file of manifestTranslations()) {
      const { missing, extra } = translationGaps(english, JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>);
      for (const key of missing) process.stderr.write(`${path.relative(ROOT, file)} lacks ${key}\n`);
      for (const key of extra) process.stderr.write(`${path.relative(ROOT, file)} holds ${key}, which package.nls.json no longer has\n`);
      gaps += missing.length + extra.length;
    }
    if (stale.length || gaps) process.exit(1);
  } else {
    // The English texts first: the manifest's placeholders point at them.
    for (const [file, expected] of stale) fs.writeFileSync(file, expected);
    for (const file of manifestTranslations()) {
      const { missing } = translationGaps(
        JSON.parse(expectedManifestNls()) as Record<string, string>,
        JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>,
      );
      for (const key of missing) process.stderr.write(`${path.relative(ROOT, file)} lacks ${key}: translate it\n`);
    }
  }
}
