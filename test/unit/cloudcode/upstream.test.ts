import assert from 'node:assert/strict';
import type { ChatEvent, ChatRequest } from '../../../src/core/ir';
import type { UpstreamCall } from '../../../src/core/upstream/upstream';
import { UpstreamFailure } from '../../../src/core/upstream/failure';
import { createCloudCodeUpstream, SignatureCache, type CloudCodeUpstreamOptions } from '../../../src/core/upstream/cloudcode';
import { sessionIdOf } from '../../../src/core/upstream/cloudcode/session-id';
import { json, signal, sseFrame, sseHead, startServer, within, type Handler, type TestServer } from './http-harness';

const TOKEN = 'ya29.token';

function upstreamFor(hosts: string[], extra: Partial<CloudCodeUpstreamOptions> = {}) {
  return createCloudCodeUpstream({
    hosts,
    userAgent: 'antigravity/test',
    proxy: '',
    systemPreamble: '',
    connectTimeoutMs: 2000,
    firstByteTimeoutMs: 5000,
    idleTimeoutMs: 5000,
    answerTimeoutMs: 5000,
    onboardPollIntervalMs: 1,
    ...extra,
  });
}

function chat(text: string, overrides: Partial<ChatRequest> = {}): ChatRequest {
  return {
    protocol: 'openai-chat',
    model: 'gemini-3-flash',
    system: [{ type: 'text', text: 'Be brief.' }],
    messages: [{ role: 'user', parts: [{ type: 'text', text }] }],
    tools: [],
    stream: false,
    ...overrides,
  };
}

function call(overrides: Partial<UpstreamCall> = {}): UpstreamCall {
  return {
    accountId: 'acct-1',
    accessToken: TOKEN,
    projectId: 'proj-7',
    model: 'gemini-3-flash',
    conversation: 'session:upstream-test',
    signal: new AbortController().signal,
    ...overrides,
  };
}

