/**
 * The core's user-facing messages (src/core/messages.ts): one English template per code, and one table per
 * other language (src/core/messages.zh-cn.ts) that every host (CLI, extension, dashboard) words them from. Each
 * table has every code, with the same placeholders, and nothing else; every code is made somewhere in the code.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { coreCatalogue as cliCatalogue, l10n, setLanguage as setCliLanguage } from '../../../src/cli/l10n';
import { ConfigError, parseConfigValue, validateConfig } from '../../../src/core/config/load';
import { defaultConfig } from '../../../src/core/config/defaults';
import { CORE_MESSAGES, coreMessage, englishOf, placeholdersOf, renderMessage, type MessageCode } from '../../../src/core/messages';
import { CORE_MESSAGES_ZH_CN } from '../../../src/core/messages.zh-cn';
import { describeNext } from '../../../src/core/monitor/attempt-words';
import { PRICES_SOURCE_MESSAGE } from '../../../src/core/providers/prices';
import { CORE_CATALOGUES as VSCODE_CATALOGUES, catalogueLanguageOf } from '../../../src/vscode/l10n/core-catalogues';
import { coreCatalogue as dashboardCatalogue, setLanguage as setDashboardLanguage, tm } from '../../../webview-ui/l10n';

const ROOT = path.resolve(__dirname, '../../..');
const CODES = Object.keys(CORE_MESSAGES) as MessageCode[];

/** The core's tables by language: the only place its messages are translated. */
const TABLES: Record<string, Readonly<Partial<Record<MessageCode, string>>>> = { 'zh-cn': CORE_MESSAGES_ZH_CN };

/** Where the core's messages are made (and the CLI's own uses of them). */
const SOURCES = [
  'src/core/admin/overview.ts',
  'src/core/monitor/attempt-words.ts',
  'src/core/scheduler/open-generation.ts',
  'src/core/providers/provider-pool.ts',
  'src/core/providers/routing-dispatcher.ts',
  'src/core/ide/score.ts',
  'src/core/ide/switcher.ts',
  'src/core/config/load.ts',
  'src/core/stores/data-dir-lock.ts',
  'src/core/providers/prices.ts',
  'src/core/security/lan-policy.ts',
  'src/core/admin/admin-api.ts',
  'src/cli/data-dir-access.ts',
  'src/cli/commands/run.ts',
];

/** The codes a source names: every quoted string that is a code (`coreMessage('…')`, tables of codes). */
function codesIn(file: string): MessageCode[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(/'([\w.]+)'/g)].map((match) => match[1]).filter((word): word is MessageCode => word in CORE_MESSAGES && word.includes('.'));
}

