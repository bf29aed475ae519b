import assert from 'node:assert/strict';
import type { ChatRequest, ChatResponse } from '../../../src/core/ir';
import { anthropicCodec, encodeCountTokens } from '../../../src/core/protocols/anthropic';

const request: ChatRequest = { protocol: 'anthropic', model: 'claude-sonnet-4-5', system: [], messages: [], tools: [], stream: false };
const response = (over: Partial<ChatResponse>): ChatResponse => ({
  id: 'resp-1',
  model: 'claude-sonnet-4-6',
  parts: [{ type: 'text', text: 'Hi.' }],
  finishReason: 'stop',
  usage: { inputTokens: 5000, cachedInputTokens: 4096, outputTokens: 30, thinkingTokens: 120 },
  ...over,
});

describe('anthropic non-stream encoding', () => {
  it('answers a message with the client model id, usage excluding cache reads and output including thinking', () => {
    assert.deepEqual(anthropicCodec.encodeResponse(response({}), request), {
      id: 'msg_resp-1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [{ type: 'text', text: 'Hi.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 904, cache_creation_input_tokens: 0, cache_read_input_tokens: 4096, output_tokens: 150 },
    });
  });

  it('renders thinking, redacted thinking, text and tool calls in order', () => {
    const message = anthropicCodec.encodeResponse(
      response({
        parts: [
          { type: 'thinking', text: 'Plan.', signature: 'sig-1' },
          { type: 'thinking', text: '', signature: 'opaque', redacted: true },
          { type: 'text', text: 'Reading.' },
          { type: 'tool_call', id: 'toolu_1', name: 'Read', args: { file_path: '/x' }, signature: 'gemini-sig' },
        ],
        finishReason: 'tool_calls',
      }),
      request,
    ) as { content: unknown[]; stop_reason: string };
    assert.deepEqual(message.content, [
      { type: 'thinking', thinking: 'Plan.', signature: 'sig-1' },
      { type: 'redacted_thinking', data: 'opaque' },
      { type: 'text', text: 'Reading.' },
      { type: 'tool_use', id: 'toolu_1', name: 'Read', input: { file_path: '/x' } },
    ]);
    assert.equal(message.stop_reason, 'tool_use');
  });

  it('maps every finish reason to its stop_reason', () => {
    const stopReason = (finishReason: ChatResponse['finishReason'], stopSequence?: string) =>
      anthropicCodec.encodeResponse(response({ finishReason, stopSequence }), request) as { stop_reason: string; stop_sequence: string | null };
    assert.equal(stopReason('stop').stop_reason, 'end_turn');
    assert.equal(stopReason('length').stop_reason, 'max_tokens');
    assert.equal(stopReason('tool_calls').stop_reason, 'tool_use');
    assert.equal(stopReason('content_filter').stop_reason, 'refusal');
    const matched = stopReason('stop_sequence', '###');
    assert.deepEqual([matched.stop_reason, matched.stop_sequence], ['stop_sequence', '###']);
  });

  it('never reports negative input tokens when the upstream counts more cached than prompt tokens', () => {
    const message = anthropicCodec.encodeResponse(
      response({ usage: { inputTokens: 10, cachedInputTokens: 12, outputTokens: 1, thinkingTokens: 0 } }),
      request,
    ) as { usage: { input_tokens: number } };
    assert.equal(message.usage.input_tokens, 0);
  });

  it('puts search grounding after the thinking and before the answer; images become image blocks', () => {
    const message = anthropicCodec.encodeResponse(
      response({
        parts: [
          { type: 'thinking', text: 'search', signature: 's' },
          { type: 'text', text: 'Per the site…' },
          { type: 'media', mimeType: 'image/png', source: { kind: 'base64', data: 'iVBORw0KGgo=' } },
        ],
        grounding: { webSearchQueries: ['q'], groundingChunks: [{ web: { uri: 'https://example.com', title: 'Example' } }, { retrievedContext: {} }] },
      }),
      request,
    ) as { content: Array<Record<string, unknown>> };
    assert.deepEqual(
      message.content.map((b) => b.type),
      ['thinking', 'server_tool_use', 'web_search_tool_result', 'text', 'image'],
    );
    assert.deepEqual(message.content[2].content, [
      { type: 'web_search_result', url: 'https://example.com', title: 'Example', encrypted_content: '', page_age: null },
    ]);
    assert.deepEqual(message.content[4], { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } });
  });

  it('count_tokens answers input_tokens', () => {
    assert.deepEqual(encodeCountTokens({ inputTokens: 321, estimated: true }), { input_tokens: 321 });
  });
});
