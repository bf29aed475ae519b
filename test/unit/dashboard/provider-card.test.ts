import assert from 'node:assert/strict';
import type { ProviderView } from '../../../src/core/providers/types';
import { setLanguage } from '../../../webview-ui/l10n';
import { providerStateLine, spendLines, todayLine } from '../../../webview-ui/providers-view';

const NOW = Date.UTC(2030, 0, 15, 12);

function provider(overrides: Partial<ProviderView> = {}): ProviderView {
  return {
    id: 'p1',
    name: 'paid',
    kind: 'openai-compatible',
    baseUrl: 'https://api.example.com/v1',
    models: ['gpt-4o'],
    modelsSource: 'fetched',
    priority: 0,
    enabled: true,
    limits: {},
    prices: {},
    state: 'active',
    keyHint: '0001',
    addedAt: 0,
    effectivePrices: {},
    ...overrides,
  };
}

describe('dashboard: a provider card', () => {
  afterEach(() => setLanguage('en'));

  it("says whether the provider can take a request, and if not why: the cap by name, the key's rejection, the cooldown's end", () => {
    assert.equal(providerStateLine({ kind: 'ok' }, NOW), 'Ready');
    assert.equal(providerStateLine(undefined, NOW), 'Ready');
    assert.equal(providerStateLine({ kind: 'disabled' }, NOW), 'Disabled');
    assert.equal(providerStateLine({ kind: 'key_rejected', message: 'Incorrect API key provided' }, NOW), 'Key rejected: Incorrect API key provided');
    assert.match(
      providerStateLine({ kind: 'cooling_down', until: NOW + 90_000, reason: 'rate limited' }, NOW),
      /^Cooling down until \d\d:\d\d:\d\d \(1m 30s\): rate limited$/,
    );
    assert.equal(
      providerStateLine(
        { kind: 'capped', cap: 'dailySpendCapUsd', until: NOW + 3_600_000, message: 'paid: daily spend cap of $1 reached ($1.0002 spent today, UTC)' },
        NOW,
      ),
      'Over its daily spend cap: paid: daily spend cap of $1 reached ($1.0002 spent today, UTC)',
    );
    assert.match(providerStateLine({ kind: 'capped', cap: 'requestsPerMinute', until: NOW, message: 'x' }, NOW), /^Over its requests per minute cap: x$/);
    setLanguage('zh-cn');
    assert.equal(providerStateLine({ kind: 'capped', cap: 'tokensPerDay', until: NOW, message: 'x' }, NOW), '已达每日 token 数上限：x');
  });

  it('counts the requests and tokens of today in the plural form of the number (Chinese has none)', () => {
    assert.equal(todayLine(1, 1), 'Today: 1 request · 1 token');
    assert.equal(todayLine(0, 0), 'Today: 0 requests · 0 tokens');
    assert.equal(todayLine(2, 1234), 'Today: 2 requests · 1,234 tokens');
    setLanguage('zh-cn');
    assert.equal(todayLine(1, 1), '今日：1 个请求 · 1 个 token');
    assert.equal(todayLine(2, 5), '今日：2 个请求 · 5 个 token');
  });

  it('shows the spend of today against the daily cap, and how it splits', () => {
    const none = spendLines(provider());
    assert.equal(none.total, 'Spend today: $0.00 (no daily cap)');
    assert.equal(none.fraction, undefined);
    assert.equal(none.split, undefined);
    const spent = spendLines(
      provider({
        limits: { dailySpendCapUsd: 2 },
        today: {
          day: '2030-01-15',
          requests: 3,
          tokens: 1000,
          spendUsd: 0.5,
          spend: { uncachedInputUsd: 0.1, cachedInputUsd: 0.05, cacheWriteUsd: 0.05, outputUsd: 0.3 },
          inputTokens: 800,
          cachedInputTokens: 400,
          unpricedTokens: 0,
        },
      }),
    );
    assert.equal(spent.total, 'Spend today: $0.50 of $2.00');
    assert.equal(spent.fraction, 0.25);
    assert.equal(spent.split, 'input $0.10 · cached input $0.05 · cache write $0.05 · output $0.30');
  });
});
