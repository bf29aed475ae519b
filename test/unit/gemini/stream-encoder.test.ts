import assert from 'node:assert/strict';
import { GatewayError } from '../../../src/core/errors';
import type { ChatEvent } from '../../../src/core/ir';
import type { StreamEncoder } from '../../../src/core/protocols/codec';
import { GeminiCodec } from '../../../src/core/protocols/gemini';
import { routeContext } from './helpers';

const codec = new GeminiCodec();
const usage = { inputTokens: 10, cachedInputTokens: 0, outputTokens: 5, thinkingTokens: 3 };
const answer: ChatEvent[] = [
  { type: 'thinking', text: 'Hmm.' },
  { type: 'thinking_signature', signature: 'SIG' },
  { type: 'usage', usage },
  { type: 'text', text: 'Hello' },
  { type: 'text', text: ' world' },
  { type: 'finish', reason: 'stop', usage },
];

function encoderFor(alt: string | undefined, generationConfig: unknown = { thinkingConfig: { includeThoughts: true } }): StreamEncoder {
  const request = codec.decodeRequest({ contents: [{ parts: [{ text: 'hi' }] }], generationConfig }, routeContext('gemini-3-flash', { stream: true, alt }));
  return codec.createStreamEncoder(request);
}

/** The data payloads of an SSE body, parsed. */
const sseEvents = (body: string): unknown[] =>
  body
    .split('\r\n\r\n')
    .map((event) => event.trim())
    .filter((event) => event.startsWith('data: '))
    .map((event) => JSON.parse(event.slice('data: '.length)));

const partsOf = (chunk: any) => chunk.candidates[0].content.parts;

