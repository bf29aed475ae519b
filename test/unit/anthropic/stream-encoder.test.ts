import assert from 'node:assert/strict';
import { GatewayError } from '../../../src/core/errors';
import type { ChatEvent, ChatRequest, Usage } from '../../../src/core/ir';
import { anthropicCodec } from '../../../src/core/protocols/anthropic';
import { outline, parseFrames, type Frame } from './sse';

const request: ChatRequest = { protocol: 'anthropic', model: 'claude-sonnet-4-6', system: [], messages: [], tools: [], stream: true };
const usage: Usage = { inputTokens: 1200, cachedInputTokens: 1000, outputTokens: 40, thinkingTokens: 60 };

/** Encodes events one by one, checking that each produced its frames at once. */
function run(events: ChatEvent[]): { frames: Frame[]; perEvent: string[] } {
  const encoder = anthropicCodec.createStreamEncoder(request);
  const perEvent = events.map((event) => encoder.encode(event));
  const text = perEvent.join('') + encoder.end();
  return { frames: parseFrames(text), perEvent };
}

const call = (id: string, name: string, args: Record<string, unknown>): ChatEvent => ({ type: 'tool_call', call: { type: 'tool_call', id, name, args } });

describe('anthropic stream encoder', () => {
  it('text only: message_start, one text block, message_delta, message_stop', () => {
    const { frames, perEvent } = run([
      { type: 'text', text: 'Hel' },
      { type: 'text', text: 'lo' },
      { type: 'finish', reason: 'stop', usage },
    ]);
    assert.deepEqual(outline(frames), [
      'message_start',
      'start 0 text',
      'delta 0 text_delta',
      'delta 0 text_delta',
      'stop 0',
      'message_delta end_turn',
      'message_stop',
    ]);
    assert.ok(perEvent[0].includes('"text":"Hel"'), 'the first delta is written with the first event');
    const start = frames[0].data.message;
    assert.deepEqual(
      { id: /^msg_/.test(start.id), type: start.type, role: start.role, model: start.model, content: start.content, stop_reason: start.stop_reason },
      { id: true, type: 'message', role: 'assistant', model: 'claude-sonnet-4-6', content: [], stop_reason: null },
    );
    assert.deepEqual(frames[1].data.content_block, { type: 'text', text: '' });
    assert.deepEqual(frames[5].data, {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 200, cache_creation_input_tokens: 0, cache_read_input_tokens: 1000, output_tokens: 100 },
    });
  });

  it('thinking then text: the signature closes the thinking block, text gets index 1', () => {
    const { frames } = run([
      { type: 'thinking', text: 'Let me ' },
      { type: 'thinking', text: 'think.' },
      { type: 'thinking_signature', signature: 'sig-1' },
      { type: 'text', text: 'Answer.' },
      { type: 'finish', reason: 'stop', usage },
    ]);
    assert.deepEqual(outline(frames), [
      'message_start',
      'start 0 thinking',
      'delta 0 thinking_delta',
      'delta 0 thinking_delta',
      'delta 0 signature_delta',
      'stop 0',
      'start 1 text',
      'delta 1 text_delta',
      'stop 1',
      'message_delta end_turn',
      'message_stop',
    ]);
    assert.deepEqual(frames[1].data.content_block, { type: 'thinking', thinking: '', signature: '' });
    assert.deepEqual(frames[4].data.delta, { type: 'signature_delta', signature: 'sig-1' });
  });

  it('thinking without a signature is closed when another kind of content starts', () => {
    const { frames } = run([
      { type: 'thinking', text: 'hmm' },
      { type: 'text', text: 'ok' },
      { type: 'finish', reason: 'stop', usage },
    ]);
    assert.deepEqual(outline(frames).slice(1, 6), ['start 0 thinking', 'delta 0 thinking_delta', 'stop 0', 'start 1 text', 'delta 1 text_delta']);
  });

  it('a signature with no thought text still becomes a (empty) thinking block', () => {
    const { frames } = run([
      { type: 'thinking_signature', signature: 'sig-only' },
      { type: 'text', text: 'x' },
      { type: 'finish', reason: 'stop', usage },
    ]);
    assert.deepEqual(outline(frames).slice(1, 4), ['start 0 thinking', 'delta 0 signature_delta', 'stop 0']);
  });

  it('thinking then parallel tool calls: one block per call, stop_reason tool_use', () => {
    const { frames } = run([
      { type: 'thinking', text: 'Two lookups.' },
      { type: 'thinking_signature', signature: 'sig-2' },
      call('toolu_a', 'Read', { file_path: '/a' }),
      call('toolu_b', 'Read', { file_path: '/b' }),
      { type: 'finish', reason: 'tool_calls', usage },
    ]);
    assert.deepEqual(outline(frames), [
      'message_start',
      'start 0 thinking',
      'delta 0 thinking_delta',
      'delta 0 signature_delta',
      'stop 0',
      'start 1 tool_use',
      'delta 1 input_json_delta',
      'stop 1',
      'start 2 tool_use',
      'delta 2 input_json_delta',
      'stop 2',
      'message_delta tool_use',
      'message_stop',
    ]);
    assert.deepEqual(frames[5].data.content_block, { type: 'tool_use', id: 'toolu_a', name: 'Read', input: {} });
    assert.deepEqual(JSON.parse(frames[6].data.delta.partial_json), { file_path: '/a' });
    assert.deepEqual(frames[8].data.content_block, { type: 'tool_use', id: 'toolu_b', name: 'Read', input: {} });
  });

  it('a tool call after text closes the text block first; a plain stop after tools still says tool_use', () => {
    const { frames } = run([{ type: 'text', text: 'Let me check.' }, call('toolu_c', 'Bash', { command: 'ls' }), { type: 'finish', reason: 'stop', usage }]);
    assert.deepEqual(outline(frames), [
      'message_start',
      'start 0 text',
      'delta 0 text_delta',
      'stop 0',
      'start 1 tool_use',
      'delta 1 input_json_delta',
      'stop 1',
      'message_delta tool_use',
      'message_stop',
    ]);
  });

  it('text after a tool call opens a new block with the next index', () => {
    const { frames } = run([call('toolu_d', 'Bash', {}), { type: 'text', text: 'done' }, { type: 'finish', reason: 'stop', usage }]);
    assert.deepEqual(outline(frames).slice(1, 7), ['start 0 tool_use', 'delta 0 input_json_delta', 'stop 0', 'start 1 text', 'delta 1 text_delta', 'stop 1']);
    assert.deepEqual(JSON.parse(frames[2].data.delta.partial_json), {});
  });

  it('reports the usage known when the stream starts in message_start, the final usage in message_delta', () => {
    const early: Usage = { inputTokens: 1200, cachedInputTokens: 1000, outputTokens: 0, thinkingTokens: 0 };
    const { frames, perEvent } = run([
      { type: 'usage', usage: early },
      { type: 'text', text: 'x' },
      { type: 'finish', reason: 'length', usage },
    ]);
    assert.deepEqual(outline(perEvent[0] ? parseFrames(perEvent[0]) : []), ['message_start']);
    assert.deepEqual(frames[0].data.message.usage, { input_tokens: 200, cache_creation_input_tokens: 0, cache_read_input_tokens: 1000, output_tokens: 0 });
    assert.equal(frames.at(-2)?.data.delta.stop_reason, 'max_tokens');
  });

  it('carries the matched stop sequence', () => {
    const { frames } = run([
      { type: 'text', text: 'a' },
      { type: 'finish', reason: 'stop_sequence', stopSequence: 'END', usage },
    ]);
    assert.deepEqual(frames.at(-2)?.data.delta, { stop_reason: 'stop_sequence', stop_sequence: 'END' });
  });

  it('renders generated images and search grounding as whole blocks', () => {
    const { frames } = run([
      {
        type: 'grounding',
        metadata: { webSearchQueries: ['agate gateway'], groundingChunks: [{ web: { uri: 'https://example.com/a', title: 'example.com' } }] },
      },
      { type: 'text', text: 'Found.' },
      { type: 'media', mimeType: 'image/png', data: 'iVBORw0KGgo=' },
      { type: 'finish', reason: 'stop', usage },
    ]);
    assert.deepEqual(outline(frames).slice(1, 11), [
      'start 0 server_tool_use',
      'delta 0 input_json_delta',
      'stop 0',
      'start 1 web_search_tool_result',
      'stop 1',
      'start 2 text',
      'delta 2 text_delta',
      'stop 2',
      'start 3 image',
      'stop 3',
    ]);
    assert.deepEqual(JSON.parse(frames[2].data.delta.partial_json), { query: 'agate gateway' });
    assert.equal(frames[4].data.content_block.tool_use_id, frames[1].data.content_block.id);
    assert.deepEqual(frames[4].data.content_block.content, [
      { type: 'web_search_result', url: 'https://example.com/a', title: 'example.com', encrypted_content: '', page_age: null },
    ]);
    assert.deepEqual(frames[9].data.content_block, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } });
  });

  it('end() closes a stream the upstream left without a finish event', () => {
    const encoder = anthropicCodec.createStreamEncoder(request);
    const text = encoder.encode({ type: 'text', text: 'partial' }) + encoder.end();
    assert.deepEqual(outline(parseFrames(text)), ['message_start', 'start 0 text', 'delta 0 text_delta', 'stop 0', 'message_delta end_turn', 'message_stop']);
    assert.equal(encoder.end(), '');
  });

  it('an error mid-stream is a single error event, after which nothing more is written', () => {
    const encoder = anthropicCodec.createStreamEncoder(request);
    encoder.encode({ type: 'text', text: 'partial' });
    const frames = parseFrames(encoder.error(new GatewayError('overloaded', 'The upstream is overloaded.')));
    assert.deepEqual(frames, [{ event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'The upstream is overloaded.' } } }]);
    assert.equal(encoder.encode({ type: 'text', text: 'late' }), '');
    assert.equal(encoder.end(), '');
    assert.equal(encoder.keepAlive(), '');
  });

  it('keep-alive is Anthropic ping, byte for byte, and the content type is SSE', () => {
    const encoder = anthropicCodec.createStreamEncoder(request);
    assert.equal(encoder.keepAlive(), 'event: ping\ndata: {"type": "ping"}\n\n');
    assert.match(encoder.contentType, /^text\/event-stream/);
  });
});
