import assert from 'node:assert/strict';
import { UpstreamFailure } from '../../../src/core/upstream/failure';
import { chat, collect, fail, harness } from './harness';

const A = 'a@x.com';
const B = 'b@x.com';
const SONNET = 'claude-sonnet-4-6';
const signal = () => new AbortController().signal;

/** Opens and drains one turn; returns the account's email. */
async function turn(h: Awaited<ReturnType<typeof harness>>, text: string, sessionKey?: string): Promise<string> {
  const run = await h.dispatcher.open(chat(text, sessionKey ? { sessionKey } : {}), signal());
  await collect(run);
  return run.accountEmail;
}

describe('scheduling modes and sticky conversations', () => {
  it('cache-first keeps a conversation on its account while new conversations spread out', async () => {
    const h = await harness({ accounts: [A, B], scheduling: { mode: 'cache-first' } });
    assert.equal(await turn(h, 'first conversation'), A);
    assert.equal(await turn(h, 'second conversation'), B);
    assert.equal(await turn(h, 'first conversation'), A);
    assert.equal(await turn(h, 'first conversation'), A);
    assert.equal(await turn(h, 'second conversation'), B);
  });

  it('the client session key wins over the text hash, and the upstream gets the conversation it names', async () => {
    const h = await harness({ accounts: [A, B] });
    assert.equal(await turn(h, 'hello', 'session-1'), A);
    assert.equal(await turn(h, 'a different first message', 'session-1'), A);
    const conversations = h.upstream.calls.map((c) => c.call.conversation);
    assert.deepEqual(conversations, ['session:session-1', 'session:session-1']);
  });

  it('cache-first waits for its account when the cooldown ends within stickyWaitMs', async () => {
    const h = await harness({ accounts: [A, B], scheduling: { mode: 'cache-first', stickyWaitMs: 10_000 } });
    assert.equal(await turn(h, 'conversation'), A);
    h.pool.markLimited(h.idOf(A), SONNET, { kind: 'cooldown', until: h.clock.now() + 5_000, reason: 'RATE_LIMIT_EXCEEDED' });
    assert.equal(await turn(h, 'conversation'), A);
    assert.deepEqual(h.clock.sleeps, [5_000]);
    assert.deepEqual(h.upstream.emails(), [A, A]);
  });

  it('cache-first moves the conversation when the cooldown is longer, and it stays moved', async () => {
    const h = await harness({ accounts: [A, B], scheduling: { mode: 'cache-first', stickyWaitMs: 10_000 } });
    assert.equal(await turn(h, 'conversation'), A);
    h.pool.markLimited(h.idOf(A), SONNET, { kind: 'cooldown', until: h.clock.now() + 60_000, reason: 'RATE_LIMIT_EXCEEDED' });
    assert.equal(await turn(h, 'conversation'), B);
    await h.clock.advance(120_000);
    assert.equal(await turn(h, 'conversation'), B, 'rebound to B');
    assert.deepEqual(h.clock.sleeps, []);
  });

  it('balance rebinds at once when the account is limited, even briefly', async () => {
    const h = await harness({ accounts: [A, B], scheduling: { mode: 'balance', stickyWaitMs: 10_000 } });
    assert.equal(await turn(h, 'conversation'), A);
    assert.equal(await turn(h, 'conversation'), A);
    h.pool.markLimited(h.idOf(A), SONNET, { kind: 'cooldown', until: h.clock.now() + 2_000, reason: 'RATE_LIMIT_EXCEEDED' });
    assert.equal(await turn(h, 'conversation'), B);
    assert.deepEqual(h.clock.sleeps, []);
  });

  it('performance-first picks the account with the fewest requests in flight', async () => {
    const h = await harness({ accounts: [A, B], scheduling: { mode: 'performance-first' } });
    h.upstream.script(A, { kind: 'held' });
    const first = h.dispatcher.open(chat('one'), signal());
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await turn(h, 'two'), B);
    // Round-robin alone would now pick A; A still has the first request in flight.
    assert.equal(await turn(h, 'three'), B);
    h.upstream.release();
    assert.equal((await first).accountEmail, A);
  });

  it('performance-first round-robins and does not stick', async () => {
    const h = await harness({ accounts: [A, B], scheduling: { mode: 'performance-first' } });
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await turn(h, 'same conversation'));
    assert.deepEqual(seen, [A, B, A, B]);
  });

  it('prefers the account with more remaining quota for the model', async () => {
    const h = await harness({
      accounts: [
        { email: A, models: [{ id: SONNET, remainingFraction: 0.1 }] },
        { email: B, models: [{ id: SONNET, remainingFraction: 0.9 }] },
      ],
    });
    assert.equal(await turn(h, 'new conversation'), B);
  });

  it('never picks an account whose quota for the model is spent', async () => {
    const h = await harness({
      accounts: [
        { email: A, models: [{ id: SONNET, remainingFraction: 0, resetAt: Date.UTC(2026, 3, 21) }] },
        { email: B, models: [{ id: SONNET, remainingFraction: 0.05 }] },
      ],
    });
    for (const text of ['one', 'two', 'three']) assert.equal(await turn(h, text), B);
    assert.ok(!h.upstream.emails().includes(A));
  });

  it('prefers a higher tier: Ultra over Pro over Free', async () => {
    const h = await harness({
      accounts: [{ email: 'free@x.com' }, { email: 'pro@x.com', paidTier: 'g1-pro-tier' }, { email: 'ultra@x.com', paidTier: 'g1-ultra-tier' }],
    });
    assert.equal(await turn(h, 'new conversation'), 'ultra@x.com');
  });

  it('follows the user’s order within a tier', async () => {
    const h = await harness({ accounts: [A, B] });
    await h.pool.reorder([h.idOf(B), h.idOf(A)]);
    assert.equal(await turn(h, 'one'), B);
    assert.equal(await turn(h, 'two'), B);
  });

  it('skips disabled accounts', async () => {
    const h = await harness({ accounts: [A, B] });
    await h.pool.disable(h.idOf(A));
    for (const text of ['one', 'two']) assert.equal(await turn(h, text), B);
  });

  it('a conversation bound to an account that fails hard moves to another one', async () => {
    const h = await harness({ accounts: [A, B] });
    assert.equal(await turn(h, 'conversation'), A);
    h.upstream.script(A, fail(new UpstreamFailure('forbidden', 'This account has been disabled for violation of Terms of Service')));
    assert.equal(await turn(h, 'conversation'), B);
    assert.equal(await turn(h, 'conversation'), B);
  });
});
