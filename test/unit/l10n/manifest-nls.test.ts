/**
 * The manifest speaks the editor's display language: every text of package.json
 * is a `%key%` placeholder, with its English text in package.nls.json and a
 * translation in every package.nls.<language>.json (zh-cn today).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { expectedManifestNls, manifestTranslations, MANIFEST, MANIFEST_NLS, translationGaps } from '../../../scripts/generate-settings';

const ROOT = path.resolve(__dirname, '../../..');
const manifestText = fs.readFileSync(MANIFEST, 'utf8');
const manifest = JSON.parse(manifestText) as { contributes: Record<string, unknown> };
const english = JSON.parse(fs.readFileSync(MANIFEST_NLS, 'utf8')) as Record<string, string>;
const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;

/** Every string of a JSON value, with where it is. */
function strings(node: unknown, at = ''): Array<[string, string]> {
  if (typeof node === 'string') return [[at, node]];
  if (Array.isArray(node)) return node.flatMap((item, i) => strings(item, `${at}[${i}]`));
  if (node && typeof node === 'object') return Object.entries(node).flatMap(([key, value]) => strings(value, `${at}.${key}`));
  return [];
}

const placeholders = [...manifestText.matchAll(/"%([^"%]+)%"/g)].map((match) => match[1]);

describe('l10n: the manifest (package.nls*.json)', () => {
  it('there is a Simplified Chinese translation', () => {
    assert.ok(manifestTranslations().includes(path.join(ROOT, 'package.nls.zh-cn.json')));
  });

  it('every %key% of package.json is in package.nls.json and in every translation', () => {
    assert.ok(placeholders.length > 60, `only ${placeholders.length} placeholders`);
    for (const file of [MANIFEST_NLS, ...manifestTranslations()]) {
      const texts = read(file);
      const missing = placeholders.filter((key) => typeof texts[key] !== 'string' || texts[key].trim() === '');
      assert.deepEqual(missing, [], path.basename(file));
    }
  });

  it('no nls file holds a key package.json does not use', () => {
    const used = new Set(placeholders);
    for (const file of [MANIFEST_NLS, ...manifestTranslations()]) {
      assert.deepEqual(
        Object.keys(read(file)).filter((key) => !used.has(key)),
        [],
        path.basename(file),
      );
    }
  });

  it('the translations hold exactly the English keys', () => {
    for (const file of manifestTranslations()) assert.deepEqual(translationGaps(english, read(file)), { missing: [], extra: [] }, path.basename(file));
  });

  it("the settings' English texts are generated from the definitions (npx tsx scripts/generate-settings.ts)", () => {
    assert.equal(fs.readFileSync(MANIFEST_NLS, 'utf8'), expectedManifestNls());
  });

  it('every text a user reads is a placeholder: command titles and categories, settings, walkthrough, terminal profiles', () => {
    const texts = ['commands', 'configuration', 'walkthroughs', 'terminal'].flatMap((part) => strings(manifest.contributes[part], part));
    const readable = texts.filter(([at]) => /\.(title|category|description|markdownDescription)$|\.markdownEnumDescriptions\[\d+\]$/.test(at));
    assert.ok(readable.length > 60);
    assert.deepEqual(
      readable.filter(([, text]) => !/^%[^%]+%$/.test(text)),
      [],
    );
  });

  it('a translation keeps the command links and code of the English text', () => {
    const links = (text: string) => [...new Set([...text.matchAll(/\]\((command:[^)]+)\)|`([^`]+)`/g)].map((match) => match[1] ?? match[2]))].sort();
    for (const file of manifestTranslations()) {
      const texts = read(file);
      for (const [key, text] of Object.entries(english)) assert.deepEqual(links(texts[key] ?? ''), links(text), `${path.basename(file)} ${key}`);
    }
  });

  it("every walkthrough page has a translation beside it (<page>.nls.<language>.md, the editor's lookup), same headings and code", () => {
    const steps = (manifest.contributes.walkthroughs as Array<{ steps: Array<{ media: { markdown?: string } }> }>).flatMap((w) => w.steps);
    const pages = steps.map((step) => step.media.markdown).filter((page): page is string => page !== undefined);
    assert.ok(pages.length >= 4);
    const languages = manifestTranslations().map((file) => /package\.nls\.([\w-]+)\.json$/.exec(file)![1]);
    const shape = (markdown: string) => ({
      headings: markdown
        .split('\n')
        .filter((line) => /^#+ /.test(line))
        .map((line) => line.split(' ')[0]),
      code: [...new Set(markdown.match(/`[^`]+`/g) ?? [])].sort(),
    });
    for (const page of pages) {
      const english = fs.readFileSync(path.join(ROOT, page), 'utf8');
      for (const language of languages) {
        const translated = path.join(ROOT, page.replace(/\.md$/, `.nls.${language}.md`));
        assert.ok(fs.existsSync(translated), `${path.relative(ROOT, translated)} is missing`);
        assert.deepEqual(shape(fs.readFileSync(translated, 'utf8')), shape(english), path.relative(ROOT, translated));
      }
    }
  });

  it('the .vsix ships the nls files and the runtime bundles', () => {
    const ignore = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8').split('\n');
    assert.ok(ignore.includes('!package.nls*.json'));
    assert.ok(ignore.includes('!l10n/*.json'));
  });
});
