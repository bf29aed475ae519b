/**
 * The extension's runtime strings (`vscode.l10n.t`) in the editor's display language: l10n/bundle.l10n.json is
 * what @vscode/l10n-dev extracts from src/vscode (`npm run l10n`), and every translation holds exactly its keys.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { getL10nJson } from '@vscode/l10n-dev';

const ROOT = path.resolve(__dirname, '../../..');
const SOURCES = path.join(ROOT, 'src/vscode');
const BUNDLES = path.join(ROOT, 'l10n');
const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
const english = read(path.join(BUNDLES, 'bundle.l10n.json'));
const translations = fs.readdirSync(BUNDLES).filter((name) => /^bundle\.l10n\.[\w-]+\.json$/.test(name));

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(file) : entry.name.endsWith('.ts') ? [file] : [];
  });
}

/** `{0}`, `{name}`, Markdown link targets and code spans: what a translation must carry over unchanged. */
function fixedParts(text: string): string[] {
  return [...new Set([...text.matchAll(/\{\w+\}|\]\(([^)]+)\)|`([^`]+)`/g)].map((match) => match[1] ?? match[2] ?? match[0]))].sort();
}

describe('l10n: the runtime bundles (l10n/*.json)', () => {
  it('package.json points the editor at l10n/', () => {
    assert.equal((read(path.join(ROOT, 'package.json')) as unknown as { l10n: string }).l10n, './l10n');
  });

  it('the English bundle is what @vscode/l10n-dev extracts from src/vscode: no key missing, none the code no longer uses (npm run l10n)', async () => {
    const extracted = await getL10nJson(sourceFiles(SOURCES).map((file) => ({ extension: '.ts', contents: fs.readFileSync(file, 'utf8') })));
    assert.ok(Object.keys(extracted).length > 100, `only ${Object.keys(extracted).length} strings`);
    assert.deepEqual(Object.keys(english).sort(), Object.keys(extracted).sort());
  });

  it('there is a Simplified Chinese bundle', () => {
    assert.ok(translations.includes('bundle.l10n.zh-cn.json'));
  });

  it('every translation has every key, and no key the English bundle lacks', () => {
    for (const name of translations) {
      const texts = read(path.join(BUNDLES, name));
      assert.deepEqual(
        Object.keys(english).filter((key) => typeof texts[key] !== 'string' || !texts[key].trim()),
        [],
        `${name} lacks`,
      );
      assert.deepEqual(
        Object.keys(texts).filter((key) => !(key in english)),
        [],
        `${name} holds stale`,
      );
    }
  });

  it('a translation keeps the placeholders, links and code of the English text', () => {
    for (const name of translations) {
      const texts = read(path.join(BUNDLES, name));
      for (const key of Object.keys(english)) assert.deepEqual(fixedParts(texts[key]), fixedParts(key), `${name}: ${key}`);
    }
  });

  it('no message box in src/vscode shows a literal the translators cannot see', () => {
    // Words in quotes: a literal sentence or label (a bare name such as 'Agate' is no sentence).
    const literal =
      /show(?:Information|Warning|Error)Message\(\s*['"`]|createWebviewPanel\(\w+, ['"`]|(?:title|placeHolder|prompt|openLabel|description|label): ['"`][A-Za-z][^'"`$]* [a-z]/;
    // The settings' texts reach the editor through package.nls*.json (the manifest test).
    const runtime = sourceFiles(SOURCES).filter((file) => !file.endsWith('settings-definition.ts'));
    const offenders = runtime.flatMap((file) =>
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => [`${path.relative(ROOT, file)}:${i + 1}`, line] as const)
        .filter(([, line]) => literal.test(line) && !line.trimStart().startsWith('*')),
    );
    assert.deepEqual(
      offenders.map(([where]) => where),
      [],
    );
  });
});
