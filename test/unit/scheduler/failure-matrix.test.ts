import assert from 'node:assert/strict';
import type { AttemptRecord } from '../../../src/core/dispatch';
import { GatewayError } from '../../../src/core/errors';
import { maskEmail } from '../../../src/core/monitor/mask';
import { DispatchError, NO_ACCOUNT_MESSAGE } from '../../../src/core/scheduler/errors';
import { UpstreamFailure } from '../../../src/core/upstream/failure';
import { chat, collect, fail, harness } from './harness';

const A = 'a@x.com';
const B = 'b@x.com';
const SONNET = 'claude-sonnet-4-6';

const outcomes = (attempts: AttemptRecord[]) => attempts.map((a) => `${a.accountEmail}:${a.outcome}`);

/** Runs `open` expecting a GatewayError, and returns it. */
async function openFails(promise: Promise<unknown>): Promise<DispatchError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof DispatchError, `expected a DispatchError, got ${String(err)}`);
    return err;
  }
  assert.fail('open() should have failed');
}

describe('scheduler failure matrix', () => {
  it('a short 429 is waited out on the same account', async () => {
    const h = await harness({ accounts: [A, B] });
    h.upstream.script(A, fail(new UpstreamFailure('rate_limited', 'slow down', { retryAfterMs: 480 })));
    const run = await h.dispatcher.open(chat('hi'), new AbortController().signal);
    assert.equal(run.accountEmail, A);
    assert.deepEqual(outcomes(run.attempts), [`${A}:rate_limited`, `${A}:ok`]);
    assert.ok(h.clock.sleeps.includes(480));
    assert.equal((await collect(run))[0].type, 'text');
  });

  it('a long 429 cools the account down for that model and switches at once', async () => {
    const h = await harness({ accounts: [A, B] });
    h.upstream.script(A, fail(new UpstreamFailure('rate_limited', 'RATE_LIMIT_EXCEEDED', { retryAfterMs: 30_000 })));
    const started = h.clock.now();
    const run = await h.dispatcher.open(chat('hi'), new AbortController().signal);
    assert.equal(run.accountEmail, B);
    assert.deepEqual(outcomes(run.attempts), [`${A}:rate_limited`, `${B}:ok`]);
    assert.deepEqual(h.clock.sleeps, []);
    const limit = h.pool.get(h.idOf(A))?.models.find((m) => m.id === SONNET)?.limit;
    assert.equal(limit?.kind, 'cooldown');
    assert.equal(limit?.until, started + 30_000);
    // Only that model: A still serves others.
    const flash = await h.dispatcher.open(chat('other', { model: 'gemini-3-flash' }), new AbortController().signal);
    assert.equal(flash.accountEmail, A);
  });

  it('quota exhaustion marks the account until the reset, switches, and refreshes its quota', async () => {
    const h = await harness({ accounts: [A, B] });
    await h.clock.advance(60_000); // the quota fetched at add time is no longer fresh
    const resetAt = h.clock.now() + 3 * 3_600_000;
    h.upstream.script(A, fail(new UpstreamFailure('quota_exhausted', 'QUOTA_EXHAUSTED', { resetAt })));
    const run = await h.dispatcher.open(chat('hi'), new AbortController().signal);
    assert.equal(run.accountEmail, B);
    const limit = h.pool.get(h.idOf(A))?.models.find((m) => m.id === SONNET)?.limit;
    assert.deepEqual([limit?.kind, limit?.until], ['exhausted', resetAt]);
    assert.equal(h.google.calls.filter((c) => c.method === 'fetchAvailableModels' && c.email === A).length, 1);
    // Later requests skip A for this model without trying it.
    const next = await h.dispatcher.open(chat('another conversation'), new AbortController().signal);
    assert.equal(next.accountEmail, B);
    assert.deepEqual(outcomes(next.attempts), [`${B}:ok`]);
  });

  it('capacity errors back off on the same account, then move on', async () => {
    const h = await harness({ accounts: [A, B], scheduling: { capacityRetries: 2 } });
    const busy = () => fail(new UpstreamFailure('capacity', 'No capacity available for model'));
    h.upstream.script(A, busy(), busy(), busy());
    const run = await h.dispatcher.open(chat('hi'), new AbortController().signal);
    assert.deepEqual(outcomes(run.attempts), [`${A}:capacity`, `${A}:capacity`, `${A}:capacity`, `${B}:ok`]);
    // Exponential: base 500 ms × 2^n, jitter factor 1 with random() = 0.5.
    assert.deepEqual(h.clock.sleeps, [500, 1000]);
    assert.equal(h.pool.get(h.idOf(A))?.models.find((m) => m.id === SONNET)?.limit, undefined, 'the model was busy, not the account');
  });

  for (const kind of ['server', 'network', 'timeout'] as const) {
    it(`${kind} failures go to another account at once without marking the first`, async () => {
      const h = await harness({ accounts: [A, B] });
      h.upstream.script(A, fail(new UpstreamFailure(kind, `${kind} trouble`)));
      const run = await h.dispatcher.open(chat('hi'), new AbortController().signal);
      assert.deepEqual(outcomes(run.attempts), [`${A}:${kind}`, `${B}:ok`]);
      assert.deepEqual(h.clock.sleeps, []);
      assert.equal(h.pool.get(h.idOf(A))?.state, 'active');
      assert.equal(h.pool.get(h.idOf(A))?.models.find((m) => m.id === SONNET)?.limit, undefined);
    });
  }

  it('a 401 refreshes the token once and retries the same account', async () => {
    const h = await harness({ accounts: [A, B] });
    h.upstream.script(A, fail(new UpstreamFailure('auth_expired', 'UNAUTHENTICATED', { status: 401 })));
    const run = await h.dispatcher.open(chat('hi'), new AbortController().signal);
    assert.deepEqual(outcomes(run.attempts), [`${A}:auth_expired`, `${A}:ok`]);
    assert.equal(h.google.count('refresh'), 1);
    assert.notEqual(h.upstream.calls[0].call.accessToken, h.upstream.calls[1].call.accessToken);
  });

  it('a 401 with the fresh token too means the account needs re-authentication', async () => {
    const h = await harness({ accounts: [A, B] });
    const expired = () => fail(new UpstreamFailure('auth_expired', 'UNAUTHENTICATED', { status: 401 }));
    h.upstream.script(A, expired(), expired());
    const run = await h.dispatcher.open(chat('hi'), new AbortController().signal);
    assert.deepEqual(outcomes(run.attempts), [`${A}:auth_expired`, `${A}:auth_expired`, `${B}:ok`]);
    assert.equal(h.pool.get(h.idOf(A))?.state, 'needs_reauth');
  });

  it('a revoked refresh token (invalid_grant) marks needs re-auth and switches', async () => {
    const h = await harness({ accounts: [A, B] });
    h.google.revoked.add(A);
    await h.clock.advance(3_600_000); // access tokens from the add have expired
    const run = await h.dispatcher.open(chat('hi'), new AbortController().signal);
    assert.equal(run.accountEmail, B);
    assert.deepEqual(outcomes(run.attempts), [`${A}:auth_revoked`, `${B}:ok`]);
    assert.equal(h.pool.get(h.idOf(A))?.state, 'needs_reauth');
    assert.match(h.pool.get(h.idOf(A))?.stateReason ?? '', /invalid_grant/);
  });

  it('403 VALIDATION_REQUIRED marks the account forbidden with its URL and switches', async () => {
    const h = await harness({ accounts: [A, B] });
    h.upstream.script(
      A,
      fail(new UpstreamFailure('forbidden', 'Verify your account', { reason: 'VALIDATION_REQUIRED', actionUrl: 'https://accounts.google.com/v?x' })),
    );
    const run = await h.dispatcher.open(chat('hi'), new AbortController().signal);
    assert.equal(run.accountEmail, B);
    const a = h.pool.get(h.idOf(A));
    assert.deepEqual([a?.state, a?.actionUrl], ['forbidden', 'https://accounts.google.com/v?x']);
  });

  it('a thought-signature 400 (the upstream has already tried without them) fails the request as invalid', async () => {
    const h = await harness({ accounts: [A, B] });
    h.upstream.script(A, fail(new UpstreamFailure('signature_invalid', 'Corrupted thought signature.')));
    const err = await openFails(h.dispatcher.open(chat('hi'), new AbortController().signal));
    assert.equal(err.kind, 'invalid_request');
    assert.deepEqual(outcomes(err.attempts), [`${A}:signature_invalid`], 'neither retried nor sent to another account');
  });

  it('a 400 fails at once with the upstream message and Google details', async () => {
    const h = await harness({ accounts: [A, B] });
    const details = [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'contents' }] }];
    h.upstream.script(
      A,
      fail(
        new UpstreamFailure('bad_request', 'contents must alternate', {
          status: 400,
          body: { error: { code: 400, message: 'contents must alternate', details } },
        }),
      ),
    );
    const err = await openFails(h.dispatcher.open(chat('hi'), new AbortController().signal));
    assert.equal(err.kind, 'invalid_request');
    assert.equal(err.message, 'contents must alternate');
    assert.deepEqual(err.details, details);
    assert.deepEqual(h.upstream.emails(), [A], 'no other account is tried');
    assert.deepEqual(outcomes(err.attempts), [`${A}:bad_request`]);
  });

  it('a 404 fails at once as not_found', async () => {
    const h = await harness({ accounts: [A, B] });
    h.upstream.script(A, fail(new UpstreamFailure('not_found', 'Requested entity was not found.', { status: 404 })));
    const err = await openFails(h.dispatcher.open(chat('hi'), new AbortController().signal));
    assert.equal(err.kind, 'not_found');
    assert.deepEqual(h.upstream.emails(), [A]);
  });

  it('when every account is limited and the first comes back within the wait limit, waits for it', async () => {
    const h = await harness({ accounts: [A, B] });
    h.upstream.script(A, fail(new UpstreamFailure('rate_limited', 'RATE_LIMIT_EXCEEDED', { retryAfterMs: 20_000 })));
    h.upstream.script(B, fail(new UpstreamFailure('rate_limited', 'RATE_LIMIT_EXCEEDED', { retryAfterMs: 40_000 })));
    const run = await h.dispatcher.open(chat('hi'), new AbortController().signal);
    assert.equal(run.accountEmail, A);
    assert.deepEqual(outcomes(run.attempts), [`${A}:rate_limited`, `${B}:rate_limited`, `${A}:ok`]);
    assert.deepEqual(h.clock.sleeps, [20_000]);
  });

  it('when every account is limited for longer than the wait limit, answers 429 with retry-after', async () => {
    const h = await harness({ accounts: [A, B] });
    for (const email of [A, B]) {
      h.upstream.script(email, fail(new UpstreamFailure('quota_exhausted', 'QUOTA_EXHAUSTED', { retryAfterMs: 300_000 })));
    }
    const err = await openFails(h.dispatcher.open(chat('hi'), new AbortController().signal));
    assert.equal(err.kind, 'rate_limit');
    assert.equal(err.retryAfterSeconds, 300);
    assert.deepEqual(h.clock.sleeps, []);
  });

  it('with no account at all, says how to add one', async () => {
    const h = await harness({ accounts: [] });
    const err = await openFails(h.dispatcher.open(chat('hi'), new AbortController().signal));
    assert.equal(err.kind, 'unavailable');
    assert.equal(err.message, NO_ACCOUNT_MESSAGE);
  });

  it('with no usable account, says why without naming the accounts (their emails go to the log, masked)', async () => {
    const h = await harness({ accounts: [A, B] });
    await h.pool.disable(h.idOf(A));
    h.pool.markNeedsReauth(h.idOf(B), 'invalid_grant');
    const err = await openFails(h.dispatcher.open(chat('hi'), new AbortController().signal));
    assert.equal(err.kind, 'unavailable');
    assert.equal(
      err.message,
      `No usable Google account for ${SONNET}: 1 disabled; 1 must sign in again (invalid_grant). The dashboard or "agate accounts list" shows which.`,
    );
    for (const email of [A, B]) assert.ok(!err.message.includes(email) && !err.message.includes(maskEmail(email)), `the client error names ${email}`);
    const logged = h.logs.find((line) => line.includes('no usable account'));
    assert.ok(logged, 'the details are logged');
    assert.ok(logged.includes(maskEmail(A)) && logged.includes(maskEmail(B)), logged);
    assert.ok(!logged.includes(A) && !logged.includes(B), 'the log masks the emails');
  });

  it('gives up after maxAttempts with the last failure', async () => {
    const emails = ['1@x.com', '2@x.com', '3@x.com', '4@x.com'];
    const h = await harness({ accounts: emails, scheduling: { maxAttempts: 3 } });
    for (const email of emails) h.upstream.script(email, fail(new UpstreamFailure('server', 'Cloud Code answered 500')));
    const err = await openFails(h.dispatcher.open(chat('hi'), new AbortController().signal));
    assert.equal(err.kind, 'bad_gateway');
    assert.equal(err.message, 'Cloud Code answered 500 (gave up after 3 attempts)');
    assert.equal(err.attempts.length, 3);
  });

  it('when transient failures have put every account out, a new round starts after a backoff', async () => {
    const h = await harness({ accounts: [A, B] });
    for (const email of [A, B]) h.upstream.script(email, fail(new UpstreamFailure('server', `500 on ${email}`)));
    const run = await h.dispatcher.open(chat('hi'), new AbortController().signal);
    assert.deepEqual(outcomes(run.attempts), [`${A}:server`, `${B}:server`, `${A}:ok`]);
    assert.equal(h.clock.sleeps.length, 1);
    assert.ok(h.clock.sleeps[0] > 0);
  });

  it('server errors that last end in a 502 with the last message once the attempts run out', async () => {
    const h = await harness({ accounts: [A, B], scheduling: { maxAttempts: 4 } });
    for (const email of [A, B]) {
      for (let i = 0; i < 2; i++) h.upstream.script(email, fail(new UpstreamFailure('server', `500 on ${email}`)));
    }
    const err = await openFails(h.dispatcher.open(chat('hi'), new AbortController().signal));
    assert.equal(err.kind, 'bad_gateway');
    assert.equal(err.message, `500 on ${B} (gave up after 4 attempts)`);
    assert.deepEqual(outcomes(err.attempts), [`${A}:server`, `${B}:server`, `${A}:server`, `${B}:server`]);
  });

  it('a wait that would overrun the retry budget fails instead of sleeping', async () => {
    const h = await harness({ accounts: [A], scheduling: { retryBudgetMs: 10_000 } });
    h.upstream.script(A, fail(new UpstreamFailure('rate_limited', 'RATE_LIMIT_EXCEEDED', { retryAfterMs: 20_000 })));
    const err = await openFails(h.dispatcher.open(chat('hi'), new AbortController().signal));
    assert.equal(err.kind, 'rate_limit');
    assert.equal(err.retryAfterSeconds, 20);
    assert.deepEqual(h.clock.sleeps, []);
  });

  it('after the first event there is no retry: a failure surfaces from the events', async () => {
    const h = await harness({ accounts: [A, B] });
    h.upstream.script(A, { kind: 'break', failure: new UpstreamFailure('network', 'connection reset') });
    const run = await h.dispatcher.open(chat('hi'), new AbortController().signal);
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const event of run.events) seen.push(event.type);
      })(),
      (err: unknown) => {
        assert.ok(err instanceof DispatchError);
        assert.equal(err.kind, 'bad_gateway');
        assert.match(err.message, /broke off: connection reset/);
        assert.deepEqual(outcomes(err.attempts), [`${A}:network`]);
        return true;
      },
    );
    assert.deepEqual(seen, ['text']);
    assert.deepEqual(h.upstream.emails(), [A]);
  });

  it('records the host, model and timing of each attempt', async () => {
    const h = await harness({ accounts: [A, B] });
    h.upstream.script(A, fail(new UpstreamFailure('server', 'boom')));
    const run = await h.dispatcher.open(chat('hi'), new AbortController().signal);
    assert.deepEqual(
      run.attempts.map((a) => ({ id: a.accountId, model: a.model, host: a.host, outcome: a.outcome, message: a.message })),
      [
        { id: h.idOf(A), model: SONNET, host: 'https://daily.test', outcome: 'server', message: 'boom' },
        { id: h.idOf(B), model: SONNET, host: 'https://daily.test', outcome: 'ok', message: undefined },
      ],
    );
  });

  it('a client that goes away stops the attempt and frees the slot', async () => {
    const h = await harness({ accounts: [A], scheduling: { perAccountConcurrency: 1 }, clock: 'manual' });
    h.upstream.script(A, { kind: 'hang' });
    const controller = new AbortController();
    const pending = h.dispatcher.open(chat('hi'), controller.signal);
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new Error('client disconnected'));
    const err = await openFails(pending);
    assert.deepEqual(outcomes(err.attempts), [`${A}:aborted`]);
    const next = await h.dispatcher.open(chat('again'), new AbortController().signal);
    assert.equal(next.accountEmail, A);
  });

  it('errors are GatewayErrors the codecs can render', async () => {
    const h = await harness({ accounts: [] });
    const err = await openFails(h.dispatcher.open(chat('hi'), new AbortController().signal));
    assert.ok(err instanceof GatewayError);
    assert.equal(err.status, 503);
  });
});
