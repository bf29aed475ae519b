/**
 * Adding accounts against the simulator's real OAuth and Cloud Code
 * endpoints: Google sign-in (the test plays the browser), a pasted refresh
 * token, bulk import, and the error that names the step that failed.
 */
import assert from 'node:assert/strict';
import type { AccountView } from '../../../src/core/accounts/types';
import { AccountSetupError } from '../../../src/core/accounts';
import type { LogEntry } from '../../../src/simulator';
import { startStack, type Stack } from '../../helpers/stack';
import { ADA, ask, BOB, CY, DEE, echoOf, generations, logMark } from './clients';

/** Plays the browser: opens the consent URL and follows the redirect back to the loopback listener. */
async function browse(authorizeUrl: string): Promise<{ status: number; page: string }> {
  const res = await fetch(authorizeUrl, { redirect: 'follow' });
  return { status: res.status, page: await res.text() };
}

describe('pool: adding accounts', () => {
  let stack: Stack;
  afterEach(() => stack?.close());

  describe('Google sign-in (authorization code + PKCE on a loopback redirect)', () => {
    it('the browser consents, the loopback receives the code, and the account is set up and serves requests', async () => {
      stack = await startStack({ accounts: [ADA], extraSimulatorAccounts: [BOB] });
      const events: AccountView[] = [];
      stack.agate.pool.on('added', (view) => events.push(view));
      const mark = logMark(stack.sim);
      const session = await stack.agate.pool.beginSignIn({ ports: [0], loginHint: BOB.email });

      const consent = new URL(session.authorizeUrl);
      assert.equal(`${consent.origin}${consent.pathname}`, `${stack.sim.url}/oauth/authorize`);
      assert.equal(consent.searchParams.get('code_challenge_method'), 'S256');
      assert.match(consent.searchParams.get('redirect_uri') ?? '', /^http:\/\/localhost:\d+\/oauth-callback$/);
      assert.equal(consent.searchParams.get('access_type'), 'offline');

      const browser = await browse(session.authorizeUrl);
      assert.equal(browser.status, 200);
      assert.match(browser.page, /Signed in/);
      assert.match(browser.page, /bob@example\.com/);
      const account = await session.completion;

      assert.equal(account.email, BOB.email);
      assert.equal(account.state, 'active');
      assert.equal(account.plan, 'pro');
      assert.ok(account.models.some((m) => m.id === 'claude-sonnet-4-6' && m.remainingFraction === 1));
      assert.deepEqual(
        events.map((e) => e.email),
        [BOB.email],
      );
      assert.deepEqual(
        stack.agate.pool.list().map((a) => a.email),
        [ADA.email, BOB.email],
      );

      // What the upstream saw, in order: consent, code exchange (with the verifier), email, project, quota.
      const steps = stack.sim.log.filter((e) => e.id > mark).map((e) => `${e.label}:${e.method}`);
      assert.deepEqual(steps, ['oauth:authorize', 'oauth:token', 'oauth:userinfo', 'daily:loadCodeAssist', 'daily:fetchAvailableModels']);
      const exchange = stack.sim.log.find((e) => e.id > mark && e.method === 'token')!;
      assert.equal((exchange.body as Record<string, string>).grant_type, 'authorization_code');
      assert.equal((exchange.body as Record<string, string>).code_verifier, '[redacted]');

      // The new account takes traffic once ada is out of quota.
      stack.sim.injectFault({ kind: 'quota_exhausted', account: ADA.email, times: Infinity });
      const answer = await ask('anthropic', stack, { text: 'from bob' });
      assert.equal(answer.text, echoOf('claude-sonnet-4-6', 'from bob'));
      assert.equal(generations(stack.sim).at(-1)?.account, BOB.email);
    });

    it('signing in again with a known email re-authenticates that account instead of adding another', async () => {
      stack = await startStack({ accounts: [ADA, BOB] });
      const bobId = stack.agate.pool.list().find((a) => a.email === BOB.email)!.id;
      stack.sim.revoke(BOB.email);
      stack.sim.injectFault({ kind: 'quota_exhausted', account: ADA.email });
      await ask('anthropic', stack, { text: 'bob is revoked' });
      assert.equal(stack.agate.pool.get(bobId)?.state, 'needs_reauth');

      const session = await stack.agate.pool.beginSignIn({ ports: [0], loginHint: BOB.email });
      assert.equal((await browse(session.authorizeUrl)).status, 200);
      const account = await session.completion;
      assert.equal(account.id, bobId);
      assert.equal(account.state, 'active');
      assert.equal(stack.agate.pool.list().length, 2);
    });
  });

  describe('refresh token paste', () => {
    it('adds the account; pasting a token of the same email again updates it', async () => {
      stack = await startStack({ accounts: [ADA], extraSimulatorAccounts: [BOB] });
      const first = await stack.agate.pool.addByRefreshToken(`  ${BOB.refreshToken}\n`);
      assert.equal(first.created, true);
      assert.equal(first.account.email, BOB.email);
      // Google issued bob a new refresh token; pasting it updates, never duplicates.
      stack.sim.addAccount({ ...BOB, refreshToken: '1//pool-bob-second' });
      const second = await stack.agate.pool.addByRefreshToken('1//pool-bob-second');
      assert.equal(second.created, false);
      assert.equal(second.account.id, first.account.id);
      assert.deepEqual(
        stack.agate.pool.list().map((a) => a.email),
        [ADA.email, BOB.email],
      );
      // The stored token is the new one: the old one is dead upstream and requests still work.
      stack.sim.injectFault({ kind: 'quota_exhausted', account: ADA.email, times: Infinity });
      const answer = await ask('openai', stack, { text: 'new token' });
      assert.equal(answer.error, undefined);
      assert.equal(generations(stack.sim).at(-1)?.account, BOB.email);
    });

    it('onboards an account that has no Cloud Code project yet', async () => {
      stack = await startStack({
        accounts: [ADA],
        extraSimulatorAccounts: [{ ...BOB, onboarded: false, tier: 'free-tier' }],
        simulator: { onboardingPolls: 0 },
      });
      const { account } = await stack.agate.pool.addByRefreshToken(BOB.refreshToken);
      assert.equal(account.plan, 'free');
      assert.ok(stack.sim.log.some((e) => e.method === 'onboardUser' && e.account === BOB.email && e.status === 200));
      assert.equal(stack.sim.accounts().find((a) => a.email === BOB.email)?.onboarded, true);
    });
  });

  describe('bulk import', () => {
    it('reads our array of {email?, refresh_token} and the simple peer formats; known emails update', async () => {
      stack = await startStack({ accounts: [ADA], extraSimulatorAccounts: [BOB, CY, DEE] });
      const adaId = stack.agate.pool.list()[0].id;
      const file = JSON.stringify([
        { email: BOB.email, refresh_token: BOB.refreshToken },
        { refresh_token: CY.refreshToken },
        { email: ADA.email, refresh_token: ADA.refreshToken },
        { email: 'ghost@example.com', refresh_token: '1//nobody' },
        { email: 'empty@example.com' },
      ]);
      const report = await stack.agate.pool.importAccounts(file);
      assert.deepEqual(
        report.added.map((a) => a.email),
        [BOB.email, CY.email],
      );
      assert.deepEqual(
        report.updated.map((a) => a.id),
        [adaId],
      );
      assert.deepEqual(
        report.failed.map((f) => [f.index, f.email, f.error.split(':')[0]]),
        [
          [3, 'ghost@example.com', 'token refresh failed'],
          [4, undefined, 'no refresh token'],
        ],
      );
      assert.match(report.failed[0].error, /invalid_grant/);

      // Peer export shapes: an {accounts: [...]} wrapper with refreshToken keys, nested tokens, bare strings.
      const peer = await stack.agate.pool.importAccounts({
        accounts: [{ refreshToken: DEE.refreshToken }, { token: { refresh_token: CY.refreshToken } }, BOB.refreshToken],
      });
      assert.deepEqual(
        peer.added.map((a) => a.email),
        [DEE.email],
      );
      assert.deepEqual(peer.updated.map((a) => a.email).sort(), [BOB.email, CY.email]);
      assert.deepEqual(
        stack.agate.pool.list().map((a) => a.email),
        [ADA.email, BOB.email, CY.email, DEE.email],
      );
    });

    it('refuses a file that is not an account list, saying what it expects', async () => {
      stack = await startStack();
      await assert.rejects(stack.agate.pool.importAccounts('{"hello": 1}'), /Expected a JSON array of \{"email", "refresh_token"\}/);
      await assert.rejects(stack.agate.pool.importAccounts('not json'), /not valid JSON/);
    });
  });

  describe('a clear error naming the step that failed', () => {
    const cases: Array<{ step: string; prepare(stack: Stack): void; pattern: RegExp }> = [
      { step: 'token refresh', prepare: (s) => s.sim.revoke(BOB.email), pattern: /^token refresh failed: .*invalid_grant/ },
      {
        step: 'project discovery',
        prepare: (s) => s.sim.injectFault({ kind: 'server_error', status: 500, method: 'loadCodeAssist', times: 2 }),
        pattern: /^project discovery failed: Internal error encountered/,
      },
      {
        step: 'onboarding',
        prepare: (s) => {
          s.sim.addAccount({ ...BOB, onboarded: false });
          s.sim.injectFault({ kind: 'tos_disabled', method: 'onboardUser' });
        },
        pattern: /^onboarding failed: .*Terms of Service/,
      },
      {
        step: 'quota fetch',
        prepare: (s) => s.sim.injectFault({ kind: 'validation_required', method: 'fetchAvailableModels' }),
        pattern: /^quota fetch failed: Verify your account/,
      },
    ];
    for (const { step, prepare, pattern } of cases) {
      it(step, async () => {
        stack = await startStack({ accounts: [ADA], extraSimulatorAccounts: [BOB] });
        prepare(stack);
        const failure = await stack.agate.pool.addByRefreshToken(BOB.refreshToken).then(
          () => assert.fail('the add should fail'),
          (err: unknown) => err,
        );
        assert.ok(failure instanceof AccountSetupError, String(failure));
        assert.equal(failure.step, step);
        assert.match(failure.message, pattern);
        assert.deepEqual(
          stack.agate.pool.list().map((a) => a.email),
          [ADA.email],
          'nothing half-added',
        );
      });
    }

    it('email lookup (userinfo refuses the token)', async () => {
      // The token dies between issue and use: the shared clock moves a minute on as the token endpoint answers
      // (before the gateway can read the answer), so userinfo answers 401.
      stack = await startStack({ accounts: [ADA], extraSimulatorAccounts: [{ ...BOB, accessTokenTtlSec: 30 }] });
      const { sim, clock } = stack;
      const bobTokenIssued = (entry: LogEntry) => entry.label === 'oauth' && entry.method === 'token' && entry.account === BOB.email && entry.status === 200;
      const advanced = sim.waitForLog(bobTokenIssued, 15_000).then(() => clock.advance(60_000));
      await assert.rejects(stack.agate.pool.addByRefreshToken(BOB.refreshToken), (err: unknown) => {
        assert.ok(err instanceof AccountSetupError);
        assert.equal(err.step, 'email lookup');
        assert.match(err.message, /^email lookup failed: Looking up the account email failed \(UNAUTHENTICATED/);
        return true;
      });
      await advanced;
    });

    it('email lookup (the token belongs to another account than the one named)', async () => {
      stack = await startStack({ accounts: [ADA], extraSimulatorAccounts: [BOB] });
      await assert.rejects(stack.agate.pool.addByRefreshToken(BOB.refreshToken, { expectedEmail: ADA.email }), (err: unknown) => {
        assert.ok(err instanceof AccountSetupError);
        assert.equal(err.step, 'email lookup');
        assert.match(err.message, new RegExp(`belongs to ${BOB.email}, not ${ADA.email}`));
        return true;
      });
      const { account } = await stack.agate.pool.addByRefreshToken(BOB.refreshToken, { expectedEmail: BOB.email.toUpperCase() });
      assert.equal(account.email, BOB.email);
    });

    it('a sign-in whose setup fails tells the browser and the host which step failed', async () => {
      stack = await startStack({ accounts: [ADA], extraSimulatorAccounts: [BOB] });
      stack.sim.injectFault({ kind: 'server_error', status: 503, method: 'loadCodeAssist', times: 2 });
      const session = await stack.agate.pool.beginSignIn({ ports: [0], loginHint: BOB.email });
      const browser = await browse(session.authorizeUrl);
      assert.equal(browser.status, 500);
      assert.match(browser.page, /project discovery failed/);
      await assert.rejects(session.completion, /Sign-in failed: project discovery failed/);
      assert.equal(stack.agate.pool.list().length, 1);
    });
  });
});
