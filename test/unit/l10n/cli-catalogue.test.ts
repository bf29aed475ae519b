/**
 * The CLI's language: how the locale and --lang choose it, and catalogues and help that cover every message.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { help, HELP_EN } from '../../../src/cli/help';
import { catalogue, CLI_LANGUAGES, currentLanguage, l10n, languageFromEnv, parseLanguage, setLanguage, takeLanguageFlag } from '../../../src/cli/l10n';

const CLI_SOURCES = path.resolve(__dirname, '../../../src/cli');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(file) : entry.name.endsWith('.ts') ? [file] : [];
  });
}

/** The first argument of every `l10n.t(…)` call in src/cli: a string literal, as the catalogue keys it. */
function messagesInCode(): Set<string> {
  const messages = new Set<string>();
  for (const file of sourceFiles(CLI_SOURCES)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const call of text.matchAll(/\bl10n\.t\(\s*([^\s])/g))
      assert.match(call[1], /['"]/, `${path.relative(CLI_SOURCES, file)}: l10n.t takes a literal message`);
    for (const match of text.matchAll(/\bl10n\.t\(\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")/g))
      messages.add(JSON.parse(match[1].startsWith("'") ? `"${match[1].slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"` : match[1]) as string);
  }
  return messages;
}

const placeholders = (text: string) => [...new Set(text.match(/\{\d+\}/g) ?? [])].sort();
const options = (text: string) => [...new Set(text.match(/(?<![\w-])--[a-z][\w-]*/g) ?? [])].sort();

describe('l10n: the CLI', () => {
  afterEach(() => setLanguage('en'));

  it('reads the language from the locale: LC_ALL, then LC_MESSAGES, then LANG; English otherwise', () => {
    assert.equal(languageFromEnv({}), 'en');
    assert.equal(languageFromEnv({ LANG: 'zh_CN.UTF-8' }), 'zh-cn');
    assert.equal(languageFromEnv({ LANG: 'zh_CN.UTF-8', LC_ALL: 'en_US.UTF-8' }), 'en');
    assert.equal(languageFromEnv({ LANG: 'en_US.UTF-8', LC_MESSAGES: 'zh_SG' }), 'zh-cn');
    assert.equal(languageFromEnv({ LANG: 'fr_FR.UTF-8' }), 'en');
    assert.equal(languageFromEnv({ LANG: 'C' }), 'en');
    assert.equal(parseLanguage('zh-Hans'), 'zh-cn');
    assert.equal(parseLanguage('zh-CN'), 'zh-cn');
    assert.equal(parseLanguage('EN'), 'en');
    assert.equal(parseLanguage('de'), undefined);
  });

  it('takes --lang out of the arguments, wherever it stands', () => {
    assert.deepEqual(takeLanguageFlag(['--lang', 'zh-CN', 'accounts', 'list']), { argv: ['accounts', 'list'], tag: 'zh-CN' });
    assert.deepEqual(takeLanguageFlag(['keys', 'list', '--lang=en']), { argv: ['keys', 'list'], tag: 'en' });
    assert.deepEqual(takeLanguageFlag(['config']), { argv: ['config'] });
    assert.deepEqual(takeLanguageFlag(['connect', '--', '--lang', 'x']), { argv: ['connect', '--', '--lang', 'x'] });
  });

  it('formats a message in the active language, placeholders filled', () => {
    setLanguage('zh-cn');
    assert.equal(currentLanguage(), 'zh-cn');
    assert.equal(l10n.t('unknown command "{0}"', 'frobnicate'), '未知命令 "frobnicate"');
    setLanguage('en');
    assert.equal(l10n.t('unknown command "{0}"', 'frobnicate'), 'unknown command "frobnicate"');
  });

  it('each catalogue holds exactly the messages of the code, with their placeholders', () => {
    const inCode = messagesInCode();
    assert.ok(inCode.size > 40, `only ${inCode.size} messages`);
    for (const language of CLI_LANGUAGES.filter((l) => l !== 'en')) {
      const texts = catalogue(language);
      assert.deepEqual(
        [...inCode].filter((message) => !texts[message]?.trim()),
        [],
        `${language} lacks`,
      );
      assert.deepEqual(
        Object.keys(texts).filter((message) => !inCode.has(message)),
        [],
        `${language} holds messages the code no longer uses`,
      );
      for (const [message, text] of Object.entries(texts)) assert.deepEqual(placeholders(text), placeholders(message), `${language}: ${message}`);
    }
  });

  it('the help in every language covers every command and names the same options', () => {
    for (const language of CLI_LANGUAGES) {
      const translated = help(language);
      assert.deepEqual(Object.keys(translated.commands).sort(), Object.keys(HELP_EN.commands).sort(), language);
      assert.deepEqual(options(translated.usage), options(HELP_EN.usage), `${language}: overview`);
      assert.deepEqual(options(translated.common), options(HELP_EN.common), `${language}: common options`);
      for (const [command, text] of Object.entries(HELP_EN.commands))
        assert.deepEqual(options(translated.commands[command]), options(text), `${language}: ${command}`);
    }
    assert.match(help('zh-cn').usage, /用法：agate <命令>/);
  });
});
