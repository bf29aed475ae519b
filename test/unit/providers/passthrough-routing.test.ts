/**
 * Same-protocol passthrough in the routing dispatcher: the client's bytes go
 * to a provider of its protocol under the same failure policy, caps and
 * spend accounting as a translated request, before any byte reaches the client.
 */
import assert from 'node:assert/strict';
import type { Dispatcher, GenerationRun, PassthroughOffer } from '../../../src/core/dispatch';
import type { ChatRequest } from '../../../src/core/ir';
import { silentLogger, type Clock } from '../../../src/core/ports';
import { ProviderPool, ProviderRegistry } from '../../../src/core/providers';
import { createRoutingDispatcher } from '../../../src/core/providers/routing-dispatcher';
import { createProviderUpstream } from '../../../src/core/upstream/provider-upstream';
import { createTransport, transportFetch, type UpstreamTransport } from '../../../src/core/upstream/transport';
import { startSimulator, type Simulator } from '../../../src/simulator';
import { waitUntil } from '../../helpers/wait-until';
import { MemoryDocuments, MemorySecrets } from '../accounts/fakes';

/** Real time for the provider calls; sleeps (backoff) are recorded and skipped, so no test waits. */
class InstantClock implements Clock {
  readonly sleeps: number[] = [];
  now = () => Date.now();
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
  }
}

const unusedPool: Dispatcher = {
  open: () => Promise.reject(new Error('the accounts are not asked under provider-only')),
  countTokens: () => Promise.resolve({ inputTokens: 1, estimated: true }),
  inFlight: () => 0,
};

const request = (model: string, stream: boolean): ChatRequest => ({
  protocol: 'anthropic',
  model,
  system: [],
  messages: [{ role: 'user', parts: [{ type: 'text', text: '[[sim:words 6]]' }] }],
  tools: [],
  stream,
});

const offerOf = (model: string, stream: boolean): PassthroughOffer => ({
  protocol: 'anthropic',
  body: Buffer.from(
    `{"model": ${JSON.stringify(model)},\n "max_tokens": 64, "stream": ${stream}, "messages": [{"role": "user", "content": "[[sim:words 6]]"}]}`,
  ),
  headers: { 'anthropic-version': '2023-06-01', 'anthropic-beta': 'prompt-caching-2024-07-31', 'x-api-key': 'the-clients-own-key' },
  stream,
  earlyHead: true,
});

