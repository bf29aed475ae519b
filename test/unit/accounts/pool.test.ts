import assert from 'node:assert/strict';
import { refreshTokenKey } from '../../../src/core/accounts/account-store';
import { createAccountPool, type AccountPoolEvents } from '../../../src/core/accounts/pool';
import { AccountSetupError } from '../../../src/core/accounts/setup';
import { UpstreamFailure } from '../../../src/core/upstream/failure';
import { FakeClock, FakeGoogle, MemoryDocuments, MemorySecrets, refreshTokenOf } from './fakes';

function harness() {
  const clock = new FakeClock();
  const google = new FakeGoogle(clock);
  const documents = new MemoryDocuments();
  const secrets = new MemorySecrets();
  const open = () => createAccountPool({ documents, secrets, oauth: google, api: google, clock });
  return { clock, google, documents, secrets, open };
}

describe('account pool', () => {
  it('adds an account by refresh token: email, project, tier and first quota', async () => {
    const { google, open, secrets } = harness();
    google.add({ email: 'ada@example.com', projectId: 'proj-ada', paidTier: 'g1-pro-tier' });
    const pool = await open();
    const { account, created } = await pool.addByRefreshToken(refreshTokenOf('ada@example.com'));
    assert.equal(created, true);
    assert.equal(account.email, 'ada@example.com');
    assert.equal(account.projectId, 'proj-ada');
    assert.equal(account.plan, 'pro');
    assert.equal(account.state, 'active');
    assert.equal(account.usable, true);
    assert.ok(account.models.some((m) => m.id === 'claude-sonnet-4-6' && m.remainingFraction === 1));
    assert.equal(await secrets.get(refreshTokenKey(account.id)), refreshTokenOf('ada@example.com'));
    assert.deepEqual(
      google.calls.map((c) => c.method),
      ['refresh', 'userEmail', 'loadCodeAssist', 'fetchAvailableModels'],
    );
  });

  it('onboards an account without a project on its default allowed tier', async () => {
    const { google, open } = harness();
    google.add({ email: 'new@example.com', allowedTiers: [{ id: 'legacy-tier' }, { id: 'standard-tier', isDefault: true }] });
    const pool = await open();
    const { account } = await pool.addByRefreshToken(refreshTokenOf('new@example.com'));
    assert.equal(account.projectId, 'onboarded-new');
    assert.deepEqual(google.onboardedTiers, ['standard-tier']);
  });

  it('onboards on free-tier when no allowed tier is the default', async () => {
    const { google, open } = harness();
    google.add({ email: 'new@example.com', allowedTiers: [] });
    const pool = await open();
    await pool.addByRefreshToken(refreshTokenOf('new@example.com'));
    assert.deepEqual(google.onboardedTiers, ['free-tier']);
  });

  it('names the step that failed', async () => {
    const { google, open } = harness();
    google.add({ email: 'ada@example.com', projectId: 'p' });
    const pool = await open();
    google.failNext('loadCodeAssist', new UpstreamFailure('server', 'Cloud Code answered 500'));
    await assert.rejects(pool.addByRefreshToken(refreshTokenOf('ada@example.com')), (err: unknown) => {
      assert.ok(err instanceof AccountSetupError);
      assert.equal(err.step, 'project discovery');
      assert.equal(err.message, 'project discovery failed: Cloud Code answered 500');
      return true;
    });
    await assert.rejects(pool.addByRefreshToken('1//unknown'), /token refresh failed: .*invalid_grant/);
    assert.equal(pool.list().length, 0);
  });

  it('adding the same email again updates the account instead of duplicating it', async () => {
    const { google, open, secrets } = harness();
    google.add({ email: 'ada@example.com', projectId: 'p1' });
    const pool = await open();
    const first = await pool.addByRefreshToken(refreshTokenOf('ada@example.com'));
    google.add({ email: 'ada@example.com', refreshToken: '1//second', projectId: 'p2' });
    const second = await pool.addByRefreshToken('1//second');
    assert.equal(second.created, false);
    assert.equal(second.account.id, first.account.id);
    assert.equal(pool.list().length, 1);
    assert.equal(pool.list()[0].projectId, 'p2');
    assert.equal(await secrets.get(refreshTokenKey(first.account.id)), '1//second');
  });

  it('survives a restart; refresh tokens live only in the secret store', async () => {
    const { google, open, documents, secrets, clock } = harness();
    for (const email of ['ada@example.com', 'bob@example.com', 'cy@example.com']) google.add({ email, projectId: `p-${email}` });
    const pool = await open();
    const ada = (await pool.addByRefreshToken(refreshTokenOf('ada@example.com'))).account;
    const bob = (await pool.addByRefreshToken(refreshTokenOf('bob@example.com'))).account;
    const cy = (await pool.addByRefreshToken(refreshTokenOf('cy@example.com'))).account;
    const until = clock.now() + 60_000;
    pool.markLimited(ada.id, 'claude-sonnet-4-6', { kind: 'cooldown', until, reason: 'rate limited' });
    pool.markForbidden(bob.id, 'Verify your account', 'https://accounts.google.com/verify');
    await pool.disable(cy.id);
    await pool.reorder([cy.id, bob.id]);
    pool.markUsed(ada.id);
    await pool.close();

    const stored = documents.documents.get('accounts') ?? '';
    for (const email of ['ada@example.com', 'bob@example.com', 'cy@example.com']) {
      assert.ok(!stored.includes(refreshTokenOf(email)), 'no refresh token in the document');
    }
    assert.ok(!stored.includes('at:'), 'no access token in the document');

    const reopened = await open();
    const views = reopened.list();
    assert.deepEqual(
      views.map((v) => v.email),
      ['cy@example.com', 'bob@example.com', 'ada@example.com'],
    );
    const byEmail = new Map(views.map((v) => [v.email, v]));
    assert.equal(byEmail.get('cy@example.com')?.state, 'disabled');
    assert.equal(byEmail.get('bob@example.com')?.state, 'forbidden');
    assert.equal(byEmail.get('bob@example.com')?.actionUrl, 'https://accounts.google.com/verify');
    const sonnet = byEmail.get('ada@example.com')?.models.find((m) => m.id === 'claude-sonnet-4-6');
    assert.deepEqual(sonnet?.limit, { kind: 'cooldown', until, reason: 'rate limited' });
    assert.equal(byEmail.get('ada@example.com')?.lastUsedAt, clock.now());
    assert.equal(secrets.values.size, 3);
    // The stored refresh token works after the restart.
    assert.match(await reopened.accessToken(ada.id), /^at:ada@example.com:/);
  });

  it('drops expired limits on save', async () => {
    const { google, open, documents, clock } = harness();
    google.add({ email: 'ada@example.com', projectId: 'p' });
    const pool = await open();
    const { account } = await pool.addByRefreshToken(refreshTokenOf('ada@example.com'));
    pool.markLimited(account.id, 'gemini-3-flash', { kind: 'cooldown', until: clock.now() + 1_000, reason: 'short' });
    await clock.advance(2_000);
    await pool.close();
    assert.deepEqual(JSON.parse(documents.documents.get('accounts') ?? '{}').accounts[0].limits, {});
  });

  it('a dead refresh token turns the account to needs re-auth; reauthenticate with a new one restores it', async () => {
    const { google, open } = harness();
    google.add({ email: 'ada@example.com', projectId: 'p' });
    const pool = await open();
    const { account } = await pool.addByRefreshToken(refreshTokenOf('ada@example.com'));
    const current = await pool.accessToken(account.id);
    google.revoked.add('ada@example.com');
    await assert.rejects(pool.renewAccessToken(account.id, current), (err: unknown) => err instanceof UpstreamFailure && err.kind === 'auth_revoked');
    assert.equal(pool.get(account.id)?.state, 'needs_reauth');
    assert.match(pool.get(account.id)?.stateReason ?? '', /invalid_grant/);
    assert.equal(pool.stats().usable, 0);

    // The user signs in again: Google issues a new refresh token.
    google.revoked.delete('ada@example.com');
    google.add({ email: 'ada@example.com', refreshToken: '1//fresh', projectId: 'p' });
    const restored = await pool.reauthenticate(account.id, { refreshToken: '1//fresh' });
    assert.equal(restored.state, 'active');
    assert.equal(restored.stateReason, undefined);
    assert.equal(pool.stats().usable, 1);
  });

  it('refuses to re-authenticate an account with another person’s token', async () => {
    const { google, open } = harness();
    google.add({ email: 'ada@example.com', projectId: 'p' });
    google.add({ email: 'eve@example.com', projectId: 'q' });
    const pool = await open();
    const { account } = await pool.addByRefreshToken(refreshTokenOf('ada@example.com'));
    await assert.rejects(
      pool.reauthenticate(account.id, { refreshToken: refreshTokenOf('eve@example.com') }),
      /belongs to eve@example.com, not ada@example.com/,
    );
    assert.equal(pool.list().length, 1);
  });

  it('disable, enable, remove, and the events hosts subscribe to', async () => {
    const { google, open, secrets } = harness();
    google.add({ email: 'ada@example.com', projectId: 'p' });
    const pool = await open();
    const events: Array<[keyof AccountPoolEvents, string]> = [];
    pool.on('added', (v) => events.push(['added', v.state]));
    pool.on('updated', (v) => events.push(['updated', v.state]));
    const unsubscribe = pool.on('removed', (v) => events.push(['removed', v.email]));
    const { account } = await pool.addByRefreshToken(refreshTokenOf('ada@example.com'));
    assert.equal((await pool.disable(account.id)).state, 'disabled');
    assert.deepEqual(pool.stats(), { total: 1, usable: 0 });
    assert.equal((await pool.enable(account.id)).state, 'active');
    await pool.remove(account.id);
    unsubscribe();
    assert.deepEqual(events, [
      ['added', 'active'],
      ['updated', 'disabled'],
      ['updated', 'active'],
      ['removed', 'ada@example.com'],
    ]);
    assert.equal(secrets.values.size, 0);
    assert.deepEqual(pool.stats(), { total: 0, usable: 0 });
    await assert.rejects(pool.enable(account.id), /No account with id/);
  });

  it('a throwing listener does not break the pool', async () => {
    const { google, open } = harness();
    google.add({ email: 'ada@example.com', projectId: 'p' });
    const pool = await open();
    pool.on('added', () => {
      throw new Error('listener bug');
    });
    const { account } = await pool.addByRefreshToken(refreshTokenOf('ada@example.com'));
    assert.equal(account.email, 'ada@example.com');
  });

  it('views never carry secrets', async () => {
    const { google, open } = harness();
    google.add({ email: 'ada@example.com', projectId: 'p' });
    const pool = await open();
    const { account } = await pool.addByRefreshToken(refreshTokenOf('ada@example.com'));
    const token = await pool.accessToken(account.id);
    const text = JSON.stringify(pool.list());
    assert.ok(!text.includes(token));
    assert.ok(!text.includes(refreshTokenOf('ada@example.com')));
  });

  it('forbidden keeps the validation URL and the account is not used until re-checked', async () => {
    const { google, open } = harness();
    google.add({ email: 'ada@example.com', projectId: 'p' });
    const pool = await open();
    const { account } = await pool.addByRefreshToken(refreshTokenOf('ada@example.com'));
    pool.markForbidden(account.id, 'VALIDATION_REQUIRED', 'https://accounts.google.com/signin/continue?x=1');
    const view = pool.get(account.id);
    assert.equal(view?.state, 'forbidden');
    assert.equal(view?.actionUrl, 'https://accounts.google.com/signin/continue?x=1');
    assert.equal(view?.usable, false);
    assert.equal((await pool.reauthenticate(account.id)).state, 'active');
    assert.equal(pool.get(account.id)?.actionUrl, undefined);
  });
});
