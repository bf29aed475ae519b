import assert from 'node:assert/strict';
import { GatewayError } from '../../../src/core/errors';
import type { ChatEvent, ChatRequest, Message } from '../../../src/core/ir';
import type { ProviderKind } from '../../../src/core/providers';
import { UpstreamFailure } from '../../../src/core/upstream/failure';
import { createProviderUpstream, type ProviderUpstream } from '../../../src/core/upstream/provider-upstream';
import { createTransport, type UpstreamTransport } from '../../../src/core/upstream/transport';
import { startSimulator, type Simulator } from '../../../src/simulator';

const KEYS: Record<ProviderKind, string> = { anthropic: 'sk-ant-up-0001', 'gemini-api': 'AIza-up-0001', 'openai-compatible': 'sk-oai-up-0001' };
const MODELS: Record<ProviderKind, string> = { anthropic: 'claude-sonnet-4-6', 'gemini-api': 'gemini-2.5-flash', 'openai-compatible': 'gpt-4o' };
const WEATHER = {
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

function request(messages: Message[], extra: Partial<ChatRequest> = {}): ChatRequest {
  return { protocol: 'openai-chat', model: 'x', system: [{ type: 'text', text: 'Be brief.' }], messages, tools: [], stream: true, ...extra };
}
const user = (text: string): Message => ({ role: 'user', parts: [{ type: 'text', text }] });

async function collect(events: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const out: ChatEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}
const textOf = (events: ChatEvent[]) => events.flatMap((e) => (e.type === 'text' ? [e.text] : [])).join('');

describe('providers: upstream adapters against the simulated APIs', () => {
  let sim: Simulator;
  let transport: UpstreamTransport;
  let upstream: ProviderUpstream;
  const baseUrl = (kind: ProviderKind) => `${sim.url}/${kind === 'openai-compatible' ? 'openai/v1' : kind}`;
  const generate = (kind: ProviderKind, body: ChatRequest, key = KEYS[kind], model = MODELS[kind]) =>
    collect(upstream.generate(kind, body, { baseUrl: baseUrl(kind), key, model, signal: new AbortController().signal }));

  before(async () => {
    sim = await startSimulator({ config: { framesPerAnswer: 4 } });
    sim.addProviderKey({ provider: 'anthropic', key: KEYS.anthropic });
    sim.addProviderKey({ provider: 'gemini-api', key: KEYS['gemini-api'] });
    sim.addProviderKey({ provider: 'openai', key: KEYS['openai-compatible'] });
    transport = createTransport({ connectTimeoutMs: 5000 });
    upstream = createProviderUpstream({ transport, firstByteTimeoutMs: 10_000, idleTimeoutMs: 10_000 });
  });
  after(async () => {
    await transport.close();
    await sim.close();
  });
  beforeEach(() => sim.reset());

  for (const kind of ['anthropic', 'gemini-api', 'openai-compatible'] as const) {
    describe(kind, () => {
      it('streams a text answer as several text events, then usage and a finish', async () => {
        const events = await generate(kind, request([user('[[sim:words 24]]')]));
        assert.equal(textOf(events).split(' ').length, 24);
        assert.ok(events.filter((e) => e.type === 'text').length >= 3, 'streamed, not one block');
        const finish = events.at(-1)!;
        assert.equal(finish.type, 'finish');
        assert.equal(finish.type === 'finish' && finish.reason, 'stop');
        assert.ok(finish.type === 'finish' && finish.usage.inputTokens > 0 && finish.usage.outputTokens > 0);
        assert.equal(sim.log.at(-1)!.status, 200);
      });

      it('passes tools, gets parallel calls back whole, and sends the results back', async () => {
        const first = await generate(
          kind,
          request([user('[[sim:call get_weather {"city":"Oslo"}]] [[sim:call get_weather {"city":"Lima"}]]')], { tools: [WEATHER] }),
        );
        const calls = first.flatMap((e) => (e.type === 'tool_call' ? [e.call] : []));
        assert.deepEqual(
          calls.map((c) => c.args),
          [{ city: 'Oslo' }, { city: 'Lima' }],
        );
        assert.equal(first.at(-1)!.type === 'finish' && (first.at(-1) as { reason: string }).reason, 'tool_calls');
        const second = await generate(
          kind,
          request(
            [
              user('Weather?'),
              { role: 'assistant', parts: calls },
              {
                role: 'user',
                parts: calls.map((c) => ({ type: 'tool_result' as const, callId: c.id, name: c.name, content: [{ type: 'text' as const, text: 'sunny' }] })),
              },
            ],
            { tools: [WEATHER] },
          ),
        );
        assert.match(textOf(second), /Tool get_weather returned/);
      });

      it('classifies a wrong key as a rejected key, naming the provider message', async () => {
        await assert.rejects(generate(kind, request([user('hi')]), 'wrong-key-000000'), (err: unknown) => {
          assert.ok(err instanceof UpstreamFailure);
          assert.equal(err.kind, 'forbidden');
          assert.equal(err.reason, 'KEY_REJECTED');
          assert.match(err.message, /^key rejected: /);
          return true;
        });
      });

      it('classifies a 429 as a cooldown with the wait the provider asked for', async () => {
        sim.injectFault({ kind: 'rate_limited', host: kind === 'openai-compatible' ? 'openai' : kind, retryDelayMs: 9000 });
        await assert.rejects(
          generate(kind, request([user('hi')])),
          (err: unknown) => err instanceof UpstreamFailure && err.kind === 'rate_limited' && err.retryAfterMs === 9000,
        );
      });

      it('classifies overload and server errors for retry', async () => {
        const host = kind === 'openai-compatible' ? 'openai' : kind;
        sim.injectFault({ kind: 'capacity', host });
        await assert.rejects(generate(kind, request([user('hi')])), (err: unknown) => err instanceof UpstreamFailure && err.kind === 'capacity');
        sim.injectFault({ kind: 'server_error', host, status: 502 });
        await assert.rejects(
          generate(kind, request([user('hi')])),
          (err: unknown) => err instanceof UpstreamFailure && err.kind === 'server' && err.status === 502,
        );
      });

      it('a stream cut mid-way ends with a failure, not a finish', async () => {
        sim.injectFault({ kind: 'reset_after', host: kind === 'openai-compatible' ? 'openai' : kind, frames: 1 });
        await assert.rejects(
          generate(kind, request([user('[[sim:words 50]]')])),
          (err: unknown) => err instanceof UpstreamFailure && (err.kind === 'network' || err.kind === 'server'),
        );
      });
    });
  }

  it('Anthropic: thinking with its signature comes back and replays; JSON output is a clear 400; credit exhaustion is exhausted quota', async () => {
    const first = await generate(
      'anthropic',
      request([user('[[sim:call get_weather {"city":"Rome"}]]')], { tools: [WEATHER], thinking: { type: 'budget', budgetTokens: 2048 } }),
    );
    const thinking = first.filter((e) => e.type === 'thinking');
    const signature = first.find((e) => e.type === 'thinking_signature');
    assert.ok(thinking.length > 0 && signature);
    const sent = sim.log.at(-1)!.body as { max_tokens: number; thinking: { budget_tokens: number } };
    assert.ok(sent.max_tokens > sent.thinking.budget_tokens);
    const call = first.find((e) => e.type === 'tool_call')!;
    const replay = await generate(
      'anthropic',
      request(
        [
          user('Weather?'),
          {
            role: 'assistant',
            parts: [
              {
                type: 'thinking',
                text: thinking.map((e) => (e.type === 'thinking' ? e.text : '')).join(''),
                signature: signature.type === 'thinking_signature' ? signature.signature : '',
              },
              call.type === 'tool_call' ? call.call : ({} as never),
            ],
          },
          {
            role: 'user',
            parts: [
              { type: 'tool_result', callId: call.type === 'tool_call' ? call.call.id : '', name: 'get_weather', content: [{ type: 'text', text: '20C' }] },
            ],
          },
        ],
        { tools: [WEATHER], thinking: { type: 'budget', budgetTokens: 2048 } },
      ),
    );
    assert.equal(replay.at(-1)!.type, 'finish');
    await assert.rejects(
      generate('anthropic', request([user('hi')], { responseFormat: { type: 'json' } })),
      (err: unknown) => err instanceof GatewayError && err.status === 400 && /JSON-schema output/.test(err.message),
    );
    sim.injectFault({ kind: 'quota_exhausted', host: 'anthropic' });
    await assert.rejects(generate('anthropic', request([user('hi')])), (err: unknown) => err instanceof UpstreamFailure && err.kind === 'quota_exhausted');
  });

  it('OpenAI-compatible: JSON schema output, reasoning models take max_completion_tokens, insufficient quota is exhausted', async () => {
    const events = await generate(
      'openai-compatible',
      request([user('Capital?')], {
        responseFormat: { type: 'json', schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
        maxOutputTokens: 300,
      }),
      undefined,
      'o4-mini',
    );
    assert.equal(typeof JSON.parse(textOf(events)).city, 'string');
    const sent = sim.log.at(-1)!.body as Record<string, unknown>;
    assert.equal(sent.max_completion_tokens, 300);
    assert.equal(sent.max_tokens, undefined);
    const finish = events.at(-1)!;
    assert.ok(finish.type === 'finish' && finish.usage.thinkingTokens > 0);
    sim.injectFault({ kind: 'quota_exhausted', host: 'openai' });
    await assert.rejects(
      generate('openai-compatible', request([user('hi')])),
      (err: unknown) => err instanceof UpstreamFailure && err.kind === 'quota_exhausted',
    );
  });

  it('Gemini API: the key goes in x-goog-api-key, the body carries no session id, a daily quota is exhausted', async () => {
    await generate('gemini-api', request([user('hi')], { sessionKey: 'conversation-1' }));
    const entry = sim.log.at(-1)!;
    assert.equal((entry.body as Record<string, unknown>).sessionId, undefined);
    assert.equal(entry.account, sim.providerKeys().find((k) => k.provider === 'gemini-api')!.name);
    sim.injectFault({ kind: 'quota_exhausted', host: 'gemini-api' });
    await assert.rejects(generate('gemini-api', request([user('hi')])), (err: unknown) => err instanceof UpstreamFailure && err.kind === 'quota_exhausted');
  });
});
