/**
 * The failure matrix of issue 4 over HTTP: each upstream answer the simulator
 * can fake, driven through the real Anthropic and OpenAI SDKs, with what the
 * client saw and what the upstream saw (which account, which host, how many tries).
 */
import assert from 'node:assert/strict';
import { startStack, type Stack, type StackOptions } from '../../helpers/stack';
import { ADA, ask, BOB, DEFAULT_MODELS, echoOf, generations, logMark, trail, viewOf, type SdkProtocol } from './clients';

const PROTOCOLS: SdkProtocol[] = ['anthropic', 'openai'];

async function twoAccounts(options: StackOptions = {}): Promise<Stack> {
  return startStack({ accounts: [ADA, BOB], ...options, flags: { 'scheduling.mode': 'balance', ...options.flags } });
}

/** The account the pool tries first for a fresh conversation: ada (same tier and priority, added first). */
const FIRST = ADA.email;
const SECOND = BOB.email;

for (const protocol of PROTOCOLS) {
  const model = DEFAULT_MODELS[protocol];

  describe(`failure matrix over ${protocol}`, function () {
    let stack: Stack;
    afterEach(() => stack?.close());

    it('429 with a short retry delay: waits and retries the same account', async () => {
      stack = await twoAccounts();
      stack.sim.injectFault({ kind: 'rate_limited', retryDelayMs: 150 });
      const answer = await ask(protocol, stack, { text: 'short limit' });
      assert.equal(answer.error, undefined);
      assert.equal(answer.text, echoOf(model, 'short limit'));
      assert.ok(stack.clock.sleeps.includes(150), `the retry waited for the delay the 429 asked for: ${stack.clock.sleeps}`);
      assert.deepEqual(trail(generations(stack.sim)), [
        { account: FIRST, host: 'daily', status: 429, fault: 'rate_limited' },
        { account: FIRST, host: 'daily', status: 200 },
      ]);
      assert.equal(viewOf(stack, FIRST).models.find((m) => m.id === model)?.limit, undefined);
    });

    it('429 with a long retry delay: cools the account down for that model and moves on at once', async () => {
      stack = await twoAccounts();
      stack.sim.injectFault({ kind: 'rate_limited', retryDelayMs: 60_000 });
      const answer = await ask(protocol, stack, { text: 'long limit', stream: true });
      assert.equal(answer.error, undefined);
      assert.equal(answer.text, echoOf(model, 'long limit'));
      assert.deepEqual(trail(generations(stack.sim)), [
        { account: FIRST, host: 'daily', status: 429, fault: 'rate_limited' },
        { account: SECOND, host: 'daily', status: 200 },
      ]);
      const limit = viewOf(stack, FIRST).models.find((m) => m.id === model)?.limit;
      assert.equal(limit?.kind, 'cooldown');
      assert.ok(limit!.until > Date.now() + 50_000);
      // Other models of that account are not affected.
      const other = protocol === 'anthropic' ? DEFAULT_MODELS.openai : DEFAULT_MODELS.anthropic;
      assert.equal(viewOf(stack, FIRST).models.find((m) => m.id === other)?.limit, undefined);
    });

    it('429 QUOTA_EXHAUSTED: marks the account exhausted for the model until the reset, uses the next, refreshes quota', async () => {
      stack = await twoAccounts();
      stack.sim.injectFault({ kind: 'quota_exhausted', resetInMs: 2 * 3600_000 });
      const mark = logMark(stack.sim);
      const answer = await ask(protocol, stack, { text: 'quota gone' });
      assert.equal(answer.text, echoOf(model, 'quota gone'));
      assert.deepEqual(trail(generations(stack.sim, mark)), [
        { account: FIRST, host: 'daily', status: 429, fault: 'quota_exhausted' },
        { account: SECOND, host: 'daily', status: 200 },
      ]);
      const limit = viewOf(stack, FIRST).models.find((m) => m.id === model)?.limit;
      assert.equal(limit?.kind, 'exhausted');
      assert.ok(Math.abs(limit!.until - (Date.now() + 2 * 3600_000)) < 5_000, 'until the quotaResetTimeStamp');
      await stack.sim.waitForLog((e) => e.id > mark && e.method === 'fetchAvailableModels' && e.account === FIRST, 2_000);
      // The next request for that model does not even try the exhausted account.
      const next = logMark(stack.sim);
      await ask(protocol, stack, { text: 'quota gone again' });
      assert.deepEqual(trail(generations(stack.sim, next)), [{ account: SECOND, host: 'daily', status: 200 }]);
    });

    it('500 on the first host: the next host answers, same account', async () => {
      stack = await twoAccounts();
      stack.sim.injectFault({ kind: 'server_error', status: 500, host: 'daily' });
      const answer = await ask(protocol, stack, { text: 'host down', stream: true });
      assert.equal(answer.text, echoOf(model, 'host down'));
      assert.deepEqual(trail(generations(stack.sim)), [
        { account: FIRST, host: 'daily', status: 500, fault: 'server_error' },
        { account: FIRST, host: 'prod', status: 200 },
      ]);
    });

    it('5xx on every host of one account: another account, without marking the first', async () => {
      stack = await twoAccounts();
      stack.sim.injectFault({ kind: 'server_error', status: 502, account: FIRST, times: 2 });
      const answer = await ask(protocol, stack, { text: 'all hosts down' });
      assert.equal(answer.text, echoOf(model, 'all hosts down'));
      assert.deepEqual(trail(generations(stack.sim)), [
        { account: FIRST, host: 'daily', status: 502, fault: 'server_error' },
        { account: FIRST, host: 'prod', status: 502, fault: 'server_error' },
        { account: SECOND, host: 'daily', status: 200 },
      ]);
      assert.equal(viewOf(stack, FIRST).state, 'active');
      assert.equal(viewOf(stack, FIRST).models.find((m) => m.id === model)?.limit, undefined);
    });

    it('503 capacity on both hosts: backs off and retries the same account', async () => {
      stack = await twoAccounts();
      stack.sim.injectFault({ kind: 'capacity', times: 2 });
      const answer = await ask(protocol, stack, { text: 'busy model' });
      assert.equal(answer.text, echoOf(model, 'busy model'));
      assert.deepEqual(trail(generations(stack.sim)), [
        { account: FIRST, host: 'daily', status: 503, fault: 'capacity' },
        { account: FIRST, host: 'prod', status: 503, fault: 'capacity' },
        { account: FIRST, host: 'daily', status: 200 },
      ]);
    });

    it('503 capacity that persists: after the capacity retries, another account', async () => {
      stack = await twoAccounts({ flags: { 'scheduling.capacityRetries': '1' } });
      stack.sim.injectFault({ kind: 'capacity', account: FIRST, times: Infinity });
      const answer = await ask(protocol, stack, { text: 'still busy', stream: true });
      assert.equal(answer.text, echoOf(model, 'still busy'));
      const seen = trail(generations(stack.sim));
      assert.deepEqual(
        seen.map((e) => e.account),
        [FIRST, FIRST, FIRST, FIRST, SECOND],
      );
      assert.deepEqual(seen.at(-1), { account: SECOND, host: 'daily', status: 200 });
    });

    it('401: refreshes the access token once and retries the same account', async () => {
      stack = await twoAccounts();
      stack.sim.injectFault({ kind: 'unauthorized' });
      const mark = logMark(stack.sim);
      const answer = await ask(protocol, stack, { text: 'stale token' });
      assert.equal(answer.text, echoOf(model, 'stale token'));
      assert.deepEqual(trail(generations(stack.sim, mark)), [
        { account: FIRST, host: 'daily', status: 401, fault: 'unauthorized' },
        { account: FIRST, host: 'daily', status: 200 },
      ]);
      const refreshes = stack.sim.log.filter((e) => e.id > mark && e.label === 'oauth' && e.method === 'token');
      assert.deepEqual(
        refreshes.map((e) => [e.account, e.status]),
        [[FIRST, 200]],
      );
      assert.equal(viewOf(stack, FIRST).state, 'active');
    });

    it('invalid_grant on refresh: the account needs re-auth and the next one answers', async () => {
      stack = await twoAccounts();
      stack.sim.revoke(FIRST); // its refresh token answers invalid_grant, its access tokens die
      const answer = await ask(protocol, stack, { text: 'revoked', stream: true });
      assert.equal(answer.error, undefined);
      assert.equal(answer.text, echoOf(model, 'revoked'));
      // The dead access token is nobody's any more (account unknown); the refresh then answers invalid_grant.
      assert.deepEqual(
        trail(generations(stack.sim)).map((e) => [e.account, e.status]),
        [
          [undefined, 401],
          [SECOND, 200],
        ],
      );
      const refreshes = stack.sim.log.filter((e) => e.label === 'oauth' && e.method === 'token' && e.status === 400);
      assert.equal(refreshes.length, 1);
      const view = viewOf(stack, FIRST);
      assert.equal(view.state, 'needs_reauth');
      assert.match(view.stateReason ?? '', /invalid_grant/);
      assert.equal(view.usable, false);
      // Kept out from now on: no more tries on it.
      const mark = logMark(stack.sim);
      await ask(protocol, stack, { text: 'revoked again' });
      assert.deepEqual(
        trail(generations(stack.sim, mark)).map((e) => e.account),
        [SECOND],
      );
    });

    it('403 VALIDATION_REQUIRED: the account is forbidden with the URL kept, the next one answers', async () => {
      stack = await twoAccounts();
      const url = 'https://accounts.google.com/signin/continue?plt=pool-test';
      stack.sim.injectFault({ kind: 'validation_required', url });
      const answer = await ask(protocol, stack, { text: 'verify me' });
      assert.equal(answer.text, echoOf(model, 'verify me'));
      assert.deepEqual(
        trail(generations(stack.sim)).map((e) => [e.account, e.status]),
        [
          [FIRST, 403],
          [SECOND, 200],
        ],
      );
      const view = viewOf(stack, FIRST);
      assert.equal(view.state, 'forbidden');
      assert.equal(view.actionUrl, url);
      assert.match(view.stateReason ?? '', /Verify your account/);
    });

    it('403 ToS disabled: forbidden with the reason', async () => {
      stack = await twoAccounts();
      stack.sim.injectFault({ kind: 'tos_disabled' });
      const answer = await ask(protocol, stack, { text: 'tos' });
      assert.equal(answer.text, echoOf(model, 'tos'));
      const view = viewOf(stack, FIRST);
      assert.equal(view.state, 'forbidden');
      assert.match(view.stateReason ?? '', /Terms of Service/);
    });

    it('400 thought-signature error: retried once without the stale signatures', async () => {
      stack = await twoAccounts();
      stack.sim.injectFault({ kind: 'bad_request', message: 'Invalid `signature` in `thinking` block.' });
      const answer = await ask(protocol, stack, { text: 'stale signature' });
      assert.equal(answer.text, echoOf(model, 'stale signature'));
      assert.deepEqual(trail(generations(stack.sim)), [
        { account: FIRST, host: 'daily', status: 400, fault: 'bad_request' },
        { account: FIRST, host: 'daily', status: 200 },
      ]);
    });

    it('every account cooling down briefly: waits for the first to come back instead of failing', async () => {
      stack = await twoAccounts({ flags: { 'scheduling.retrySameAccountMaxDelayMs': '100' } });
      stack.sim.injectFault({ kind: 'rate_limited', retryDelayMs: 1_000, times: 2 });
      const answer = await ask(protocol, stack, { text: 'wait for reset' });
      assert.equal(answer.error, undefined);
      assert.equal(answer.text, echoOf(model, 'wait for reset'));
      assert.ok(
        stack.clock.sleeps.some((ms) => ms > 0 && ms <= 1_000),
        `waited for the first reset: ${stack.clock.sleeps}`,
      );
      assert.deepEqual(
        trail(generations(stack.sim)).map((e) => [e.account, e.status]),
        [
          [FIRST, 429],
          [SECOND, 429],
          [FIRST, 200],
        ],
      );
    });

    it('any other 400: fails at once with the upstream message, no other account tried', async () => {
      stack = await twoAccounts();
      stack.sim.injectFault({ kind: 'bad_request', message: 'Request contains an invalid argument: pool-test.', times: Infinity });
      const answer = await ask(protocol, stack, { text: 'bad' });
      assert.equal(answer.error?.status, 400);
      assert.equal(answer.error?.type, 'invalid_request_error');
      assert.match(answer.error?.message ?? '', /pool-test/);
      assert.equal(generations(stack.sim).length, 1);
    });

    it('every account exhausted: a 429 in the client’s shape with retry-after', async () => {
      stack = await twoAccounts();
      stack.sim.injectFault({ kind: 'quota_exhausted', resetInMs: 3 * 3600_000, times: Infinity });
      const answer = await ask(protocol, stack, { text: 'nothing left' });
      assert.equal(answer.error?.status, 429);
      assert.equal(answer.error?.type, protocol === 'anthropic' ? 'rate_limit_error' : 'requests');
      const retryAfter = Number(answer.error?.headers?.['retry-after']);
      assert.ok(retryAfter > 3 * 3600 - 60 && retryAfter <= 3 * 3600 + 1, `retry-after ${retryAfter}`);
      assert.deepEqual(
        trail(generations(stack.sim)).map((e) => e.account),
        [FIRST, SECOND],
      );
      // Both marked: the next request fails at once, without an upstream call.
      const mark = logMark(stack.sim);
      const again = await ask(protocol, stack, { text: 'nothing left', stream: true });
      assert.equal(again.error?.status, 429);
      assert.ok(Number(again.error?.headers?.['retry-after']) > 3 * 3600 - 60);
      assert.equal(generations(stack.sim, mark).length, 0);
    });

    it('a connection reset before the first byte is retried transparently', async () => {
      stack = await twoAccounts();
      stack.sim.injectFault({ kind: 'reset_after', frames: 0 });
      const answer = await ask(protocol, stack, { text: 'reset early', stream: true });
      assert.equal(answer.error, undefined);
      assert.equal(answer.text, echoOf(model, 'reset early'));
      assert.deepEqual(
        trail(generations(stack.sim)).map((e) => [e.account, e.host, e.fault]),
        [
          [FIRST, 'daily', 'reset_after'],
          [FIRST, 'prod', undefined],
        ],
      );
    });

    it('a hang before the first byte: first-byte timeout, then another account', async () => {
      stack = await twoAccounts({ flags: { 'upstream.firstByteTimeoutMs': '300' } });
      stack.sim.injectFault({ kind: 'hang' });
      const answer = await ask(protocol, stack, { text: 'hang early', stream: true });
      assert.equal(answer.error, undefined);
      assert.equal(answer.text, echoOf(model, 'hang early'));
      const seen = generations(stack.sim);
      assert.deepEqual(
        trail(seen).map((e) => [e.account, e.fault]),
        [
          [FIRST, 'hang'],
          [SECOND, undefined],
        ],
      );
      assert.equal(seen[0].aborted, true, 'the hung request was cancelled upstream');
    });

    it('a reset after bytes were streamed: a clean error event, no retry and no duplicate text', async () => {
      stack = await twoAccounts({ simulator: { framesPerAnswer: 6 } });
      stack.sim.injectFault({ kind: 'reset_after', frames: 2 });
      // A model without thought frames: the frames before the cut carry answer text.
      const answer = await ask(protocol, stack, { text: 'broken stream', stream: true, model: 'claude-sonnet-4-6' });
      const full = echoOf('claude-sonnet-4-6', 'broken stream');
      assert.ok(answer.error, 'the stream ended with an error');
      assert.match(answer.error.message, /broke off/);
      assert.ok(answer.text.length > 0 && answer.text.length < full.length, `partial text: ${answer.text}`);
      assert.ok(full.startsWith(answer.text), 'the text sent is a prefix of the answer, nothing repeated');
      assert.equal(generations(stack.sim).length, 1, 'no retry after the first byte');
    });
  });
}

describe('failure matrix: a reset after bytes, non-streaming client', () => {
  it('is retried, since nothing reached the client yet', async () => {
    const stack = await startStack({ accounts: [ADA, BOB], simulator: { framesPerAnswer: 6 } });
    try {
      stack.sim.injectFault({ kind: 'reset_after', frames: 2 });
      const answer = await ask('anthropic', stack, { text: 'whole answer please' });
      assert.equal(answer.error, undefined, JSON.stringify(answer.error));
      assert.equal(answer.text, echoOf(DEFAULT_MODELS.anthropic, 'whole answer please'));
      // A non-thinking request of a non-streaming client is one unary generateContent call: the reset cuts it
      // before its answer, which the next host serves (a stream cut after its first frames would switch accounts).
      assert.deepEqual(
        generations(stack.sim).map((e) => [e.account, e.label, e.method, e.fault]),
        [
          [FIRST, 'daily', 'generateContent', 'reset_after'],
          [FIRST, 'prod', 'generateContent', undefined],
        ],
      );
    } finally {
      await stack.close();
    }
  });
});