async function bytesOf(run: GenerationRun): Promise<string> {
  assert.ok(run.raw, 'the run passed through');
  const chunks: Buffer[] = [];
  for await (const chunk of run.raw.body) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

describe('providers: same-protocol passthrough through the routing dispatcher', () => {
  let sim: Simulator;
  let transport: UpstreamTransport;
  let clock: InstantClock;
  let registry: ProviderRegistry;
  let providers: ProviderPool;
  let dispatcher: Dispatcher;
  const signal = new AbortController().signal;

  before(async () => {
    // Frames 20 ms apart: a client leaving after the first one leaves the answer unfinished.
    sim = await startSimulator({ config: { framesPerAnswer: 6, frameIntervalMs: 20 } });
    transport = createTransport({ connectTimeoutMs: 5000 });
  });
  after(async () => {
    await transport.close();
    await sim.close();
  });
  beforeEach(async () => {
    sim.reset();
    sim.addProviderKey({ provider: 'anthropic', key: 'sk-ant-pass-0001', name: 'key-first' });
    sim.addProviderKey({ provider: 'anthropic', key: 'sk-ant-pass-0002', name: 'key-second' });
    clock = new InstantClock();
    const documents = new MemoryDocuments();
    registry = await ProviderRegistry.open({ documents, secrets: new MemorySecrets(), fetch: transportFetch(transport), clock, logger: silentLogger });
    providers = await ProviderPool.open({ registry, documents, clock, logger: silentLogger });
    dispatcher = createRoutingDispatcher({
      pool: unusedPool,
      providers,
      registry,
      upstream: createProviderUpstream({ transport, firstByteTimeoutMs: 10_000, idleTimeoutMs: 10_000 }),
      aliases: () => ({}),
      policy: () => 'provider-only',
      clock,
      logger: silentLogger,
    });
    await registry.add({ name: 'first', kind: 'anthropic', key: 'sk-ant-pass-0001', baseUrl: `${sim.url}/anthropic`, priority: 1 });
    await registry.add({ name: 'second', kind: 'anthropic', key: 'sk-ant-pass-0002', baseUrl: `${sim.url}/anthropic`, priority: 2 });
  });

  it('sends the bytes with the provider key and the client betas, answers with the provider bytes, counts the usage', async () => {
    const run = await dispatcher.open(request('first:claude-haiku-4-5', true), signal, undefined, offerOf('first:claude-haiku-4-5', true));
    const text = await bytesOf(run);
    assert.match(text, /^event: message_start\n/);
    assert.match(text, /event: message_stop\n/);
    const entry = sim.log.at(-1)!;
    assert.equal(entry.rawBody, offerOf('claude-haiku-4-5', true).body.toString());
    assert.equal(entry.account, 'key-first');
    assert.equal(entry.headers!['anthropic-beta'], 'prompt-caching-2024-07-31');
    const usage = run.raw!.usage()!;
    assert.ok(usage.inputTokens > 0 && usage.outputTokens > 0);
    const today = providers.usageToday(registry.find('first')!.id);
    assert.equal(today.requests, 1);
    assert.equal(today.tokens, usage.inputTokens + usage.outputTokens);
  });

  it('a request in another protocol is translated, not passed through', async () => {
    const run = await dispatcher.open(request('first:claude-haiku-4-5', true), signal, undefined, {
      ...offerOf('first:claude-haiku-4-5', true),
      protocol: 'openai-chat',
    });
    assert.equal(run.raw, undefined);
    for await (const event of run.events) void event;
  });

  it('before the first byte: a 401 marks the key rejected and a 429 cools the provider down, then the next one answers', async () => {
    sim.injectFault({ kind: 'unauthorized', host: 'anthropic', account: 'key-first' });
    const run = await dispatcher.open(request('claude-haiku-4-5', false), signal, undefined, offerOf('claude-haiku-4-5', false));
    assert.match(await bytesOf(run), /"type":"message"/);
    assert.deepEqual(
      run.attempts.map((a) => [a.accountEmail, a.outcome, a.next?.action]),
      [
        ['provider first', 'KEY_REJECTED', 'switch'],
        ['provider second', 'ok', undefined],
      ],
    );
    assert.equal(registry.find('first')!.state, 'key_rejected');

    sim.injectFault({ kind: 'rate_limited', host: 'anthropic', account: 'key-second', retryDelayMs: 30_000 });
    await assert.rejects(dispatcher.open(request('claude-haiku-4-5', false), signal, undefined, offerOf('claude-haiku-4-5', false)), (err: Error) => {
      assert.match(err.message, /first: key rejected/);
      assert.match(err.message, /second: rate limited, cooling down 30 s/);
      return true;
    });
  });

  it('a 529 is retried with backoff on the same provider before the answer passes through', async () => {
    sim.injectFault({ kind: 'capacity', host: 'anthropic', account: 'key-first', times: 2 });
    const run = await dispatcher.open(request('claude-haiku-4-5', true), signal, undefined, offerOf('claude-haiku-4-5', true));
    await bytesOf(run);
    assert.deepEqual(
      run.attempts.map((a) => [a.accountEmail, a.outcome, a.next?.action]),
      [
        ['provider first', 'OVERLOADED', 'retry'],
        ['provider first', 'OVERLOADED', 'retry'],
        ['provider first', 'ok', undefined],
      ],
    );
    assert.deepEqual(clock.sleeps, [500, 1000]);
  });

  it('a client gone mid-stream cuts the provider connection, and what was used still counts', async () => {
    const run = await dispatcher.open(request('claude-haiku-4-5', true), signal, undefined, offerOf('claude-haiku-4-5', true));
    for await (const chunk of run.raw!.body) {
      assert.ok(chunk.length > 0);
      break; // the client left after the first bytes
    }
    await waitUntil(() => sim.log.at(-1)!.aborted, 'the provider to see the connection closed');
    const today = providers.usageToday(registry.find('first')!.id);
    assert.equal(today.requests, 1);
    assert.ok(today.tokens > 0, 'the prompt counted');
  });
});