describe('l10n: the core messages', () => {
  afterEach(() => {
    setCliLanguage('en');
    setDashboardLanguage('en');
  });

  it('words a message: placeholders by name, nested messages and lists, English by default', () => {
    const verdict = coreMessage('overview.degraded', {
      problems: [coreMessage('overview.problem.unavailable', { family: 'Claude' }), coreMessage('overview.problem.attention.many', { count: 2 })],
      usable: coreMessage('overview.usable.many', { usable: 1, total: 3 }),
    });
    assert.equal(englishOf(verdict), 'Degraded: Claude unavailable for now; 2 accounts need attention (1 of 3 accounts usable).');
    const chinese = dashboardCatalogue('zh-cn');
    assert.equal(
      renderMessage(verdict, (code) => chinese[code]),
      '降级：Claude 暂时不可用；2 个账号需要处理（3 个账号中 1 个可用）。',
    );
    // A host without the code falls back to the English.
    assert.equal(
      renderMessage(coreMessage('attempt.retry'), () => undefined),
      'retry same account',
    );
  });

  it("every code has a translation in each of the core's tables, with the same placeholders, and no table holds a code that is not one", () => {
    const translated = CODES.filter((code) => code !== 'text');
    for (const [language, table] of Object.entries(TABLES)) {
      assert.deepEqual(
        translated.filter((code) => !table[code]?.trim()),
        [],
        `${language} lacks`,
      );
      assert.deepEqual(
        Object.keys(table).filter((code) => !(translated as string[]).includes(code)),
        [],
        `${language} holds codes that are not the core's`,
      );
      for (const code of translated) assert.deepEqual(placeholdersOf(table[code] ?? ''), placeholdersOf(CORE_MESSAGES[code]), `${language}: ${code}`);
    }
  });

  it("the CLI, the extension and the dashboard word the core's messages from those tables, not from copies", () => {
    for (const [language, table] of Object.entries(TABLES)) {
      assert.equal(cliCatalogue(language as 'zh-cn'), table, `CLI ${language}`);
      assert.equal(VSCODE_CATALOGUES[language], table, `extension ${language}`);
      assert.equal(dashboardCatalogue(language as 'zh-cn'), table, `dashboard ${language}`);
    }
  });

  it('every code is made somewhere', () => {
    const made = new Set<string>();
    for (const file of SOURCES) {
      const codes = codesIn(file);
      assert.ok(codes.length > 0, `${file} makes no message`);
      for (const code of codes) made.add(code);
    }
    // `text` (free text) and `list.separator` (joins lists) are used by the wording itself.
    assert.deepEqual(
      CODES.filter((code) => !made.has(code) && code !== 'text' && code !== 'list.separator'),
      [],
      'codes nothing makes',
    );
  });

  it('the CLI words a configuration error in the language; the error keeps its English message for logs', () => {
    let error: unknown;
    try {
      parseConfigValue('nope.key', '1');
    } catch (err) {
      error = err;
    }
    assert.ok(error instanceof ConfigError);
    assert.equal(error.message, 'unknown configuration key "nope.key" (see "agate config")');
    setCliLanguage('zh-cn');
    assert.equal(l10n.message(error.detail), '未知的配置键 "nope.key"（参见 "agate config"）');
    const origins = new Map([['scheduling.mode', coreMessage('config.origin.env', { name: 'AGATE_SCHEDULING_MODE' })]]);
    const invalid = { ...defaultConfig(), scheduling: { ...defaultConfig().scheduling, mode: 'bogus' } };
    assert.throws(
      () => validateConfig(invalid, origins),
      (err: ConfigError) =>
        /^invalid configuration: "scheduling.mode" must be one of .* \(got "bogus"\) \(from environment variable AGATE_SCHEDULING_MODE\)$/.test(err.message) &&
        /^配置无效："scheduling.mode" 必须是 .* 之一（收到的是 "bogus"）（来源：环境变量 AGATE_SCHEDULING_MODE）$/.test(l10n.message(err.detail)),
    );
  });

  it('the dashboard words the attempt trail in the language', () => {
    const next = { action: 'retry' as const, waitMs: 500, note: 'after the rate limit' };
    assert.equal(tm(describeNext(next)), 'retry same account in 0.5 s (after the rate limit)');
    setDashboardLanguage('zh-cn');
    assert.equal(tm(describeNext(next)), '0.5 秒后重试同一账号（after the rate limit）');
    assert.equal(tm(describeNext({ action: 'give-up' })), '放弃');
    assert.equal(tm(describeNext({ action: 'wait', waitMs: 2000 })), '等待 2 秒');
    // The scheduler's reason as a message; a note in English only (a provider's) as it is.
    const switched = { action: 'switch' as const, note: 'cooling down for 30 s', why: coreMessage('attempt.note.coolingDownFor', { seconds: 30 }) };
    assert.equal(tm(describeNext(switched)), '切换账号（冷却中，还需 30 秒）');
    assert.equal(tm(describeNext({ action: 'switch', note: 'over its cap' })), '切换账号（over its cap）');
    setDashboardLanguage('en');
    assert.equal(tm(describeNext(switched)), 'switch account (cooling down for 30 s)');
    assert.equal(tm(describeNext({ action: 'wait', waitMs: 2000 })), 'wait in 2 s');
  });

  it("the dashboard words the admin API's refusals, a provider's cap and the default prices' source in the language", () => {
    const refusal = coreMessage('admin.setting.other', { key: 'port', detail: coreMessage('config.rule.limit', { comparison: '<=', limit: 65535 }) });
    const cap = coreMessage('providers.cap.dailySpend', { provider: 'paid', cap: 1, spent: '1.0002' });
    assert.equal(englishOf(refusal), 'Setting "port" must be <= 65535');
    assert.equal(englishOf(cap), 'paid: daily spend cap of $1 reached ($1.0002 spent today, UTC)');
    setDashboardLanguage('zh-cn');
    assert.equal(tm(refusal), '设置 "port" 必须 <= 65535');
    assert.equal(tm(cap), 'paid：已达每日花费上限 $1（今日已花费 $1.0002，UTC）');
    assert.match(tm(PRICES_SOURCE_MESSAGE), /^各厂商的价格页面（anthropic\.com\/pricing, .*），2025-11-20 发布的版本$/);
  });

  it('the extension picks its catalogue by the display language', () => {
    assert.equal(catalogueLanguageOf('zh-cn'), 'zh-cn');
    assert.equal(catalogueLanguageOf('zh-CN'), 'zh-cn');
    assert.equal(catalogueLanguageOf('en'), undefined);
    assert.equal(catalogueLanguageOf('zh-tw'), undefined);
  });
});
