import assert from 'node:assert/strict';
import type { ModelGroup } from '../../../src/core/config/types';
import type { Dispatcher, GenerationRun } from '../../../src/core/dispatch';
import { GatewayError } from '../../../src/core/errors';
import type { ChatEvent, ChatRequest } from '../../../src/core/ir';
import { silentLogger, type Clock } from '../../../src/core/ports';
import { ProviderPool, ProviderRegistry, type ProviderPolicy } from '../../../src/core/providers';
import { createRoutingDispatcher } from '../../../src/core/providers/routing-dispatcher';
import { createProviderUpstream } from '../../../src/core/upstream/provider-upstream';
import { createTransport, transportFetch, type UpstreamTransport } from '../../../src/core/upstream/transport';
import { startSimulator, type Simulator } from '../../../src/simulator';
import { MemoryDocuments, MemorySecrets } from '../accounts/fakes';

/** Real time for the provider calls; sleeps (backoff) are recorded and skipped, so no test waits. */
class InstantClock implements Clock {
  readonly sleeps: number[] = [];
  now = () => Date.now();
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
  }
}

/** The accounts' dispatcher, scripted: answers, or fails as an exhausted pool does. */
class FakePool implements Dispatcher {
  calls = 0;
  failWith: GatewayError | undefined;
  async open(): Promise<GenerationRun> {
    this.calls++;
    if (this.failWith) throw this.failWith;
    async function* events(): AsyncGenerator<ChatEvent> {
      yield { type: 'text', text: 'from the pool' };
      yield { type: 'finish', reason: 'stop', usage: { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, thinkingTokens: 0 } };
    }
    return { events: events(), upstreamModel: 'claude-sonnet-4-6', accountId: 'a1', accountEmail: 'd***@agate.local', attempts: [] };
  }
  async countTokens() {
    return { inputTokens: 1, estimated: true };
  }
  inFlight() {
    return 0;
  }
}

const request = (model: string, text = 'Hello'): ChatRequest => ({
  protocol: 'openai-chat',
  model,
  system: [],
  messages: [{ role: 'user', parts: [{ type: 'text', text }] }],
  tools: [],
  stream: true,
});

async function textOf(run: GenerationRun): Promise<string> {
  let text = '';
  for await (const event of run.events) if (event.type === 'text') text += event.text;
  return text;
}

