// The attempt trail: one entry per upstream call, each with what the scheduler did next; and the
// transient-error retry budget, which ends a run of 5xx within its deadline whatever maxAttempts allows.
import assert from 'node:assert/strict';
import type { AttemptRecord } from '../../../src/core/dispatch';
import { DispatchError } from '../../../src/core/scheduler/errors';
import { createDispatcher } from '../../../src/core/scheduler/dispatcher';
import { UpstreamFailure } from '../../../src/core/upstream/failure';
import type { UpstreamCall } from '../../../src/core/upstream/upstream';
import { chat, fail, harness } from './harness';

const A = 'a@x.com';
const B = 'b@x.com';

async function openFails(promise: Promise<unknown>): Promise<DispatchError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof DispatchError, `expected a DispatchError, got ${String(err)}`);
    return err;
  }
  assert.fail('open() should have failed');
}

const steps = (attempts: AttemptRecord[]) => attempts.map((a) => [a.accountEmail, a.outcome, a.next?.action ?? '-', a.next?.waitMs ?? 0].join(' '));

describe('scheduler attempt trail', () => {
  it('says after each failed attempt what came next: retry, switch, give up', async () => {
    const h = await harness({ accounts: [A, B], scheduling: { capacityRetries: 1 } });
    h.upstream.script(A, fail(new UpstreamFailure('capacity', 'No capacity', { status: 503, reason: 'MODEL_CAPACITY_EXHAUSTED' })));
    h.upstream.script(A, fail(new UpstreamFailure('capacity', 'No capacity', { status: 503 })));
    h.upstream.script(B, fail(new UpstreamFailure('quota_exhausted', 'QUOTA_EXHAUSTED', { status: 429, resetAt: h.clock.now() + 3_600_000 })));
    const err = await openFails(h.dispatcher.open(chat('hi'), new AbortController().signal));
    assert.deepEqual(steps(err.attempts), [`${A} capacity retry 500`, `${A} capacity switch 0`, `${B} quota_exhausted give-up 0`]);
    assert.equal(err.attempts[0].status, 503);
    assert.equal(err.attempts[0].reason, 'MODEL_CAPACITY_EXHAUSTED');
    assert.match(err.attempts[1].next?.note ?? '', /sits out/);
    assert.match(err.attempts[2].next?.note ?? '', /rate-limited .* free in 3600 s/);
  });

  it('a cooled-down account is switched away from, with its cooldown in the note', async () => {
    const h = await harness({ accounts: [A, B] });
    h.upstream.script(A, fail(new UpstreamFailure('rate_limited', 'RATE_LIMIT_EXCEEDED', { retryAfterMs: 30_000 })));
    const run = await h.dispatcher.open(chat('hi'), new AbortController().signal);
    assert.deepEqual(steps(run.attempts), [`${A} rate_limited switch 0`, `${B} ok - 0`]);
    assert.equal(run.attempts[0].next?.note, 'cooling down for 30 s');
  });

  it('a failure after every attempt lists them all, each with its decision, the last one giving up', async () => {
    const h = await harness({ accounts: [A, B], scheduling: { maxAttempts: 8 } });
    const server = () => fail(new UpstreamFailure('server', 'Internal error', { status: 500 }));
    h.upstream.script(A, ...Array.from({ length: 8 }, server));
    h.upstream.script(B, ...Array.from({ length: 8 }, server));
    const err = await openFails(h.dispatcher.open(chat('hi'), new AbortController().signal));
    assert.equal(err.attempts.length, h.upstream.calls.length);
    assert.ok(err.attempts.length >= 2);
    assert.ok(err.attempts.slice(0, -1).every((a) => a.next && a.next.action !== 'give-up'));
    assert.equal(err.attempts.at(-1)?.next?.action, 'give-up');
    assert.ok(err.attempts.every((a) => a.status === 500));
  });

  it('gives one entry per Cloud Code host when a call fell back from one host to the next', async () => {
    const h = await harness({ accounts: [A] });
    const hosts = new WeakMap<UpstreamCall, Array<{ host: string; status?: number; outcome: string; durationMs: number; message?: string }>>();
    const upstream = h.upstream as unknown as { hostAttempts(call: UpstreamCall): unknown };
    upstream.hostAttempts = (call) => hosts.get(call) ?? [];
    const generate = h.upstream.generate.bind(h.upstream);
    h.upstream.generate = (request, call) => {
      hosts.set(call, [
        { host: 'https://daily.test', status: 503, outcome: 'server', durationMs: 0, message: 'daily is down' },
        { host: 'https://prod.test', status: 200, outcome: 'ok', durationMs: 0 },
      ]);
      return generate(request, call);
    };
    // A fresh dispatcher sees the upstream's hostAttempts.
    const dispatcher = createDispatcher({ accounts: h.pool, upstream: h.upstream, settings: () => h.settings, clock: h.clock, random: () => 0.5 });
    const run = await dispatcher.open(chat('hi'), new AbortController().signal);
    assert.deepEqual(
      run.attempts.map((a) => [a.host, a.status, a.outcome, a.next?.action ?? '-']),
      [
        ['https://daily.test', 503, 'server', 'fall-back'],
        ['https://prod.test', 200, 'ok', '-'],
      ],
    );
    assert.equal(run.attempts[0].message, 'daily is down');
  });

  it('ends a run of server errors within transientRetryBudgetMs, however many attempts are left', async () => {
    const h = await harness({ accounts: [A], scheduling: { maxAttempts: 100, retryBudgetMs: 300_000, transientRetryBudgetMs: 20_000 } });
    h.upstream.script(A, ...Array.from({ length: 100 }, () => fail(new UpstreamFailure('server', 'Internal error', { status: 500 }))));
    const started = h.clock.now();
    const waits: number[] = [];
    const err = await openFails(h.dispatcher.open(chat('hi'), new AbortController().signal, { onWaiting: () => waits.push(h.clock.now()) }));
    assert.ok(h.clock.now() - started <= 20_000, `took ${h.clock.now() - started} ms of the clock`);
    assert.ok(h.upstream.calls.length > 1 && h.upstream.calls.length < 100, `${h.upstream.calls.length} calls`);
    assert.equal(err.status, 502);
    assert.match(err.message, /stopped retrying after 20 s of upstream errors/);
    assert.ok(waits.length > 0, 'the client was told it is being kept waiting');
    assert.match(err.attempts.at(-1)?.next?.note ?? '', /stopped retrying/);
  });

  it('time spent waiting out a rate limit does not count against the transient budget', async () => {
    const h = await harness({
      accounts: [A],
      scheduling: { transientRetryBudgetMs: 5_000, retrySameAccountMaxDelayMs: 10_000, retryBudgetMs: 300_000 },
    });
    h.upstream.script(
      A,
      fail(new UpstreamFailure('rate_limited', 'RATE_LIMIT_EXCEEDED', { retryAfterMs: 8_000 })),
      fail(new UpstreamFailure('capacity', 'No capacity', { status: 503 })),
    );
    const run = await h.dispatcher.open(chat('hi'), new AbortController().signal);
    assert.deepEqual(steps(run.attempts), [`${A} rate_limited retry 8000`, `${A} capacity retry 500`, `${A} ok - 0`]);
  });
});
