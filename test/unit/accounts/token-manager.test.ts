import assert from 'node:assert/strict';
import { createTokenManager } from '../../../src/core/accounts/token-manager';
import { UpstreamFailure } from '../../../src/core/upstream/failure';
import { FakeClock, FakeGoogle, refreshTokenOf } from './fakes';

describe('access tokens', () => {
  const setup = (skewMs = 90_000) => {
    const clock = new FakeClock();
    const google = new FakeGoogle(clock);
    google.add({ email: 'ada@example.com', projectId: 'p1' });
    const stored = new Map([['a1', refreshTokenOf('ada@example.com')]]);
    const rotated: string[] = [];
    const tokens = createTokenManager({
      oauth: google,
      clock,
      refreshSkewMs: () => skewMs,
      refreshTokenOf: async (id) => stored.get(id),
      onRefreshTokenRotated: async (_id, token) => void rotated.push(token),
    });
    return { clock, google, tokens, stored, rotated };
  };

  it('50 concurrent callers share exactly one token request', async () => {
    const { google, tokens } = setup();
    const results = await Promise.all(Array.from({ length: 50 }, () => tokens.get('a1')));
    assert.equal(google.count('refresh'), 1);
    assert.equal(new Set(results).size, 1);
  });

  it('reuses a token until it is within the refresh skew of expiry, then refreshes ahead of time', async () => {
    const { clock, google, tokens } = setup(90_000);
    const first = await tokens.get('a1');
    await clock.advance(3600_000 - 91_000);
    assert.equal(await tokens.get('a1'), first);
    await clock.advance(2_000); // now 89 s before expiry
    const second = await tokens.get('a1');
    assert.notEqual(second, first);
    assert.equal(google.count('refresh'), 2);
  });

  it('renews a rejected token once, however many requests saw the 401', async () => {
    const { google, tokens } = setup();
    const rejected = await tokens.get('a1');
    const renewed = await Promise.all(Array.from({ length: 10 }, () => tokens.renew('a1', rejected)));
    assert.equal(new Set(renewed).size, 1);
    assert.notEqual(renewed[0], rejected);
    // A late 401 on the old token does not refresh again: the new one is handed out.
    assert.equal(await tokens.renew('a1', rejected), renewed[0]);
    assert.equal(google.count('refresh'), 2);
  });

  it('a dead refresh token is an auth_revoked failure', async () => {
    const { google, tokens } = setup();
    google.revoked.add('ada@example.com');
    await assert.rejects(tokens.get('a1'), (err: unknown) => err instanceof UpstreamFailure && err.kind === 'auth_revoked');
  });

  it('an account without a stored refresh token needs re-authentication', async () => {
    const { tokens } = setup();
    await assert.rejects(tokens.get('unknown'), (err: unknown) => err instanceof UpstreamFailure && err.kind === 'auth_revoked');
  });

  it('one caller giving up does not cancel the refresh the others wait for', async () => {
    const { google, tokens } = setup();
    const impatient = new AbortController();
    const first = tokens.get('a1', impatient.signal);
    const second = tokens.get('a1');
    impatient.abort(new Error('client gone'));
    await assert.rejects(first, /client gone/);
    assert.match(await second, /^at:ada@example.com:/);
    assert.equal(google.count('refresh'), 1);
  });

  it('keeps a rotated refresh token', async () => {
    const { google, tokens, rotated } = setup();
    const original = google.refresh.bind(google);
    google.refresh = async (token) => ({ ...(await original(token)), refreshToken: '1//rotated' });
    await tokens.get('a1');
    assert.deepEqual(rotated, ['1//rotated']);
  });

  it('seeded tokens are used without a request', async () => {
    const { clock, google, tokens } = setup();
    tokens.seed('a1', { accessToken: 'at:ada@example.com:seeded', expiresAt: clock.now() + 3600_000 });
    assert.equal(await tokens.get('a1'), 'at:ada@example.com:seeded');
    assert.equal(google.count('refresh'), 0);
  });
});
