/**
 * The encoder's bytes as the real @google/genai 2.x reads them: a loopback
 * server decodes each SDK request with the codec and answers with the codec's
 * encodings of scripted IR events.
 */
import assert from 'node:assert/strict';
import type http from 'node:http';
import type { GoogleGenAI } from '@google/genai' with { 'resolution-mode': 'import' };
import type { CatalogModel } from '../../../src/core/dispatch';
import { GatewayError, toGatewayError } from '../../../src/core/errors';
import type { ChatEvent, ChatRequest, ChatResponse } from '../../../src/core/ir';
import type { InboundContext } from '../../../src/core/protocols/codec';
import { GeminiCodec } from '../../../src/core/protocols/gemini';
import { nextChunk, sdkLoopback, sendJson as send, type LoopbackRequest, type SdkLoopback } from '../../helpers/sdk-loopback';

const codec = new GeminiCodec();
const usage = { inputTokens: 40, cachedInputTokens: 8, outputTokens: 6, thinkingTokens: 5 };
const catalog: CatalogModel[] = [
  { id: 'gemini-3-flash', displayName: 'Gemini 3 Flash', kind: 'model', inputTokenLimit: 1048576, outputTokenLimit: 65536, supportsThinking: true },
];

interface Script {
  /** Streamed answers. */
  events?: ChatEvent[];
  /** Whole answers. */
  response?: ChatResponse;
  /** A keep-alive before every event. */
  keepAlives?: boolean;
  /** Fails the stream after its events. */
  failMidway?: GatewayError;
  /** Fails the request before any answer. */
  reject?: GatewayError;
}

let script: Script = {};
const received: ChatRequest[] = [];

async function stream(res: http.ServerResponse, request: ChatRequest): Promise<void> {
  const encoder = codec.createStreamEncoder(request);
  res.writeHead(200, { 'content-type': encoder.contentType });
  for (const event of script.events ?? []) {
    if (script.keepAlives) res.write(encoder.keepAlive());
    res.write(encoder.encode(event));
    await nextChunk();
  }
  res.end(script.failMidway ? encoder.error(script.failMidway) : encoder.end());
}

async function handle({ method: verb, url, headers, body: raw }: LoopbackRequest, res: http.ServerResponse): Promise<void> {
  if (verb === 'GET') {
    const id = /^\/v1beta\/models\/(.+)$/.exec(url.pathname)?.[1];
    const model = catalog.find((m) => m.id === id);
    if (id === undefined) return send(res, 200, codec.encodeModelList(catalog));
    if (model === undefined) return send(res, 404, codec.encodeError(new GatewayError('not_found', 'no such model')).body);
    return send(res, 200, codec.encodeModel(model));
  }
  const [, model, method] = /^\/v1beta\/models\/([^:]+):(\w+)$/.exec(url.pathname) ?? [];
  const ctx: InboundContext = {
    headers,
    query: Object.fromEntries(url.searchParams),
    params: { model },
    streamFromPath: method === 'streamGenerateContent',
  };
  try {
    if (method === 'countTokens') {
      const request = codec.decodeCountTokensRequest(JSON.parse(raw), ctx);
      return send(res, 200, codec.encodeCountTokens({ inputTokens: request.messages.length * 100, estimated: false }));
    }
    const request = codec.decodeRequest(JSON.parse(raw), ctx);
    received.push(request);
    if (script.reject) throw script.reject;
    if (!request.stream) return send(res, 200, codec.encodeResponse(script.response!, request));
    await stream(res, request);
  } catch (err) {
    const reply = codec.encodeError(toGatewayError(err));
    send(res, reply.status, reply.body, reply.headers);
  }
}