describe('cloudcode upstream', () => {
  let server: TestServer | undefined;
  const serve = async (handler: Handler) => (server = await startServer(handler));
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  describe('generate', () => {
    it('streams IR events as frames arrive, then finishes with usage', async () => {
      const firstSeen = signal();
      const s = await serve(async (_req, res) => {
        sseHead(res);
        sseFrame(res, { response: { candidates: [{ content: { role: 'model', parts: [{ text: 'Hello' }] } }] } });
        await within(firstSeen.promise, 5000, 'the first event to reach the consumer');
        sseFrame(res, {
          response: {
            candidates: [{ content: { role: 'model', parts: [{ text: ' world' }] }, finishReason: 'STOP' }],
            usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 2 },
          },
        });
        res.end();
      });
      const upstream = upstreamFor([s.url]);
      const events: ChatEvent[] = [];
      for await (const event of upstream.generate(chat('Hi'), call())) {
        events.push(event);
        if (events.length === 1) firstSeen.resolve();
      }
      const usage = { inputTokens: 9, cachedInputTokens: 0, outputTokens: 2, thinkingTokens: 0 };
      assert.deepEqual(events, [
        { type: 'text', text: 'Hello' },
        { type: 'text', text: ' world' },
        { type: 'usage', usage },
        { type: 'finish', reason: 'stop', usage },
      ]);
    });

    it('asks generateContent for a non-stream request that does not think, and decodes its answer into the same events', async () => {
      const s = await serve((_req, res) =>
        json(res, 200, {
          response: {
            candidates: [{ content: { parts: [{ text: 'Hello' }, { text: ' there' }] }, finishReason: 'STOP' }],
            usageMetadata: { promptTokenCount: 7, candidatesTokenCount: 2, totalTokenCount: 9 },
          },
        }),
      );
      const events: ChatEvent[] = [];
      for await (const event of upstreamFor([s.url]).generate(chat('Hi', { model: 'claude-sonnet-4-6' }), call({ model: 'claude-sonnet-4-6' }))) {
        events.push(event);
      }
      assert.equal(s.requests[0].url, '/v1internal:generateContent');
      assert.equal(
        events
          .filter((event) => event.type === 'text')
          .map((event) => (event as { text: string }).text)
          .join(''),
        'Hello there',
      );
      const finish = events.at(-1) as Extract<ChatEvent, { type: 'finish' }>;
      assert.equal(finish.type, 'finish');
      assert.equal(finish.reason, 'stop');
      assert.equal(finish.usage.inputTokens, 7);
      assert.equal(finish.usage.outputTokens, 2);
    });

    it("classifies an error inside a unary answer's 200 like a stream's error frame", async () => {
      const s = await serve((_req, res) => json(res, 200, { error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'exhausted' } }));
      const events = upstreamFor([s.url]).generate(chat('Hi', { model: 'claude-sonnet-4-6' }), call({ model: 'claude-sonnet-4-6' }));
      const iterator = events[Symbol.asyncIterator]();
      await assert.rejects(iterator.next(), (err: unknown) => err instanceof UpstreamFailure && err.kind === 'rate_limited');
    });

    it('streams a non-stream request whose answer thinks (a thinking model, thinking not turned off)', async () => {
      const s = await serve((_req, res) => {
        sseHead(res);
        sseFrame(res, { response: { candidates: [{ content: { parts: [{ text: 'ok' }] }, finishReason: 'STOP' }] } });
        res.end();
      });
      for (const model of ['claude-opus-4-6-thinking', 'gemini-3-flash']) {
        for await (const _event of upstreamFor([s.url]).generate(chat('Hi', { model }), call({ model }))) {
          // drain
        }
      }
      assert.deepEqual(
        s.requests.map((request) => request.url),
        ['/v1internal:streamGenerateContent?alt=sse', '/v1internal:streamGenerateContent?alt=sse'],
      );
    });

    it('sends the enveloped request to streamGenerateContent for a model that thinks, even for a non-stream client', async () => {
      const s = await serve((_req, res) => {
        sseHead(res);
        sseFrame(res, { response: { candidates: [{ content: { parts: [{ text: 'ok' }] }, finishReason: 'STOP' }] } });
        res.end();
      });
      for await (const _event of upstreamFor([s.url], { systemPreamble: 'You are Antigravity.' }).generate(chat('Hi'), call())) {
        // drain
      }
      const [seen] = s.requests;
      assert.equal(seen.url, '/v1internal:streamGenerateContent?alt=sse');
      const envelope = seen.body as Record<string, unknown> & { request: Record<string, unknown> };
      assert.equal(envelope.project, 'proj-7');
      assert.equal(envelope.model, 'gemini-3-flash');
      assert.equal(envelope.userAgent, 'antigravity');
      assert.equal(envelope.requestType, 'agent');
      assert.match(String(envelope.requestId), /^agent-/);
      assert.deepEqual(envelope.request.systemInstruction, { role: 'user', parts: [{ text: 'You are Antigravity.' }, { text: 'Be brief.' }] });
      assert.deepEqual(envelope.request.contents, [{ role: 'user', parts: [{ text: 'Hi' }] }]);
      assert.equal(envelope.request.sessionId, sessionIdOf('session:upstream-test'));
    });

    it('rejects the first next() with a classified failure, and records the hosts tried', async () => {
      const s = await serve((req, res) => {
        if (req.url?.startsWith('/daily/')) return json(res, 500, { error: { code: 500, message: 'oops' } });
        json(res, 429, {
          error: {
            code: 429,
            status: 'RESOURCE_EXHAUSTED',
            message: 'exhausted',
            details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'QUOTA_EXHAUSTED', metadata: { quotaResetDelay: '3600s' } }],
          },
        });
      });
      const upstream = upstreamFor([`${s.url}/daily`, `${s.url}/prod`]);
      const attempt = call();
      const iterator = upstream.generate(chat('Hi'), attempt)[Symbol.asyncIterator]();
      await assert.rejects(iterator.next(), (err: unknown) => err instanceof UpstreamFailure && err.kind === 'quota_exhausted');
      assert.equal(upstream.hostOf(attempt), `${s.url}/prod`);
      assert.deepEqual(
        upstream.hostAttempts(attempt).map((a) => [a.host, a.status]),
        [
          [`${s.url}/daily`, 500],
          [`${s.url}/prod`, 429],
        ],
      );
    });

    it('answers a thought-signature 400 by trying once more without the signatures, and records both requests', async () => {
      const signature = 'y'.repeat(80);
      const refusal = { error: { code: 400, status: 'INVALID_ARGUMENT', message: 'Corrupted thought signature.' } };
      const s = await serve((_req, res) => {
        if (s.requests.length === 1) return json(res, 400, refusal);
        sseHead(res);
        sseFrame(res, { response: { candidates: [{ content: { parts: [{ text: 'done' }] }, finishReason: 'STOP' }] } });
        res.end();
      });
      const replay = chat('go on', {
        messages: [
          { role: 'user', parts: [{ type: 'text', text: 'list' }] },
          { role: 'assistant', parts: [{ type: 'tool_call', id: 'fc1', name: 'Bash', args: {}, signature }] },
          { role: 'user', parts: [{ type: 'tool_result', callId: 'fc1', name: 'Bash', content: [{ type: 'text', text: 'a.txt' }] }] },
        ],
      });
      const upstream = upstreamFor([s.url]);
      const attempt = call();
      const events: ChatEvent[] = [];
      for await (const event of upstream.generate(replay, attempt)) events.push(event);
      assert.ok(events.some((event) => event.type === 'text' && event.text === 'done'));
      const sentSignatures = s.requests.map((request) => JSON.stringify(request.body).includes(signature));
      assert.deepEqual(sentSignatures, [true, false], 'the second request carries no signature');
      assert.deepEqual(
        upstream.hostAttempts(attempt).map((a) => [a.status, a.outcome]),
        [
          [400, 'signature_invalid'],
          [200, 'ok'],
        ],
      );
    });

    it('gives up after the second thought-signature 400', async () => {
      const s = await serve((_req, res) => json(res, 400, { error: { code: 400, message: 'Invalid signature in thinking block' } }));
      const iterator = upstreamFor([s.url]).generate(chat('Hi'), call())[Symbol.asyncIterator]();
      await assert.rejects(iterator.next(), (err: unknown) => err instanceof UpstreamFailure && err.kind === 'signature_invalid');
      assert.equal(s.requests.length, 2);
    });

    it('fails when the stream closes without any answer', async () => {
      const s = await serve((_req, res) => {
        sseHead(res);
        res.end();
      });
      const iterator = upstreamFor([s.url]).generate(chat('Hi'), call())[Symbol.asyncIterator]();
      await assert.rejects(iterator.next(), (err: unknown) => err instanceof UpstreamFailure && err.kind === 'server');
    });

    it("remembers a tool call's signature, so a client that drops it still replays it", async () => {
      const signature = 'x'.repeat(80);
      const s = await serve((_req, res) => {
        sseHead(res);
        sseFrame(res, {
          response: {
            candidates: [
              {
                content: { parts: [{ functionCall: { name: 'Bash', args: { command: 'ls' }, id: 'fc1' }, thoughtSignature: signature }] },
                finishReason: 'STOP',
              },
            ],
          },
        });
        res.end();
      });
      const upstream = upstreamFor([s.url], { signatures: new SignatureCache() });
      const tools = [{ name: 'Bash', parameters: { type: 'object', properties: { command: { type: 'string' } } } }];
      const events: ChatEvent[] = [];
      for await (const event of upstream.generate(chat('list', { tools }), call())) events.push(event);
      const last = events.at(-1);
      assert.equal(last?.type === 'finish' ? last.reason : undefined, 'tool_calls');

      const followUp = chat('list', {
        tools,
        messages: [
          { role: 'user', parts: [{ type: 'text', text: 'list' }] },
          { role: 'assistant', parts: [{ type: 'tool_call', id: 'fc1', name: 'Bash', args: { command: 'ls' } }] },
          { role: 'user', parts: [{ type: 'tool_result', callId: 'fc1', name: 'Bash', content: [{ type: 'text', text: 'a.txt' }] }] },
        ],
      });
      for await (const _event of upstream.generate(followUp, call())) {
        // drain
      }
      const replayed = (s.requests[1].body as { request: { contents: Array<{ parts: Array<Record<string, unknown>> }> } }).request;
      assert.equal(replayed.contents[1].parts[0].thoughtSignature, signature);
    });
  });

  describe('countTokens', () => {
    it('counts contents with the system prompt and tool declarations folded in', async () => {
      const s = await serve((_req, res) => json(res, 200, { totalTokens: 321 }));
      const upstream = upstreamFor([s.url]);
      const attempt = call();
      const tools = [{ name: 'Read', description: 'Read a file', parameters: { type: 'object', properties: { path: { type: 'string' } } } }];
      assert.equal(await upstream.countTokens(chat('How long?', { tools }), attempt), 321);
      const [seen] = s.requests;
      assert.equal(seen.url, '/v1internal:countTokens');
      const body = seen.body as { request: { model: string; contents: Array<{ role: string; parts: Array<{ text: string }> }> } };
      assert.equal(body.request.model, 'models/gemini-3-flash');
      assert.equal(body.request.contents.length, 1);
      const texts = body.request.contents[0].parts.map((p) => p.text);
      assert.equal(texts[0], 'Be brief.');
      assert.match(texts[1], /"name":"Read"/);
      assert.equal(texts[2], 'How long?');
      assert.equal(upstream.hostOf(attempt), s.url);
    });
  });

  describe('account API', () => {
    it('loadCodeAssist reads the project, as a string or as {id}, and the tiers', async () => {
      let answer: unknown = {
        cloudaicompanionProject: 'proj-a',
        currentTier: { id: 'standard-tier' },
        allowedTiers: [{ id: 'free-tier', isDefault: true }, { id: 'standard-tier' }],
        paidTier: { id: 'g1-pro-tier' },
      };
      const s = await serve((_req, res) => json(res, 200, answer));
      const upstream = upstreamFor([s.url]);
      assert.deepEqual(await upstream.loadCodeAssist(TOKEN), {
        projectId: 'proj-a',
        currentTier: 'standard-tier',
        allowedTiers: [{ id: 'free-tier', isDefault: true }, { id: 'standard-tier' }],
        paidTier: 'g1-pro-tier',
      });
      const metadata = (s.requests[0].body as { metadata: Record<string, string> }).metadata;
      assert.equal(metadata.ideType, 'ANTIGRAVITY');
      assert.equal(metadata.pluginType, 'GEMINI');
      assert.ok(metadata.platform);
      answer = { cloudaicompanionProject: { id: 'proj-b' }, allowedTiers: [] };
      assert.equal((await upstream.loadCodeAssist(TOKEN)).projectId, 'proj-b');
      answer = { allowedTiers: [{ id: 'free-tier', isDefault: true }] };
      assert.equal((await upstream.loadCodeAssist(TOKEN)).projectId, undefined);
    });

    it('onboardUser polls the operation until it is done', async () => {
      let polls = 0;
      const s = await serve((_req, res) => {
        polls++;
        if (polls < 3) return json(res, 200, { name: 'operations/onboard-1', done: false });
        json(res, 200, { name: 'operations/onboard-1', done: true, response: { cloudaicompanionProject: { id: 'proj-new' } } });
      });
      assert.equal(await upstreamFor([s.url]).onboardUser(TOKEN, 'free-tier'), 'proj-new');
      assert.equal(polls, 3);
      assert.equal((s.requests[0].body as { tierId: string }).tierId, 'free-tier');
      assert.equal(s.requests[0].url, '/v1internal:onboardUser');
    });

    it('onboardUser gives up after its poll budget, and stops when aborted', async () => {
      const s = await serve((_req, res) => json(res, 200, { name: 'operations/slow', done: false }));
      const failure = await upstreamFor([s.url], { onboardMaxPolls: 3 })
        .onboardUser(TOKEN, 'free-tier')
        .catch((e: unknown) => e);
      assert.ok(failure instanceof UpstreamFailure && failure.kind === 'timeout');
      assert.equal(s.requests.length, 3);

      const controller = new AbortController();
      const pending = upstreamFor([s.url], { onboardPollIntervalMs: 60_000 }).onboardUser(TOKEN, 'free-tier', controller.signal);
      setTimeout(() => controller.abort(), 50);
      await assert.rejects(pending, (err: unknown) => err instanceof Error && err.name === 'AbortError');
    });

    it('fetchAvailableModels reads quotas; a reset time without a fraction means none left', async () => {
      const s = await serve((_req, res) =>
        json(res, 200, {
          models: {
            'claude-sonnet-4-6': {
              displayName: 'Claude Sonnet 4.6',
              quotaInfo: { remainingFraction: 0.73, resetTime: '2026-04-20T12:00:00Z' },
              maxTokens: 200_000,
              maxOutputTokens: 64_000,
              supportsImages: true,
              supportsThinking: false,
              recommended: true,
            },
            'gemini-3-flash': { quotaInfo: { resetTime: '2026-04-20T10:00:00Z' }, thinkingBudget: 8192 },
            'gemini-2.5-flash': {},
          },
          deprecatedModelIds: { 'claude-sonnet-4-5': { newModelId: 'claude-sonnet-4-6' } },
        }),
      );
      const snapshot = await upstreamFor([s.url]).fetchAvailableModels(TOKEN, 'proj-7');
      assert.deepEqual(s.requests[0].body, { project: 'proj-7' });
      assert.deepEqual(snapshot.models, [
        {
          id: 'claude-sonnet-4-6',
          remainingFraction: 0.73,
          resetAt: Date.parse('2026-04-20T12:00:00Z'),
          displayName: 'Claude Sonnet 4.6',
          maxTokens: 200_000,
          maxOutputTokens: 64_000,
          supportsImages: true,
          supportsThinking: false,
          recommended: true,
        },
        { id: 'gemini-3-flash', remainingFraction: 0, resetAt: Date.parse('2026-04-20T10:00:00Z'), thinkingBudget: 8192 },
        { id: 'gemini-2.5-flash', remainingFraction: 1 },
      ]);
      assert.deepEqual(snapshot.deprecated, { 'claude-sonnet-4-5': 'claude-sonnet-4-6' });
      assert.ok(snapshot.fetchedAt > 0);
    });

    it('account calls fail with classified failures', async () => {
      const s = await serve((_req, res) => json(res, 401, { error: { code: 401, message: 'Request had invalid authentication credentials.' } }));
      await assert.rejects(upstreamFor([s.url]).loadCodeAssist(TOKEN), (err: unknown) => err instanceof UpstreamFailure && err.kind === 'auth_expired');
    });
  });
});
