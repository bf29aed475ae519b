import assert from 'node:assert/strict';
import type { Message } from '../../../src/core/ir';
import { GeminiCodec } from '../../../src/core/protocols/gemini';
import { routeContext } from './helpers';

const codec = new GeminiCodec();
const decodeMessages = (contents: unknown[]): Message[] => codec.decodeRequest({ contents }, routeContext('gemini-3-flash')).messages;

describe('gemini decode: contents', () => {
  describe('thought signatures pass through untouched, where they were', () => {
    const signature = 'EqQCCqECAdHtim9'.repeat(5);

    it('a thought part keeps its text and signature', () => {
      const [message] = decodeMessages([{ role: 'model', parts: [{ text: 'Let me think.', thought: true, thoughtSignature: signature }] }]);
      assert.deepEqual(message, { role: 'assistant', parts: [{ type: 'thinking', text: 'Let me think.', signature }] });
    });

    it('a signature on a text or image part becomes a signature-only thinking part just before it', () => {
      const [message] = decodeMessages([
        {
          role: 'model',
          parts: [
            { text: 'Here it is.', thoughtSignature: signature },
            { inlineData: { mimeType: 'image/png', data: 'iVBOR' }, thoughtSignature: `${signature}2` },
            { text: '', thoughtSignature: `${signature}3` },
            // gemini-cli replays that last one without its empty text.
            { thoughtSignature: `${signature}4` },
          ],
        },
      ]);
      assert.deepEqual(message.parts, [
        { type: 'thinking', text: '', signature, redacted: true },
        { type: 'text', text: 'Here it is.' },
        { type: 'thinking', text: '', signature: `${signature}2`, redacted: true },
        { type: 'media', mimeType: 'image/png', source: { kind: 'base64', data: 'iVBOR' } },
        { type: 'thinking', text: '', signature: `${signature}3`, redacted: true },
        { type: 'thinking', text: '', signature: `${signature}4`, redacted: true },
      ]);
    });

    it("a function call's signature stays on the call, including gemini-cli's skip sentinel", () => {
      const [message] = decodeMessages([
        {
          role: 'model',
          parts: [
            { functionCall: { id: 'c1', name: 'a', args: {} }, thoughtSignature: signature },
            { functionCall: { id: 'c2', name: 'b', args: {} }, thoughtSignature: 'skip_thought_signature_validator' },
            { functionCall: { id: 'c3', name: 'c' } },
          ],
        },
      ]);
      assert.deepEqual(message.parts, [
        { type: 'tool_call', id: 'c1', name: 'a', args: {}, signature },
        { type: 'tool_call', id: 'c2', name: 'b', args: {}, signature: 'skip_thought_signature_validator' },
        { type: 'tool_call', id: 'c3', name: 'c', args: {} },
      ]);
    });
  });

  describe('tool call ids', () => {
    const idLessHistory = [
      { role: 'user', parts: [{ text: 'weather in Paris and Rome, then the time' }] },
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'get_weather', args: { city: 'Paris' } } },
          { functionCall: { name: 'get_weather', args: { city: 'Rome' } } },
          { functionCall: { name: 'mcp.clock:now', args: {} } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'mcp.clock:now', response: { output: '12:00' } } },
          { functionResponse: { name: 'get_weather', response: { output: 'sunny' } } },
          { functionResponse: { name: 'get_weather', response: { error: 'no station' } } },
        ],
      },
    ];

    it('invents ids for calls that have none and pairs id-less results with calls by name, in order', () => {
      const [, calls, results] = decodeMessages(idLessHistory);
      assert.deepEqual(
        calls.parts.map((p) => p.type === 'tool_call' && p.id),
        ['get_weather_0', 'get_weather_1', 'mcp_clock_now_2'],
      );
      assert.deepEqual(results.parts, [
        {
          type: 'tool_result',
          callId: 'mcp_clock_now_2',
          name: 'mcp.clock:now',
          content: [{ type: 'text', text: '{"output":"12:00"}' }],
          response: { output: '12:00' },
        },
        {
          type: 'tool_result',
          callId: 'get_weather_0',
          name: 'get_weather',
          content: [{ type: 'text', text: '{"output":"sunny"}' }],
          response: { output: 'sunny' },
        },
        {
          type: 'tool_result',
          callId: 'get_weather_1',
          name: 'get_weather',
          content: [{ type: 'text', text: '{"error":"no station"}' }],
          isError: true,
          response: { error: 'no station' },
        },
      ]);
    });

    it('gives a call the same invented id on every later turn that replays it', () => {
      const firstTurn = decodeMessages(idLessHistory.slice(0, 2));
      const laterTurn = decodeMessages([...idLessHistory, { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Oslo' } } }] }]);
      assert.deepEqual(laterTurn[1], firstTurn[1]);
      const last = laterTurn[laterTurn.length - 1].parts[0];
      assert.ok(last.type === 'tool_call' && last.id === 'get_weather_3');
    });

    it('fills a nameless result from the call its id answers', () => {
      const [, results] = decodeMessages([
        { role: 'model', parts: [{ functionCall: { id: 'toolu_1', name: 'read_file', args: { path: 'a' } } }] },
        { role: 'user', parts: [{ functionResponse: { id: 'toolu_1', response: { output: 'text' } } }] },
      ]);
      assert.deepEqual(results.parts[0], {
        type: 'tool_result',
        callId: 'toolu_1',
        name: 'read_file',
        content: [{ type: 'text', text: '{"output":"text"}' }],
        response: { output: 'text' },
      });
    });

    it('carries the media a function returned after its JSON', () => {
      const [, results] = decodeMessages([
        { role: 'model', parts: [{ functionCall: { id: 'c', name: 'screenshot', args: {} } }] },
        {
          role: 'user',
          parts: [
            {
              functionResponse: {
                id: 'c',
                name: 'screenshot',
                response: { output: 'ok' },
                parts: [{ inlineData: { mimeType: 'image/png', data: 'AAAA' } }, { fileData: { fileUri: 'https://example.com/a.png' } }],
              },
            },
          ],
        },
      ]);
      assert.deepEqual(results.parts[0], {
        type: 'tool_result',
        callId: 'c',
        name: 'screenshot',
        content: [
          { type: 'text', text: '{"output":"ok"}' },
          { type: 'media', mimeType: 'image/png', source: { kind: 'base64', data: 'AAAA' } },
          { type: 'media', mimeType: '', source: { kind: 'url', url: 'https://example.com/a.png' } },
        ],
        response: { output: 'ok' },
      });
    });
  });

  it('maps roles: missing and legacy `function` are user turns, model is the assistant', () => {
    const messages = decodeMessages([
      { parts: [{ text: 'a' }] },
      { role: 'model', parts: [{ functionCall: { id: 'x', name: 'f', args: {} } }] },
      { role: 'function', parts: [{ functionResponse: { id: 'x', name: 'f', response: {} } }] },
    ]);
    assert.deepEqual(
      messages.map((m) => m.role),
      ['user', 'assistant', 'user'],
    );
  });

  it('reads fileData as a URL source, with its MIME type when given', () => {
    const [message] = decodeMessages([{ parts: [{ fileData: { mimeType: 'application/pdf', fileUri: 'https://example.com/a.pdf' } }] }]);
    assert.deepEqual(message.parts, [{ type: 'media', mimeType: 'application/pdf', source: { kind: 'url', url: 'https://example.com/a.pdf' } }]);
  });

  it('leaves out empty text parts, and turns made only of them (SDK chat histories replay stream tails)', () => {
    const messages = decodeMessages([
      { role: 'user', parts: [{ text: 'hi' }] },
      { role: 'model', parts: [{ text: 'Hello' }, { text: '' }] },
      { role: 'model', parts: [{ text: '' }] },
      { role: 'user', parts: [{ text: 'again' }] },
    ]);
    assert.deepEqual(messages, [
      { role: 'user', parts: [{ type: 'text', text: 'hi' }] },
      { role: 'assistant', parts: [{ type: 'text', text: 'Hello' }] },
      { role: 'user', parts: [{ type: 'text', text: 'again' }] },
    ]);
  });
});
