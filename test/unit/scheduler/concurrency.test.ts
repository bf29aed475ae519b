import assert from 'node:assert/strict';
import type { GenerationRun } from '../../../src/core/dispatch';
import { DispatchError } from '../../../src/core/scheduler/errors';
import { settle } from '../accounts/fakes';
import { chat, collect, harness } from './harness';

const A = 'a@x.com';
const B = 'b@x.com';
const signal = () => new AbortController().signal;

/** Whether `promise` has settled, without waiting for it. */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await settle();
  return done;
}

describe('concurrency limits and the queue', () => {
  it('a request over the per-account limit waits for a slot and runs when one frees up', async () => {
    const h = await harness({ accounts: [A], scheduling: { perAccountConcurrency: 1, queueTimeoutMs: 30_000 }, clock: 'manual' });
    const first = await h.dispatcher.open(chat('one'), signal());
    const second = h.dispatcher.open(chat('two'), signal());
    assert.equal(await isSettled(second), false, 'queued behind the first');
    assert.equal(h.upstream.calls.length, 1);
    await collect(first); // the first answer ends: its slot frees
    const run = await second;
    assert.equal(run.accountEmail, A);
    assert.equal(h.upstream.calls.length, 2);
  });

  it('a queued request fails as overloaded after queueTimeoutMs', async () => {
    const h = await harness({ accounts: [A], scheduling: { perAccountConcurrency: 1, queueTimeoutMs: 30_000 }, clock: 'manual' });
    const first = await h.dispatcher.open(chat('one'), signal());
    const second = h.dispatcher.open(chat('two'), signal());
    await h.clock.advance(29_000);
    assert.equal(await isSettled(second), false);
    await h.clock.advance(1_000);
    await assert.rejects(
      second,
      (err: unknown) => err instanceof DispatchError && err.kind === 'overloaded' && /no slot freed up within 30 s/.test(err.message),
    );
    await collect(first);
  });

  it('a full account is passed over for a free one without queueing', async () => {
    const h = await harness({ accounts: [A, B], scheduling: { perAccountConcurrency: 1 }, clock: 'manual' });
    const first = await h.dispatcher.open(chat('same conversation'), signal());
    const second = await h.dispatcher.open(chat('same conversation'), signal());
    assert.deepEqual([first.accountEmail, second.accountEmail], [A, B]);
  });

  it('the per-model limit applies per account and model, leaving other models free', async () => {
    const h = await harness({ accounts: [A], scheduling: { perModelConcurrency: 1, queueTimeoutMs: 1_000 }, clock: 'manual' });
    const sonnet = await h.dispatcher.open(chat('one'), signal());
    const flash = await h.dispatcher.open(chat('two', { model: 'gemini-3-flash' }), signal());
    assert.equal(flash.upstreamModel, 'gemini-3-flash');
    const secondSonnet = h.dispatcher.open(chat('three'), signal());
    assert.equal(await isSettled(secondSonnet), false);
    await collect(sonnet);
    assert.equal((await secondSonnet).upstreamModel, 'claude-sonnet-4-6');
    await collect(flash);
  });

  it('an abandoned stream frees its slot as soon as the client goes away', async () => {
    const h = await harness({ accounts: [A], scheduling: { perAccountConcurrency: 1 }, clock: 'manual' });
    const controller = new AbortController();
    await h.dispatcher.open(chat('one'), controller.signal); // never consumed
    controller.abort(new Error('client disconnected'));
    const next = await h.dispatcher.open(chat('two'), signal());
    assert.equal(next.accountEmail, A);
  });

  it('a consumer that stops reading early frees the slot', async () => {
    const h = await harness({ accounts: [A], scheduling: { perAccountConcurrency: 1 }, clock: 'manual' });
    const first: GenerationRun = await h.dispatcher.open(chat('one'), signal());
    for await (const event of first.events) {
      assert.equal(event.type, 'text');
      break;
    }
    assert.equal((await h.dispatcher.open(chat('two'), signal())).accountEmail, A);
  });

  it('a queued request whose client leaves stops waiting', async () => {
    const h = await harness({ accounts: [A], scheduling: { perAccountConcurrency: 1, queueTimeoutMs: 30_000 }, clock: 'manual' });
    const first = await h.dispatcher.open(chat('one'), signal());
    const controller = new AbortController();
    const second = h.dispatcher.open(chat('two'), controller.signal);
    await settle();
    controller.abort(new Error('client disconnected'));
    await assert.rejects(second, (err: unknown) => err instanceof DispatchError && /went away/.test(err.message));
    assert.equal(h.clock.pendingTimers, 0, 'the queue timer is gone');
    await collect(first);
  });
});
