/**
 * The dashboard's one catalogue (webview and browser): every message of webview-ui has a translation, none is
 * stale, placeholders survive; the language comes from the page; numbers and durations are the locale's.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { catalogue, languageOfBrowser, LANGUAGES, parseLanguage, setLanguage, t } from '../../../webview-ui/l10n';
import { ago, countdown, formatLatency, formatTokens, RANGE_PRESETS } from '../../../webview-ui/view-model';

const SOURCES = path.resolve(__dirname, '../../../webview-ui');
const MINUTE = 60_000;
const NOW = Date.UTC(2026, 0, 15, 12);

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(file) : entry.name.endsWith('.ts') ? [file] : [];
  });
}

/** The first argument of every `t(…)` call: a string literal. */
function messagesInCode(): Set<string> {
  const messages = new Set<string>();
  // The catalogue module itself defines t, it does not call it.
  for (const file of sourceFiles(SOURCES).filter((name) => !name.endsWith(`${path.sep}l10n.ts`) && !name.includes(`${path.sep}l10n${path.sep}`))) {
    const text = fs.readFileSync(file, 'utf8');
    for (const call of text.matchAll(/(?<![\w.])t\(\s*([^\s])/g)) assert.match(call[1], /['"]/, `${path.relative(SOURCES, file)}: t() takes a literal message`);
    for (const match of text.matchAll(/(?<![\w.])t\(\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")/g)) {
      messages.add(new Function(`return ${match[1]}`)() as string);
    }
  }
  return messages;
}

const placeholders = (text: string) => [...new Set(text.match(/\{\d+\}/g) ?? [])].sort();

describe('l10n: the dashboard', () => {
  afterEach(() => setLanguage('en'));

  it('each catalogue holds exactly the messages of webview-ui, with their placeholders', () => {
    const inCode = messagesInCode();
    assert.ok(inCode.size > 200, `only ${inCode.size} messages`);
    for (const { id } of LANGUAGES.filter((language) => language.id !== 'en')) {
      const texts = catalogue(id as Exclude<typeof id, 'en'>);
      assert.deepEqual(
        [...inCode].filter((message) => !texts[message]?.trim()),
        [],
        `${id} lacks`,
      );
      assert.deepEqual(
        Object.keys(texts).filter((message) => !inCode.has(message)),
        [],
        `${id} holds messages the code no longer uses`,
      );
      for (const [message, text] of Object.entries(texts)) assert.deepEqual(placeholders(text), placeholders(message), `${id}: ${message}`);
    }
  });

  it('the browser: the first of its languages the dashboard speaks, else English', () => {
    assert.equal(languageOfBrowser(['zh-CN', 'en-US']), 'zh-cn');
    assert.equal(languageOfBrowser(['fr-FR', 'zh-TW', 'en']), 'zh-cn');
    assert.equal(languageOfBrowser(['de-DE', 'en-GB']), 'en');
    assert.equal(languageOfBrowser(['ja']), 'en');
    assert.equal(parseLanguage('zh-cn'), 'zh-cn');
    assert.equal(parseLanguage('zh_Hans'), 'zh-cn');
    assert.equal(parseLanguage(null), undefined);
  });

  it('durations, relative times and numbers in the locale (Intl)', () => {
    assert.equal(countdown(NOW + 294 * MINUTE, NOW), '4h 54m');
    assert.equal(ago(NOW - 5 * MINUTE, NOW), '5m ago');
    assert.equal(formatTokens(1234), '1,234');
    setLanguage('zh-cn');
    assert.equal(countdown(NOW + 294 * MINUTE, NOW), '4小时 54分钟');
    assert.equal(countdown(NOW + 50 * 60 * MINUTE, NOW), '2天 2小时');
    assert.equal(ago(NOW - 5 * MINUTE, NOW), '5分钟前');
    assert.equal(ago(NOW - 1000, NOW), '刚刚');
    assert.equal(t('resets in {0}', countdown(NOW + 90 * MINUTE, NOW)), '1小时 30分钟后重置');
    assert.equal(formatTokens(2_345_678), '234.57万');
    assert.equal(formatLatency(1234), '1.23 秒');
    assert.equal(RANGE_PRESETS[1].label, '最近 24 小时');
    setLanguage('en');
    assert.equal(RANGE_PRESETS[1].label, 'Last 24 hours');
  });
});
