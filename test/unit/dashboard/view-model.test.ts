import assert from 'node:assert/strict';
import type { AdminAccount, RequestRecord, StatsQueryResult, StatsTotals } from '../../../src/core/admin/types';
import {
  accountStateLine,
  ago,
  countdown,
  formatLatency,
  formatTokens,
  latencyAndErrors,
  matchesFilter,
  mergeRows,
  moveItem,
  overviewOf,
  quotaBar,
  rangeOf,
  requestRow,
  stackedSeries,
  usableAccounts,
} from '../../../webview-ui/view-model';
import { setLanguage } from '../../../webview-ui/l10n';

const NOW = Date.UTC(2026, 0, 15, 12, 30, 0);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function record(overrides: Partial<RequestRecord>): RequestRecord {
  return {
    id: 'req_1',
    startedAt: NOW,
    protocol: 'openai-chat',
    path: '/v1/chat/completions',
    stream: false,
    clientModel: 'gpt-4o',
    upstreamModel: 'gemini-3-flash',
    accountId: 'acct_a',
    accountEmail: 'ada@example.com',
    attempts: [],
    status: 200,
    latencyMs: 120,
    ...overrides,
  };
}

function totals(overrides: Partial<StatsTotals>): StatsTotals {
  return {
    requests: 0,
    errors: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedTokens: 0,
    thinkingTokens: 0,
    spendUsd: 0,
    spend: { uncachedInputUsd: 0, cachedInputUsd: 0, cacheWriteUsd: 0, outputUsd: 0 },
    p50Ms: null,
    p95Ms: null,
    p99Ms: null,
    ...overrides,
  };
}

