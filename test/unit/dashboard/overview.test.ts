import assert from 'node:assert/strict';
import type { AccountRecord } from '../../../src/core/accounts/types';
import { poolOverview } from '../../../src/core/admin/overview';
import { englishOf } from '../../../src/core/messages';
import type { StatsQueryResult, StatsTotals } from '../../../src/core/admin/types';
import { firstShownBucket, fromBucket } from '../../../webview-ui/view-model';

const NOW = Date.UTC(2026, 3, 20, 9, 0, 0);
const HOUR = 3_600_000;

function account(email: string, fields: Partial<AccountRecord> = {}, quota: Record<string, number> = {}): AccountRecord {
  return {
    id: `id-${email}`,
    email,
    projectId: `p-${email}`,
    priority: 1,
    status: 'active',
    disabled: false,
    limits: {},
    addedAt: NOW - HOUR,
    tier: 'g1-pro-tier',
    quota: {
      models: Object.entries(quota).map(([id, remainingFraction]) => ({ id, remainingFraction, resetAt: NOW + 5 * HOUR })),
      deprecated: {},
      fetchedAt: NOW,
    },
    ...fields,
  };
}

describe('dashboard overview', () => {
  it('sums what is left per model across usable accounts and says when a limited one comes back', () => {
    const accounts = [
      account('a@x.com', {}, { 'claude-sonnet-4-6': 0.5, 'gemini-3-flash': 1 }),
      account(
        'b@x.com',
        { limits: { 'claude-sonnet-4-6': { kind: 'cooldown', until: NOW + 90_000, reason: 'RATE_LIMIT_EXCEEDED' } } },
        { 'claude-sonnet-4-6': 1, 'gemini-3-flash': 0.25 },
      ),
    ];
    const overview = poolOverview({ accounts, mode: 'cache-first', now: NOW, today: { requests: 3, errors: 1 } });
    const sonnet = overview.models.find((model) => model.model === 'claude-sonnet-4-6')!;
    assert.deepEqual([sonnet.accounts, sonnet.usableAccounts, sonnet.limitedAccounts, sonnet.remaining, sonnet.backAt], [2, 1, 1, 0.5, NOW + 90_000]);
    assert.equal(sonnet.remainingShare, 0.25);
    const flash = overview.models.find((model) => model.model === 'gemini-3-flash')!;
    assert.deepEqual([flash.usableAccounts, flash.remaining], [2, 1.25]);
    assert.deepEqual(overview.today, { requests: 3, errors: 1 });
    assert.equal(overview.health.level, 'ok');
    assert.match(overview.health.verdict, /Healthy: 2 of 2 accounts usable/);
  });

  it('sorts accounts into usable, cooling down, needing sign-in and forbidden, with their reasons', () => {
    const limitedEverywhere = { 'gemini-3-flash': { kind: 'exhausted' as const, until: NOW + 2 * HOUR, reason: 'QUOTA_EXHAUSTED' } };
    const accounts = [
      account('ok@x.com', {}, { 'gemini-3-flash': 1 }),
      account('cool@x.com', { limits: limitedEverywhere }, { 'gemini-3-flash': 0 }),
      account('auth@x.com', { status: 'needs_reauth', statusReason: 'invalid_grant' }, { 'gemini-3-flash': 1 }),
      account('ban@x.com', { status: 'forbidden', statusReason: 'VALIDATION_REQUIRED', actionUrl: 'https://verify' }, { 'gemini-3-flash': 1 }),
      account('off@x.com', { disabled: true }, { 'gemini-3-flash': 1 }),
    ];
    const { accounts: summary, health } = poolOverview({ accounts, mode: 'balance', now: NOW });
    assert.equal(summary.usable, 1);
    assert.deepEqual(summary.coolingDown, [{ email: 'cool@x.com', reason: { code: 'overview.reason.quotaSpent' }, until: NOW + 2 * HOUR }]);
    // The account's recorded reason is shown as it is.
    assert.deepEqual(summary.needsSignIn, [{ email: 'auth@x.com', reason: { code: 'text', params: { text: 'invalid_grant' } } }]);
    assert.deepEqual(summary.forbidden, [
      { email: 'ban@x.com', reason: { code: 'text', params: { text: 'VALIDATION_REQUIRED' } }, actionUrl: 'https://verify' },
    ]);
    assert.equal(summary.disabled, 1);
    assert.equal(health.level, 'degraded');
    assert.match(health.verdict, /2 accounts need attention/);
    assert.equal(health.verdict, englishOf(health.message));
  });

  it('names the account the scheduler would pick next per family: higher tier first, then more quota', () => {
    const accounts = [
      account('pro-low@x.com', { priority: 1 }, { 'claude-sonnet-4-6': 0.1, 'gemini-3-flash': 0.1 }),
      account('pro-full@x.com', { priority: 1 }, { 'claude-sonnet-4-6': 0.9, 'gemini-3-flash': 0.9 }),
      account('ultra@x.com', { priority: 2, tier: 'g1-ultra-tier' }, { 'gemini-3-flash': 0.3 }),
    ];
    const { next } = poolOverview({ accounts, mode: 'cache-first', now: NOW });
    assert.deepEqual(
      next.map((pick) => [pick.family, pick.model, pick.email, pick.remainingFraction]),
      [
        ['claude', 'claude-sonnet-4-6', 'pro-full@x.com', 0.9],
        ['gemini', 'gemini-3-flash', 'ultra@x.com', 0.3],
      ],
    );
  });

  it('says when nothing can serve, and when the first account comes back', () => {
    const until = NOW + 30 * 60_000;
    const accounts = [
      account('a@x.com', { limits: { 'gemini-3-flash': { kind: 'cooldown', until, reason: 'RATE_LIMIT_EXCEEDED' } } }, { 'gemini-3-flash': 1 }),
    ];
    const overview = poolOverview({ accounts, mode: 'cache-first', now: NOW });
    assert.equal(overview.health.level, 'down');
    assert.match(overview.health.verdict, /comes back in 30 min/);
    assert.deepEqual(overview.next[0], { family: 'gemini', model: 'gemini-3-flash', none: { code: 'overview.none.allLimited' }, backAt: until });
    assert.deepEqual(overview.health.message, { code: 'overview.down.comesBack', params: { when: { code: 'time.inMinutes', params: { minutes: 30 } } } });
    assert.equal(poolOverview({ accounts: [], mode: 'cache-first', now: NOW }).health.level, 'down');
  });
});

describe('dashboard stats range', () => {
  const totals = (requests: number) => ({ requests }) as StatsTotals;
  const result = (requests: number[]): StatsQueryResult => ({
    granularity: 'hour',
    groupBy: 'model',
    buckets: requests.map((_, at) => NOW + at * HOUR),
    series: [{ key: 'm', total: totals(0), points: requests.map(totals) }],
  });

  it('starts where the data starts, keeping at least six buckets', () => {
    const late = result([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 1]);
    assert.equal(firstShownBucket(late), 6);
    const early = result([0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(firstShownBucket(early), 1);
    assert.equal(firstShownBucket(result([0, 0, 0])), 0);
    const cut = fromBucket(late, 6);
    assert.equal(cut.buckets[0], NOW + 6 * HOUR);
    assert.deepEqual(
      cut.series[0].points.map((point) => point.requests),
      [0, 0, 0, 0, 3, 1],
    );
  });
});