describe('gemini codec with the real @google/genai SDK', () => {
  let loopback: SdkLoopback;
  let ai: GoogleGenAI;
  /** The SDK is an ES module; test files are CommonJS. */
  let ApiError: typeof import('@google/genai', { with: { 'resolution-mode': 'import' } }).ApiError;

  before(async () => {
    const genai = await import('@google/genai');
    ApiError = genai.ApiError;
    loopback = await sdkLoopback(handle);
    ai = new genai.GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: loopback.baseUrl } });
  });

  after(async () => {
    await loopback.close();
  });

  beforeEach(() => {
    script = {};
    received.length = 0;
  });

  const thinkingAnswer: ChatEvent[] = [
    { type: 'thinking', text: 'Weighing it.' },
    { type: 'thinking_signature', signature: 'THOUGHT_SIG' },
    { type: 'text', text: 'Hello' },
    { type: 'text', text: ' there' },
    { type: 'finish', reason: 'stop', usage },
  ];

  it('generateContentStream reads every SSE chunk: thoughts, signature, text, then finish and usage', async () => {
    script = { events: thinkingAnswer };
    const chunks = [];
    for await (const chunk of await ai.models.generateContentStream({
      model: 'gemini-3-flash',
      contents: 'Say hello',
      config: { thinkingConfig: { includeThoughts: true } },
    })) {
      chunks.push(chunk);
    }
    assert.equal(received[0].includeThoughts, true);
    assert.deepEqual(
      chunks.map((c) => c.candidates?.[0].content?.parts),
      [[{ text: 'Weighing it.', thought: true }], [{ text: '', thoughtSignature: 'THOUGHT_SIG' }], [{ text: 'Hello' }], [{ text: ' there' }], [{ text: '' }]],
    );
    assert.equal(chunks.map((c) => c.text ?? '').join(''), 'Hello there');
    const last = chunks[chunks.length - 1];
    assert.equal(last.candidates?.[0].finishReason, 'STOP');
    assert.deepEqual(last.usageMetadata, {
      promptTokenCount: 40,
      candidatesTokenCount: 6,
      totalTokenCount: 51,
      cachedContentTokenCount: 8,
      thoughtsTokenCount: 5,
    });
  });

  it('keep-alives between chunks change nothing the SDK yields', async () => {
    script = { events: thinkingAnswer, keepAlives: true };
    const texts: string[] = [];
    for await (const chunk of await ai.models.generateContentStream({ model: 'gemini-3-flash', contents: 'Say hello' })) {
      texts.push(chunk.text ?? '');
    }
    assert.equal(texts.join(''), 'Hello there');
  });

  it('generateContent reads the whole answer, with the call id, args and signature', async () => {
    script = {
      response: {
        id: 'resp-9',
        model: 'gemini-3-flash',
        parts: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_call', id: 'call_7', name: 'get_weather', args: { city: 'Paris' }, signature: 'CALL_SIG' },
        ],
        finishReason: 'tool_calls',
        usage,
      },
    };
    const response = await ai.models.generateContent({ model: 'gemini-3-flash', contents: 'Weather in Paris?' });
    assert.equal(received[0].stream, false);
    assert.deepEqual(response.functionCalls, [{ id: 'call_7', name: 'get_weather', args: { city: 'Paris' } }]);
    assert.equal(response.candidates?.[0].content?.parts?.[1].thoughtSignature, 'CALL_SIG');
    assert.equal(response.responseId, 'resp-9');
    assert.equal(response.usageMetadata?.totalTokenCount, 51);
  });

  it('a chat keeps the streamed answer in its history and replays the signatures to the gateway', async () => {
    script = { events: thinkingAnswer };
    const chat = ai.chats.create({ model: 'gemini-3-flash', config: { thinkingConfig: { includeThoughts: true } } });
    for await (const chunk of await chat.sendMessageStream({ message: 'first' })) void chunk;
    for await (const chunk of await chat.sendMessageStream({ message: 'second' })) void chunk;
    // The SDK records each chunk as its own model turn (the upstream merges them, upstream-protocol §9);
    // the closing chunk's empty text carries nothing and is left out.
    const turn = (part: unknown) => ({ role: 'assistant', parts: [part] });
    assert.deepEqual(received[1].messages, [
      { role: 'user', parts: [{ type: 'text', text: 'first' }] },
      turn({ type: 'thinking', text: 'Weighing it.' }),
      turn({ type: 'thinking', text: '', signature: 'THOUGHT_SIG', redacted: true }),
      turn({ type: 'text', text: 'Hello' }),
      turn({ type: 'text', text: ' there' }),
      { role: 'user', parts: [{ type: 'text', text: 'second' }] },
    ]);
  });

  it('a failure mid-stream makes the SDK throw the gateway error, after the chunks before it', async () => {
    script = { events: [{ type: 'text', text: 'partial' }], failMidway: new GatewayError('unavailable', 'No capacity available') };
    const texts: string[] = [];
    await assert.rejects(
      async () => {
        for await (const chunk of await ai.models.generateContentStream({ model: 'gemini-3-flash', contents: 'hi' })) {
          texts.push(chunk.text ?? '');
        }
      },
      (err: unknown) => err instanceof ApiError && err.status === 503 && err.message.includes('No capacity available'),
    );
    assert.deepEqual(texts, ['partial']);
  });

  it('a 429 before the stream reaches the SDK with its status and retry details', async () => {
    script = { reject: new GatewayError('rate_limit', 'All accounts are rate limited', { retryAfterSeconds: 30 }) };
    await assert.rejects(
      async () => ai.models.generateContentStream({ model: 'gemini-3-flash', contents: 'hi' }),
      (err: unknown) =>
        err instanceof ApiError && err.status === 429 && err.message.includes('RESOURCE_EXHAUSTED') && err.message.includes('"retryDelay":"30s"'),
    );
  });

  it('a request the codec refuses reaches the SDK as INVALID_ARGUMENT naming the field', async () => {
    await assert.rejects(
      async () => ai.models.generateContent({ model: 'gemini-3-flash', contents: 'hi', config: { candidateCount: 2 } }),
      (err: unknown) => err instanceof ApiError && err.status === 400 && err.message.includes('generationConfig.candidateCount'),
    );
  });

  it('countTokens, models.get and models.list read the codec answers', async () => {
    const counted = await ai.models.countTokens({ model: 'gemini-3-flash', contents: 'count these' });
    assert.equal(counted.totalTokens, 100);
    const model = await ai.models.get({ model: 'gemini-3-flash' });
    assert.equal(model.name, 'models/gemini-3-flash');
    assert.equal(model.inputTokenLimit, 1048576);
    assert.equal(model.thinking, true);
    const names = [];
    for await (const listed of await ai.models.list()) names.push(listed.name);
    assert.deepEqual(names, ['models/gemini-3-flash']);
  });

  it('a plain REST stream (no alt) is one JSON array of the same chunks', async () => {
    script = { events: thinkingAnswer };
    const res = await fetch(`${loopback.baseUrl}/v1beta/models/gemini-3-flash:streamGenerateContent`, {
      method: 'POST',
      body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }),
    });
    assert.equal(res.headers.get('content-type'), 'application/json; charset=UTF-8');
    const chunks = await res.json();
    assert.equal(chunks.length, 4, 'thought text withheld: the request did not ask for thoughts');
    assert.equal(chunks[3].candidates[0].finishReason, 'STOP');
  });
});