describe('dashboard view model', () => {
  it('counts down to a reset in the largest two units', () => {
    assert.equal(countdown(NOW - 1, NOW), 'now');
    assert.equal(countdown(NOW + 1500, NOW), '2s');
    assert.equal(countdown(NOW + 5 * MINUTE, NOW), '5m');
    assert.equal(countdown(NOW + 5 * MINUTE + 7000, NOW), '5m 7s');
    assert.equal(countdown(NOW + 90 * MINUTE, NOW), '1h 30m');
    assert.equal(countdown(NOW + 3 * HOUR, NOW), '3h');
    assert.equal(countdown(NOW + 50 * HOUR, NOW), '2d 2h');
    assert.equal(ago(undefined, NOW), 'never');
    assert.equal(ago(NOW - 2000, NOW), 'just now');
    assert.equal(ago(NOW - 5 * MINUTE, NOW), '5m ago');
  });

  it('counts usable accounts in the plural form of the total (Chinese has none)', () => {
    assert.equal(usableAccounts(1, 1), '1/1 account usable');
    assert.equal(usableAccounts(0, 1), '0/1 account usable');
    assert.equal(usableAccounts(1, 2), '1/2 accounts usable');
    assert.equal(usableAccounts(0, 0), '0/0 accounts usable');
    setLanguage('zh-cn');
    try {
      assert.equal(usableAccounts(1, 1), '1/1 个账号可用');
    } finally {
      setLanguage('en');
    }
  });

  it('formats tokens and latency', () => {
    assert.equal(formatTokens(1234), '1,234');
    assert.equal(formatTokens(2_345_678), '2.35M');
    assert.equal(formatTokens(3_000_000_000), '3.00B');
    assert.equal(formatLatency(null), '–');
    assert.equal(formatLatency(87.4), '87 ms');
    assert.equal(formatLatency(1234), '1.23 s');
    assert.equal(formatLatency(12_345), '12.3 s');
  });

  it('levels a quota bar and says when it resets or why it is limited', () => {
    assert.deepEqual(quotaBar({ model: 'm', remainingFraction: 0.8, resetAt: NOW + HOUR }, NOW), {
      model: 'm',
      label: 'm',
      percent: 80,
      level: 'high',
      note: 'resets in 1h',
    });
    assert.equal(quotaBar({ model: 'm', remainingFraction: 0.3 }, NOW).level, 'medium');
    assert.equal(quotaBar({ model: 'm', remainingFraction: 0.1 }, NOW).level, 'low');
    assert.equal(quotaBar({ model: 'm', remainingFraction: 0 }, NOW).level, 'empty');
    const unknown = quotaBar({ model: 'm', displayName: 'Model M' }, NOW);
    assert.deepEqual([unknown.label, unknown.percent, unknown.level], ['Model M', undefined, 'unknown']);
    const limited = quotaBar(
      { model: 'm', remainingFraction: 0.5, resetAt: NOW + HOUR, limit: { kind: 'cooldown', until: NOW + 2 * MINUTE, reason: 'rate limited' } },
      NOW,
    );
    assert.equal(limited.note, 'cooldown: rate limited (2m)');
    const expiredLimit = quotaBar({ model: 'm', resetAt: NOW + HOUR, limit: { kind: 'cooldown', until: NOW - 1, reason: 'x' } }, NOW);
    assert.equal(expiredLimit.note, 'resets in 1h');
  });

  it('states an account: active, limited everywhere, or needing attention with the reason', () => {
    const base: AdminAccount = { id: 'a', email: 'a@x', plan: 'pro', priority: 0, state: 'active', usable: true, models: [] };
    assert.equal(accountStateLine(base, NOW), 'Active');
    assert.equal(accountStateLine({ ...base, usable: false, limitedUntil: NOW + 3 * MINUTE }, NOW), 'Limited — every model, for 3m');
    assert.equal(accountStateLine({ ...base, state: 'needs_reauth', stateReason: 'token revoked' }, NOW), 'Needs sign-in: token revoked');
    assert.equal(accountStateLine({ ...base, state: 'disabled' }, NOW), 'Disabled');
  });

  it('moves an item within bounds', () => {
    assert.deepEqual(moveItem(['a', 'b', 'c'], 0, 1), ['b', 'a', 'c']);
    assert.deepEqual(moveItem(['a', 'b', 'c'], 2, 0), ['c', 'a', 'b']);
    assert.deepEqual(moveItem(['a', 'b', 'c'], 2, 5), ['a', 'b', 'c']);
    assert.deepEqual(moveItem(['a', 'b', 'c'], 0, -1), ['a', 'b', 'c']);
    assert.deepEqual(moveItem(['a', 'b', 'c'], 7, 0), ['a', 'b', 'c']);
  });

  it('filters live rows as the server filters the list', () => {
    const ok = record({});
    const limited = record({ id: 'req_2', status: 429 });
    const cancelled = record({ id: 'req_3', status: 499 });
    assert.ok(matchesFilter(ok, {}));
    assert.ok(matchesFilter(ok, { status: 'ok' }));
    assert.ok(!matchesFilter(limited, { status: 'ok' }));
    assert.ok(matchesFilter(limited, { status: 'error' }));
    assert.ok(!matchesFilter(cancelled, { status: 'error' }), 'a client hang-up is not an error');
    assert.ok(!matchesFilter(cancelled, { status: 'ok' }));
    assert.ok(matchesFilter(limited, { status: 429 }));
    assert.ok(matchesFilter(ok, { model: 'gpt-4o' }) && matchesFilter(ok, { model: 'gemini-3-flash' }));
    assert.ok(!matchesFilter(ok, { model: 'gemini-3' }), 'models match exactly');
    assert.ok(matchesFilter(ok, { account: 'ada@example.com' }) && matchesFilter(ok, { account: 'acct_a' }));
    assert.ok(!matchesFilter(ok, { account: 'bob@example.com' }));
    assert.ok(!matchesFilter(ok, { protocol: 'gemini' }));
  });

  it('merges streamed rows newest first, once each, up to the limit', () => {
    const older = record({ id: 'a', startedAt: NOW - 1000 });
    const newer = record({ id: 'b', startedAt: NOW });
    assert.deepEqual(
      mergeRows([older], [newer, older], 10).map((row) => row.id),
      ['b', 'a'],
    );
    assert.deepEqual(
      mergeRows([older], [newer], 1).map((row) => row.id),
      ['b'],
    );
  });

  it('renders a table row', () => {
    const row = requestRow(record({ stream: true, status: 499, usage: { inputTokens: 1200, cachedInputTokens: 0, outputTokens: 30, thinkingTokens: 12 } }));
    assert.equal(row.model, 'gpt-4o → gemini-3-flash');
    assert.equal(row.protocol, 'openai-chat (stream)');
    assert.equal(row.statusClass, 'cancelled');
    assert.equal(row.tokens, '1,200 / 42');
    assert.equal(requestRow(record({ upstreamModel: 'gpt-4o', clientModel: 'gpt-4o' })).model, 'gpt-4o');
    assert.equal(requestRow(record({ accountEmail: undefined })).account, '–');
  });

  it('ends a range preset at the end of the running bucket', () => {
    const day = rangeOf('24h', NOW);
    assert.equal(day.granularity, 'hour');
    assert.equal(day.to, Date.UTC(2026, 0, 15, 13));
    assert.equal(day.to - day.from, 24 * HOUR);
    const month = rangeOf('30d', NOW);
    assert.equal(month.granularity, 'day');
    assert.equal(month.to, Date.UTC(2026, 0, 16));
    assert.deepEqual(rangeOf('nonsense', NOW), day, 'an unknown preset falls back to 24 hours');
  });

  it('stacks series by tokens or requests and folds the tail into "other"', () => {
    const result: StatsQueryResult = {
      granularity: 'hour',
      groupBy: 'model',
      buckets: [0, HOUR],
      series: ['a', 'b', 'c'].map((key, index) => ({
        key,
        total: totals({ requests: 10 - index }),
        points: [totals({ requests: 1, inputTokens: 10, outputTokens: 5, thinkingTokens: 1 }), totals({ requests: 2 })],
      })),
    };
    assert.deepEqual(stackedSeries(result, 'tokens')[0], { label: 'a', data: [16, 0] });
    assert.deepEqual(stackedSeries(result, 'requests', 2), [
      { label: 'a', data: [1, 2] },
      { label: 'other', data: [2, 4] },
    ]);
  });

  it('sums an overview and reads latency and error rate per bucket', () => {
    const result: StatsQueryResult = {
      granularity: 'hour',
      groupBy: 'none',
      buckets: [0, HOUR],
      series: [
        {
          key: '',
          total: totals({ requests: 4, errors: 1, inputTokens: 100, outputTokens: 40, cachedTokens: 20, thinkingTokens: 5 }),
          points: [totals({ requests: 4, errors: 1, p50Ms: 100, p95Ms: 300 }), totals({})],
        },
      ],
    };
    const overview = overviewOf(result);
    assert.equal(overview.errorRate, 0.25);
    assert.equal(overview.inputTokens, 100);
    assert.deepEqual(latencyAndErrors(result), { p50: [100, null], p95: [300, null], errorRate: [25, null] });
    assert.equal(overviewOf({ ...result, series: [] }).errorRate, 0);
    // Spend through API-key providers adds up across series, kind by kind.
    const spend = (uncachedInputUsd: number, outputUsd: number) => ({ uncachedInputUsd, cachedInputUsd: 0.5, cacheWriteUsd: 0, outputUsd });
    const spent = overviewOf({
      ...result,
      series: [
        { key: 'provider a', total: totals({ spendUsd: 2.5, spend: spend(1, 1) }), points: [] },
        { key: 'provider b', total: totals({ spendUsd: 4.5, spend: spend(2, 2) }), points: [] },
      ],
    });
    assert.equal(spent.spendUsd, 7);
    assert.deepEqual(spent.spend, { uncachedInputUsd: 3, cachedInputUsd: 1, cacheWriteUsd: 0, outputUsd: 3 });
  });
});
