import assert from 'node:assert/strict';
import { createAccountPool } from '../../../src/core/accounts/pool';
import { UpstreamFailure } from '../../../src/core/upstream/failure';
import { FakeClock, FakeGoogle, MemoryDocuments, MemorySecrets, refreshTokenOf, settle } from './fakes';

const INTERVAL = 5 * 60_000;

async function harness(emails: string[]) {
  const clock = new FakeClock();
  const google = new FakeGoogle(clock);
  for (const email of emails) google.add({ email, projectId: `p-${email}` });
  const pool = await createAccountPool({
    documents: new MemoryDocuments(),
    secrets: new MemorySecrets(),
    oauth: google,
    api: google,
    clock,
    random: () => 0.5, // no jitter: due exactly at the interval
    quotaRefreshIntervalMs: INTERVAL,
  });
  const ids: string[] = [];
  for (const email of emails) ids.push((await pool.addByRefreshToken(refreshTokenOf(email))).account.id);
  google.calls.length = 0;
  return { clock, google, pool, ids };
}

const quotaFetches = (google: FakeGoogle, email?: string) =>
  google.calls.filter((c) => c.method === 'fetchAvailableModels' && (!email || c.email === email)).length;

describe('quota polling', () => {
  it('polls every account once per interval, and skips disabled accounts', async () => {
    const { clock, google, pool, ids } = await harness(['a@x.com', 'b@x.com', 'c@x.com']);
    await pool.disable(ids[2]);
    pool.startQuotaPolling();
    await clock.advance(INTERVAL - 10_000);
    assert.equal(quotaFetches(google), 0, 'the add just fetched it');
    await clock.advance(20_000);
    assert.equal(quotaFetches(google, 'a@x.com'), 1);
    assert.equal(quotaFetches(google, 'b@x.com'), 1);
    assert.equal(quotaFetches(google, 'c@x.com'), 0);
    await clock.advance(INTERVAL);
    assert.equal(quotaFetches(google, 'a@x.com'), 2);
    await pool.close();
    await clock.advance(INTERVAL * 3);
    assert.equal(quotaFetches(google, 'a@x.com'), 2, 'stopped on close');
  });

  it('keeps the fetched remaining fraction and reset time per model', async () => {
    const { clock, google, pool, ids } = await harness(['a@x.com']);
    const resetAt = clock.now() + 3_600_000;
    const account = [...google.accounts.values()][0];
    account.models = [
      { id: 'claude-sonnet-4-6', remainingFraction: 0.25, resetAt },
      { id: 'gemini-3-flash', remainingFraction: 0, resetAt },
    ];
    await pool.refreshQuota(ids[0]);
    const view = pool.get(ids[0]);
    assert.deepEqual(
      view?.models.map((m) => [m.id, m.remainingFraction, m.resetAt]),
      [
        ['claude-sonnet-4-6', 0.25, resetAt],
        ['gemini-3-flash', 0, resetAt],
      ],
    );
    assert.equal(view?.quotaFetchedAt, clock.now());
  });

  it('records a failed fetch on the account without throwing, and clears it on the next success', async () => {
    const { google, pool, ids } = await harness(['a@x.com']);
    google.failNext('fetchAvailableModels', new UpstreamFailure('server', 'Cloud Code answered 503'));
    await pool.refreshQuota(ids[0]);
    assert.equal(pool.get(ids[0])?.quotaError, 'Cloud Code answered 503');
    await pool.refreshQuota(ids[0]);
    assert.equal(pool.get(ids[0])?.quotaError, undefined);
  });

  it('a 403 VALIDATION_REQUIRED on the quota call marks the account forbidden with its URL', async () => {
    const { google, pool, ids } = await harness(['a@x.com']);
    google.failNext(
      'fetchAvailableModels',
      new UpstreamFailure('forbidden', 'Verify your account to continue', { actionUrl: 'https://accounts.google.com/v' }),
    );
    await pool.refreshQuota(ids[0]);
    assert.equal(pool.get(ids[0])?.state, 'forbidden');
    assert.equal(pool.get(ids[0])?.actionUrl, 'https://accounts.google.com/v');
  });

  it('a 429-triggered refresh is coalesced: one fetch per burst, even right after the add', async () => {
    const { clock, google, pool, ids } = await harness(['a@x.com']);
    for (let i = 0; i < 5; i++) pool.refreshQuotaSoon(ids[0]);
    await settle();
    await settle();
    assert.equal(quotaFetches(google), 1, 'the data from the add predates the 429');
    await clock.advance(5_000);
    pool.refreshQuotaSoon(ids[0]);
    await settle();
    assert.equal(quotaFetches(google), 1, 'same burst');
    await clock.advance(6_000);
    for (let i = 0; i < 5; i++) pool.refreshQuotaSoon(ids[0]);
    await settle();
    await settle();
    assert.equal(quotaFetches(google), 2);
  });

  it('an exhausted limit takes the reset time from fresh quota data', async () => {
    const { clock, google, pool, ids } = await harness(['a@x.com']);
    pool.markLimited(ids[0], 'gemini-3-flash', { kind: 'exhausted', until: clock.now() + 300_000, reason: 'QUOTA_EXHAUSTED' });
    const resetAt = clock.now() + 2 * 3_600_000;
    [...google.accounts.values()][0].models = [{ id: 'gemini-3-flash', remainingFraction: 0, resetAt }];
    await pool.refreshQuota(ids[0]);
    assert.equal(pool.get(ids[0])?.models.find((m) => m.id === 'gemini-3-flash')?.limit?.until, resetAt);
  });

  it('renews an expired access token once when the quota call answers 401', async () => {
    const { google, pool, ids } = await harness(['a@x.com']);
    google.failNext('fetchAvailableModels', new UpstreamFailure('auth_expired', 'Request had invalid authentication credentials', { status: 401 }));
    await pool.refreshQuota(ids[0]);
    assert.equal(pool.get(ids[0])?.quotaError, undefined);
    assert.equal(google.count('refresh'), 1);
  });
});
