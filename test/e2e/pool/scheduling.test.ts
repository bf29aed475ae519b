/**
 * Scheduling modes over HTTP: sticky conversations (and the upstream prompt
 * cache they keep warm), waiting versus rebinding on a cooldown, spreading by
 * in-flight count, the user's priority order and disabled accounts.
 */
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../../helpers/stack';
import { accountIdOf, ADA, ask, BOB, CY, echoOf, generations, logMark, type Answer, type SdkProtocol } from './clients';

const THREE = [ADA, BOB, CY];
const sessionIdOf = (entry: { body: unknown }) => (entry.body as { request: { sessionId?: string } }).request.sessionId;

/** Runs the turns of one conversation, each turn extending the history with the answer. */
function conversation(stack: Stack, protocol: SdkProtocol, key: { session?: string; userId?: string }) {
  const history: string[] = [];
  return async (text: string): Promise<Answer> => {
    const answer = await ask(protocol, stack, { text, history: [...history], ...key });
    assert.equal(answer.error, undefined, JSON.stringify(answer.error));
    history.push(text, answer.text);
    return answer;
  };
}

describe('pool: scheduling', () => {
  let stack: Stack;
  afterEach(() => stack?.close());

  for (const [protocol, keyName, key] of [
    ['anthropic', 'x-claude-code-session-id', (id: string) => ({ session: id })],
    ['anthropic', 'metadata.user_id', (id: string) => ({ userId: id })],
    ['openai', 'prompt_cache_key', (id: string) => ({ session: id })],
  ] as const) {
    it(`cache-first: a conversation keyed by ${keyName} stays on its account and its prompt cache stays warm (${protocol})`, async () => {
      stack = await startStack({ accounts: THREE, flags: { 'scheduling.mode': 'cache-first' } });
      const first = conversation(stack, protocol, key('conversation-one'));
      const second = conversation(stack, protocol, key('conversation-two'));
      const accounts = async (turn: () => Promise<Answer>) => {
        const mark = logMark(stack.sim);
        const answer = await turn();
        return { answer, entry: generations(stack.sim, mark)[0] };
      };
      const a1 = await accounts(() => first('the same first words'));
      const b1 = await accounts(() => second('the same first words'));
      const a2 = await accounts(() => first('second turn of one'));
      const b2 = await accounts(() => second('second turn of two'));
      const a3 = await accounts(() => first('third turn of one'));

      // New conversations spread (least recently used); each then sticks, though cy is the least used.
      assert.deepEqual(
        [a1, b1, a2, b2, a3].map((t) => t.entry.account),
        [ADA.email, BOB.email, ADA.email, BOB.email, ADA.email],
      );
      // One upstream sessionId per conversation, derived from the client's key (same first words, different ids).
      const ids = [a1, b1, a2, b2, a3].map((t) => sessionIdOf(t.entry));
      assert.match(ids[0]!, /^-\d+$/);
      assert.equal(ids[0], ids[2]);
      assert.equal(ids[0], ids[4]);
      assert.equal(ids[1], ids[3]);
      assert.notEqual(ids[0], ids[1]);
      // Same session on the same account: the upstream reports the previous prompt as cached.
      assert.equal(a1.answer.usage?.cachedInput, 0);
      assert.ok((a2.answer.usage?.cachedInput ?? 0) > 0, `cached tokens on turn 2: ${JSON.stringify(a2.answer.usage)}`);
      assert.ok((a3.answer.usage?.cachedInput ?? 0) > (a2.answer.usage?.cachedInput ?? 0));
    });
  }

  it('without any client key, the first user text identifies the conversation', async () => {
    stack = await startStack({ accounts: THREE });
    const first = conversation(stack, 'anthropic', {});
    await first('an unkeyed conversation');
    await ask('anthropic', stack, { text: 'somebody else' });
    const mark = logMark(stack.sim);
    await first('and its second turn');
    const entry = generations(stack.sim, mark)[0];
    assert.equal(entry.account, ADA.email);
    assert.equal(sessionIdOf(entry), sessionIdOf(generations(stack.sim)[0]));
  });

  it('cache-first: waits for its account when the cooldown is short', async () => {
    stack = await startStack({
      accounts: THREE,
      flags: { 'scheduling.mode': 'cache-first', 'scheduling.stickyWaitMs': '5000', 'scheduling.retrySameAccountMaxDelayMs': '100' },
    });
    const turn = conversation(stack, 'anthropic', { session: 'sticky-wait' });
    await turn('first turn');
    stack.sim.injectFault({ kind: 'rate_limited', retryDelayMs: 800, account: ADA.email });
    const mark = logMark(stack.sim);
    const sleepsBefore = stack.clock.sleeps.length;
    const answer = await turn('second turn');
    // A limit shorter than a second still cools the account down for one (the scheduler's floor).
    assert.ok(
      stack.clock.sleeps.slice(sleepsBefore).some((ms) => ms > 0 && ms <= 1_000),
      'waited for the cooldown',
    );
    assert.deepEqual(
      generations(stack.sim, mark).map((e) => [e.account, e.status]),
      [
        [ADA.email, 429],
        [ADA.email, 200],
      ],
    );
    assert.ok((answer.usage?.cachedInput ?? 0) > 0, 'the prompt cache survived');
  });

  it('cache-first: a cooldown longer than stickyWaitMs moves the conversation', async () => {
    stack = await startStack({ accounts: THREE, flags: { 'scheduling.mode': 'cache-first', 'scheduling.stickyWaitMs': '500' } });
    const turn = conversation(stack, 'anthropic', { session: 'sticky-move' });
    await turn('first turn');
    stack.sim.injectFault({ kind: 'rate_limited', retryDelayMs: 30_000, account: ADA.email });
    const mark = logMark(stack.sim);
    await turn('second turn');
    await turn('third turn');
    assert.deepEqual(
      generations(stack.sim, mark).map((e) => [e.account, e.status]),
      [
        [ADA.email, 429],
        [BOB.email, 200],
        [BOB.email, 200],
      ],
    );
  });

  it('balance: rebinds at once when the account is limited, even briefly, and stays rebound', async () => {
    stack = await startStack({
      accounts: THREE,
      flags: { 'scheduling.mode': 'balance', 'scheduling.stickyWaitMs': '5000', 'scheduling.retrySameAccountMaxDelayMs': '100' },
    });
    const turn = conversation(stack, 'anthropic', { session: 'balance' });
    await turn('first turn');
    stack.sim.injectFault({ kind: 'rate_limited', retryDelayMs: 800, account: ADA.email });
    const mark = logMark(stack.sim);
    const sleepsBefore = stack.clock.sleeps.length;
    await turn('second turn');
    assert.deepEqual(
      stack.clock.sleeps.slice(sleepsBefore).filter((ms) => ms > 0 && ms <= 1_000),
      [],
      'did not wait for ada',
    );
    stack.clock.advance(2_000); // ada is free again; the conversation stays on bob
    await turn('third turn');
    assert.deepEqual(
      generations(stack.sim, mark).map((e) => [e.account, e.status]),
      [
        [ADA.email, 429],
        [BOB.email, 200],
        [BOB.email, 200],
      ],
    );
  });

  it('performance-first: concurrent requests spread by in-flight count, even within one conversation', async () => {
    stack = await startStack({
      accounts: THREE,
      flags: { 'scheduling.mode': 'performance-first' },
      simulator: { framesPerAnswer: 4, frameIntervalMs: 60 },
    });
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => ask('anthropic', stack, { text: `parallel ${i}`, session: 'one-session', stream: true })),
    );
    answers.forEach((a, i) => assert.equal(a.text, echoOf('claude-sonnet-4-6', `parallel ${i}`)));
    const perAccount = new Map<string, number>();
    for (const entry of generations(stack.sim)) perAccount.set(entry.account!, (perAccount.get(entry.account!) ?? 0) + 1);
    assert.deepEqual([...perAccount.values()], [2, 2, 2]);
    // Sequential requests round-robin.
    const mark = logMark(stack.sim);
    for (let i = 0; i < 3; i++) await ask('anthropic', stack, { text: `sequential ${i}`, session: 'one-session' });
    assert.equal(new Set(generations(stack.sim, mark).map((e) => e.account)).size, 3);
  });

  it('cache-first keeps concurrent requests of one conversation together', async () => {
    stack = await startStack({ accounts: THREE, simulator: { framesPerAnswer: 4, frameIntervalMs: 30 } });
    await ask('anthropic', stack, { text: 'bind first', session: 'together' });
    await Promise.all(Array.from({ length: 4 }, (_, i) => ask('anthropic', stack, { text: `together ${i}`, session: 'together', stream: true })));
    assert.deepEqual([...new Set(generations(stack.sim).map((e) => e.account))], [ADA.email]);
  });

  it('follows the user’s priority order and skips disabled accounts', async () => {
    stack = await startStack({ accounts: THREE, flags: { 'scheduling.mode': 'balance' } });
    const pool = stack.agate.pool;
    await pool.reorder([accountIdOf(stack, CY.email), accountIdOf(stack, ADA.email)]);
    assert.deepEqual(
      pool.list().map((a) => [a.email, a.priority]),
      [
        [CY.email, 0],
        [ADA.email, 1],
        [BOB.email, 2],
      ],
    );
    for (let i = 0; i < 3; i++) await ask('openai', stack, { text: `by priority ${i}` });
    await pool.disable(accountIdOf(stack, CY.email));
    for (let i = 0; i < 2; i++) await ask('openai', stack, { text: `cy disabled ${i}` });
    await pool.disable(accountIdOf(stack, ADA.email));
    await pool.disable(accountIdOf(stack, BOB.email));
    const none = await ask('openai', stack, { text: 'all disabled' });
    assert.equal(none.error?.status, 503);
    assert.match(none.error?.message ?? '', /No usable Google account for .*: 3 disabled\./);
    assert.doesNotMatch(none.error?.message ?? '', /@example\.com/, 'the client is not told the account emails');
    await pool.enable(accountIdOf(stack, BOB.email));
    await ask('openai', stack, { text: 'bob enabled' });
    assert.deepEqual(
      generations(stack.sim).map((e) => e.account),
      [CY.email, CY.email, CY.email, ADA.email, ADA.email, BOB.email],
    );
  });
});