describe('providers: routing across accounts and providers', () => {
  let sim: Simulator;
  let transport: UpstreamTransport;
  let clock: InstantClock;
  let registry: ProviderRegistry;
  let providers: ProviderPool;
  let pool: FakePool;
  let policy: ProviderPolicy;
  let aliases: Record<string, string>;
  let groups: Record<string, ModelGroup>;
  let dispatcher: Dispatcher;
  const signal = new AbortController().signal;

  before(async () => {
    sim = await startSimulator({ config: { framesPerAnswer: 3 } });
    transport = createTransport({ connectTimeoutMs: 5000 });
  });
  after(async () => {
    await transport.close();
    await sim.close();
  });
  beforeEach(async () => {
    sim.reset();
    // Added afresh: a test may revoke one.
    sim.addProviderKey({ provider: 'openai', key: 'sk-route-a-0001', name: 'key-a' });
    sim.addProviderKey({ provider: 'openai', key: 'sk-route-b-0002', name: 'key-b' });
    sim.addProviderKey({ provider: 'anthropic', key: 'sk-ant-route-0003', name: 'key-c' });
    clock = new InstantClock();
    const documents = new MemoryDocuments();
    registry = await ProviderRegistry.open({ documents, secrets: new MemorySecrets(), fetch: transportFetch(transport), clock, logger: silentLogger });
    providers = await ProviderPool.open({ registry, documents, clock, logger: silentLogger });
    pool = new FakePool();
    policy = 'pool-only';
    aliases = {};
    groups = {};
    dispatcher = createRoutingDispatcher({
      pool,
      providers,
      registry,
      upstream: createProviderUpstream({ transport, firstByteTimeoutMs: 10_000, idleTimeoutMs: 10_000 }),
      aliases: () => aliases,
      groups: () => groups,
      policy: () => policy,
      clock,
      logger: silentLogger,
    });
    await registry.add({ name: 'alpha', kind: 'openai-compatible', key: 'sk-route-a-0001', baseUrl: `${sim.url}/openai/v1`, priority: 1 });
    await registry.add({ name: 'beta', kind: 'openai-compatible', key: 'sk-route-b-0002', baseUrl: `${sim.url}/openai/v1`, priority: 2 });
  });

  it('pool-only (the default) keeps a model on the accounts; provider:model and an alias to it reach the provider', async () => {
    assert.equal(await textOf(await dispatcher.open(request('gpt-4o'), signal)), 'from the pool');
    assert.equal(sim.log.filter((e) => e.method === 'chat.completions').length, 0);
    const run = await dispatcher.open(request('beta:gpt-4o-mini'), signal);
    assert.equal(await textOf(run), 'Hello from gpt-4o-mini. You said: Hello');
    assert.equal(run.accountEmail, 'provider beta');
    assert.equal(sim.log.at(-1)!.account, 'key-b');
    aliases = { 'my-fast': 'alpha:gpt-4o' };
    await textOf(await dispatcher.open(request('my-fast'), signal));
    assert.equal(sim.log.at(-1)!.account, 'key-a');
    assert.ok(providers.usageToday(registry.find('alpha')!.id).spendUsd > 0, 'spend is counted from the streamed usage');
  });

  it('pool-first spills over to the providers when no account can serve, and the trail says why', async () => {
    policy = 'pool-first';
    pool.failWith = new GatewayError('rate_limit', 'Every account is rate limited for claude-sonnet-4-6', { retryAfterSeconds: 30 });
    const run = await dispatcher.open(request('gpt-4o'), signal);
    assert.equal(await textOf(run), 'Hello from gpt-4o. You said: Hello');
    assert.equal(run.attempts[0].accountId, 'pool');
    assert.match(run.attempts[0].next!.note!, /spilling over to the providers/);
    assert.equal(run.attempts.at(-1)!.accountEmail, 'provider alpha');
    // A client error from the pool is not a reason to spill over.
    pool.failWith = new GatewayError('invalid_request', 'bad tool schema');
    await assert.rejects(dispatcher.open(request('gpt-4o'), signal), /bad tool schema/);
  });

  it('a 429 cools the provider and the next one answers; a rejected key is marked with the message', async () => {
    policy = 'provider-only';
    sim.injectFault({ kind: 'rate_limited', host: 'openai', account: 'key-a', retryDelayMs: 40_000 });
    const run = await dispatcher.open(request('gpt-4o'), signal);
    assert.equal(run.accountEmail, 'provider beta');
    assert.deepEqual(
      run.attempts.map((a) => [a.accountEmail, a.outcome]),
      [
        ['provider alpha', 'RATE_LIMIT_EXCEEDED'],
        ['provider beta', 'ok'],
      ],
    );
    assert.match(providers.candidates('gpt-4o').skipped[0].reason, /cooling down for 40 s/);
    await textOf(run);

    sim.revokeProviderKey('sk-route-b-0002');
    await assert.rejects(dispatcher.open(request('gpt-4o'), signal), (err: unknown) => {
      assert.ok(err instanceof GatewayError);
      assert.match(err.message, /alpha: cooling down/);
      assert.match(err.message, /beta: key rejected \(Incorrect API key provided/);
      return true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(registry.find('beta')!.state, 'key_rejected');
  });

  it('retries a 5xx on the same provider with backoff before moving on', async () => {
    policy = 'provider-only';
    sim.injectFault({ kind: 'server_error', host: 'openai', account: 'key-a', status: 503 });
    const run = await dispatcher.open(request('gpt-4o'), signal);
    assert.equal(run.accountEmail, 'provider alpha');
    assert.deepEqual(clock.sleeps, [500]);
    assert.deepEqual(
      run.attempts.map((a) => a.next?.action ?? 'answered'),
      ['retry', 'answered'],
    );
    await textOf(run);
  });

  it('the spend cap is reached mid-run: the next request goes to the next candidate, then fails naming the caps', async () => {
    policy = 'provider-only';
    await registry.update('alpha', { limits: { dailySpendCapUsd: 0.0001 } });
    await registry.update('beta', { limits: { requestsPerMinute: 1 } });
    // About 40 tokens in and 20k words out on gpt-4o ($10 per million out) passes $0.0001.
    await textOf(await dispatcher.open(request('gpt-4o', '[[sim:words 400]]'), signal));
    assert.equal(sim.log.at(-1)!.account, 'key-a');
    const next = await dispatcher.open(request('gpt-4o'), signal);
    assert.equal(next.accountEmail, 'provider beta');
    await textOf(next);
    await assert.rejects(dispatcher.open(request('gpt-4o'), signal), (err: unknown) => {
      assert.ok(err instanceof GatewayError);
      assert.equal(err.kind, 'rate_limit');
      assert.match(err.message, /alpha: daily spend cap of \$0.0001 reached/);
      assert.match(err.message, /beta: requests\/min cap of 1 reached/);
      return true;
    });
  });

  it("a model group may hold provider:model members: tried in order with the accounts' members", async () => {
    groups = { smart: { strategy: 'ordered', models: ['claude-sonnet-4-6', 'beta:gpt-4o', 'alpha:gpt-4o-mini'] } };
    // The accounts' member answers while it can.
    assert.equal(await textOf(await dispatcher.open(request('smart'), signal)), 'from the pool');
    assert.equal(pool.calls, 1);
    // Every account exhausted: the next member, a provider's model.
    pool.failWith = new GatewayError('rate_limit', 'Every account is rate limited for claude-sonnet-4-6', { retryAfterSeconds: 30 });
    const run = await dispatcher.open(request('smart'), signal);
    assert.equal(await textOf(run), 'Hello from gpt-4o. You said: Hello');
    assert.equal(run.accountEmail, 'provider beta');
    assert.deepEqual(
      run.attempts.map((a) => [a.accountEmail, a.model]),
      [
        ['accounts', 'claude-sonnet-4-6'],
        ['provider beta', 'gpt-4o'],
      ],
    );
    // That provider's key rejected: the member after it; an alias may name the group.
    sim.revokeProviderKey('sk-route-b-0002');
    aliases = { 'my-smart': 'smart' };
    const last = await dispatcher.open(request('my-smart'), signal);
    assert.equal(await textOf(last), 'Hello from gpt-4o-mini. You said: Hello');
    assert.equal(sim.log.at(-1)!.account, 'key-a');
    // A group of provider members only never asks the accounts; count_tokens answers locally for it.
    pool.calls = 0;
    groups = { paid: { strategy: 'ordered', models: ['alpha:gpt-4o'] } };
    await textOf(await dispatcher.open(request('paid'), signal));
    assert.equal(pool.calls, 0);
    assert.equal((await dispatcher.countTokens(request('paid'), signal)).estimated, true);
  });

  it('counts tokens for a provider model locally instead of failing', async () => {
    const count = await dispatcher.countTokens(request('alpha:gpt-4o', 'Count these words please'), signal);
    assert.equal(count.estimated, true);
    assert.ok(count.inputTokens > 0);
  });

  it('any client protocol reaches an Anthropic provider through the IR (an OpenAI-shaped request)', async () => {
    await registry.add({ name: 'claude', kind: 'anthropic', key: 'sk-ant-route-0003', baseUrl: `${sim.url}/anthropic` });
    const run = await dispatcher.open(request('claude:claude-sonnet-4-6', 'Hi Claude'), signal);
    assert.equal(await textOf(run), 'Hello from claude-sonnet-4-6. You said: Hi Claude');
    const sent = sim.log.at(-1)!;
    assert.equal(sent.label, 'anthropic');
    assert.equal((sent.body as { model: string }).model, 'claude-sonnet-4-6');
  });
});
