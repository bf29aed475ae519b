import assert from 'node:assert/strict';
import { createAccountPool } from '../../../src/core/accounts/pool';
import { FakeClock, FakeGoogle, MemoryDocuments, MemorySecrets, refreshTokenOf } from './fakes';

describe('account pool: tokens handed to the Antigravity IDE', () => {
  it('a token with most of its life left, its expiry, and the stored refresh token; refreshed when too close to expiry', async () => {
    const clock = new FakeClock();
    const google = new FakeGoogle(clock);
    google.add({ email: 'ada@example.com', projectId: 'p', paidTier: 'g1-pro-tier' });
    const pool = await createAccountPool({ documents: new MemoryDocuments(), secrets: new MemorySecrets(), oauth: google, api: google, clock });
    const { account } = await pool.addByRefreshToken(refreshTokenOf('ada@example.com'));

    const first = await pool.handoverTokens(account.id, 15 * 60_000);
    assert.equal(first.email, 'ada@example.com');
    assert.equal(first.refreshToken, refreshTokenOf('ada@example.com'));
    assert.equal(first.expiresAt, clock.now() + 3600_000, 'the token from the add is fresh enough');

    await clock.advance(50 * 60_000); // 10 minutes left: the scheduler would still use it, the IDE gets a new one
    const refreshesBefore = google.calls.filter((c) => c.method === 'refresh').length;
    const second = await pool.handoverTokens(account.id, 15 * 60_000);
    assert.notEqual(second.accessToken, first.accessToken);
    assert.equal(second.expiresAt, clock.now() + 3600_000);
    assert.equal(google.calls.filter((c) => c.method === 'refresh').length, refreshesBefore + 1);
    assert.equal(await pool.accessToken(account.id), second.accessToken, 'the pool uses the new token too');
    await pool.close();
  });
});