describe('gemini encode: a streamed answer', () => {
  it('with alt=sse, writes one data event per event as it comes, the last one carrying finish and usage', () => {
    const encoder = encoderFor('sse');
    assert.equal(encoder.contentType, 'text/event-stream');
    const frames = answer.map((event) => encoder.encode(event));
    assert.equal(frames[2], '', 'usage alone writes nothing');
    for (const frame of frames.filter((f) => f !== '')) assert.match(frame, /^data: \{.*\}\r\n\r\n$/);
    const body = frames.join('') + encoder.end();
    assert.doesNotMatch(body, /\[DONE\]/);
    const chunks = sseEvents(body) as any[];
    assert.deepEqual(chunks.map(partsOf), [
      [{ text: 'Hmm.', thought: true }],
      [{ text: '', thoughtSignature: 'SIG' }],
      [{ text: 'Hello' }],
      [{ text: ' world' }],
      [{ text: '' }],
    ]);
    for (const chunk of chunks.slice(0, -1)) {
      assert.equal(chunk.candidates[0].finishReason, undefined);
      assert.equal(chunk.usageMetadata, undefined);
    }
    const last = chunks[chunks.length - 1];
    assert.equal(last.candidates[0].finishReason, 'STOP');
    assert.deepEqual(last.usageMetadata, { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 18, thoughtsTokenCount: 3 });
    assert.equal(new Set(chunks.map((c) => c.responseId)).size, 1, 'one responseId for the whole answer');
    assert.ok(chunks.every((c) => c.modelVersion === 'gemini-3-flash' && c.candidates[0].content.role === 'model'));
  });

  it('without alt (or alt=json), writes one JSON array whose elements arrive one by one', () => {
    for (const alt of [undefined, 'json']) {
      const encoder = encoderFor(alt);
      assert.equal(encoder.contentType, 'application/json; charset=UTF-8');
      const frames = [encoder.keepAlive(), ...answer.map((event) => encoder.encode(event)), encoder.keepAlive(), encoder.end()];
      assert.equal(frames[0], '[\n', 'a keep-alive before the first chunk opens the array');
      const body = frames.join('');
      const chunks = JSON.parse(body);
      assert.equal(chunks.length, 5);
      assert.deepEqual(partsOf(chunks[2]), [{ text: 'Hello' }]);
      assert.equal(chunks[4].candidates[0].finishReason, 'STOP');
      assert.equal(encoder.end(), '', 'closing twice writes nothing');
    }
  });

  it('an empty answer is still a valid (empty) JSON array', () => {
    const encoder = encoderFor(undefined);
    assert.deepEqual(JSON.parse(encoder.end()), []);
  });

  it('keeps the connection alive with bytes every Google SSE parser skips', () => {
    const encoder = encoderFor('sse');
    const body = encoder.keepAlive() + encoder.encode({ type: 'text', text: 'a' }) + encoder.keepAlive() + encoder.keepAlive();
    // The @google/genai 1.x in gemini-cli anchors its event regex at the buffer start, whitespace allowed.
    assert.match(body, /^\s*data: (.*)(?:\n\n|\r\r|\r\n\r\n)/);
    assert.equal(body.trim().startsWith('data: '), true);
    assert.equal(sseEvents(body).length, 1);
  });

  it('hides thought text from a client that did not ask for thoughts, but not the signature', () => {
    const encoder = encoderFor('sse', {});
    assert.equal(encoder.encode({ type: 'thinking', text: 'secret' }), '');
    assert.deepEqual(partsOf(sseEvents(encoder.encode({ type: 'thinking_signature', signature: 'S' }))[0]), [{ text: '', thoughtSignature: 'S' }]);
  });

  it('streams calls with their id and signature, images, and grounding as they come', () => {
    const encoder = encoderFor('sse');
    const [call, image, grounding] = sseEvents(
      encoder.encode({ type: 'tool_call', call: { type: 'tool_call', id: 'c1', name: 'f', args: { a: 1 }, signature: 'CS' } }) +
        encoder.encode({ type: 'media', mimeType: 'image/png', data: 'iVBOR' }) +
        encoder.encode({ type: 'grounding', metadata: { webSearchQueries: ['q'] } }),
    ) as any[];
    assert.deepEqual(partsOf(call), [{ functionCall: { id: 'c1', name: 'f', args: { a: 1 } }, thoughtSignature: 'CS' }]);
    assert.deepEqual(partsOf(image), [{ inlineData: { mimeType: 'image/png', data: 'iVBOR' } }]);
    assert.deepEqual(grounding.candidates[0].groundingMetadata, { webSearchQueries: ['q'] });
    assert.deepEqual(partsOf(grounding), [{ text: '' }]);
  });

  it('ends an SSE stream that fails midway with a Google error object, never a silent cut', () => {
    const encoder = encoderFor('sse');
    const body = encoder.encode({ type: 'text', text: 'partial' }) + encoder.error(new GatewayError('unavailable', 'No capacity'));
    const [, error] = sseEvents(body);
    const expected = { error: { code: 503, message: 'No capacity', status: 'UNAVAILABLE' } };
    assert.deepEqual(error, expected);
    // Repeated bare, for the @google/genai 1.x in gemini-cli, which only throws on leftover bytes.
    assert.ok(body.endsWith(`\r\n\r\n${JSON.stringify(expected)}`));
    assert.equal(encoder.encode({ type: 'text', text: 'late' }), '');
    assert.equal(encoder.keepAlive(), '');
    assert.equal(encoder.end(), '');
  });

  it('ends a JSON-array stream that fails midway with the error as its last element', () => {
    const encoder = encoderFor(undefined);
    const body = encoder.encode({ type: 'text', text: 'partial' }) + encoder.error(new GatewayError('timeout', 'Upstream timed out'));
    const chunks = JSON.parse(body);
    assert.deepEqual(chunks[1], { error: { code: 504, message: 'Upstream timed out', status: 'DEADLINE_EXCEEDED' } });
    assert.equal(encoder.end(), '');
  });

  it('after the finish chunk, an error only closes the framing: the answer was whole', () => {
    const encoder = encoderFor(undefined);
    const body = answer.map((event) => encoder.encode(event)).join('') + encoder.error(new GatewayError('api_error', 'late'));
    assert.equal(JSON.parse(body).length, 5);
  });

  it('a copy of the request keeps the framing it asked for; one it did not decode streams as SSE', () => {
    const request = codec.decodeRequest({ contents: [{ parts: [{ text: 'hi' }] }] }, routeContext('m', { stream: true }));
    assert.equal(codec.createStreamEncoder(request).contentType, 'application/json; charset=UTF-8');
    assert.equal(codec.createStreamEncoder({ ...request, messages: [] }).contentType, 'application/json; charset=UTF-8');
    assert.equal(codec.createStreamEncoder({ ...request, inboundCodecState: undefined }).contentType, 'text/event-stream');
  });
});
