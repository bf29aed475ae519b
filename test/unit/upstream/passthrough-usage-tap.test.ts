import assert from 'node:assert/strict';
import { anthropicTap, geminiTap, openAiTap, type UsageTap } from '../../../src/core/upstream/passthrough/usage-tap';

/** Feeds `text` in pieces of `size` bytes, splitting lines and multi-byte characters anywhere. */
function feed(tap: UsageTap, text: string, size: number): void {
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; at += size) tap.feed(bytes.subarray(at, at + size));
}

const sse = (events: Array<[string | undefined, unknown]>) =>
  events.map(([event, data]) => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`).join('');

describe('passthrough: usage read from the bytes as they pass', () => {
  const anthropicStream = sse([
    [
      'message_start',
      { type: 'message_start', message: { usage: { input_tokens: 10, cache_read_input_tokens: 90, cache_creation_input_tokens: 5, output_tokens: 1 } } },
    ],
    ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'h\u00e9llo \u2603' } }],
    ['ping', { type: 'ping' }],
    ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 42 } }],
    ['message_stop', { type: 'message_stop' }],
  ]);

  for (const size of [1, 7, 4096]) {
    it(`Anthropic stream in ${size}-byte pieces: prompt from message_start (cache reads and writes included), output from message_delta`, () => {
      const tap = anthropicTap(true);
      feed(tap, anthropicStream, size);
      assert.deepEqual(tap.result(), { inputTokens: 105, cachedInputTokens: 90, cacheWriteTokens: 5, outputTokens: 42, thinkingTokens: 0 });
    });
  }

  it('Anthropic whole answer: its usage field', () => {
    const tap = anthropicTap(false);
    feed(tap, JSON.stringify({ type: 'message', content: [], usage: { input_tokens: 3, output_tokens: 4 } }), 5);
    assert.deepEqual(tap.result(), { inputTokens: 3, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 4, thinkingTokens: 0 });
    const written = anthropicTap(false);
    feed(
      written,
      JSON.stringify({
        type: 'message',
        content: [],
        usage: { input_tokens: 3, cache_creation_input_tokens: 2048, cache_read_input_tokens: 0, output_tokens: 4 },
      }),
      5,
    );
    assert.deepEqual(written.result(), { inputTokens: 2051, cachedInputTokens: 0, cacheWriteTokens: 2048, outputTokens: 4, thinkingTokens: 0 });
  });

  it('Anthropic stream whose message_delta repeats the cumulative prompt counts: the last ones win', () => {
    const tap = anthropicTap(true);
    feed(
      tap,
      sse([
        [
          'message_start',
          { type: 'message_start', message: { usage: { input_tokens: 4, cache_creation_input_tokens: 1500, cache_read_input_tokens: 0, output_tokens: 1 } } },
        ],
        [
          'message_delta',
          {
            type: 'message_delta',
            delta: { stop_reason: 'end_turn' },
            usage: { input_tokens: 4, cache_creation_input_tokens: 1500, cache_read_input_tokens: 0, output_tokens: 9 },
          },
        ],
      ]),
      64,
    );
    assert.deepEqual(tap.result(), { inputTokens: 1504, cachedInputTokens: 0, cacheWriteTokens: 1500, outputTokens: 9, thinkingTokens: 0 });
  });

  it('OpenAI stream: the usage chunk when the client asked for it, else an estimate from the streamed text', () => {
    const chunks = [{ choices: [{ delta: { content: 'abcdefgh' } }] }, { choices: [{ delta: { content: 'ijkl' }, finish_reason: 'stop' }] }];
    const withUsage = openAiTap(true);
    feed(
      withUsage,
      sse([
        ...chunks.map((c): [undefined, unknown] => [undefined, c]),
        [undefined, { choices: [], usage: { prompt_tokens: 7, completion_tokens: 5, completion_tokens_details: { reasoning_tokens: 2 } } }],
      ]) + 'data: [DONE]\n\n',
      11,
    );
    assert.deepEqual(withUsage.result(), { inputTokens: 7, cachedInputTokens: 0, outputTokens: 3, thinkingTokens: 2 });
    const without = openAiTap(true);
    feed(without, sse(chunks.map((c): [undefined, unknown] => [undefined, c])) + 'data: [DONE]\n\n', 11);
    assert.deepEqual(without.result(), { inputTokens: 0, cachedInputTokens: 0, outputTokens: 3, thinkingTokens: 0 });
  });

  it('Gemini: the last usageMetadata of an SSE stream, of a JSON-array stream, of a whole answer', () => {
    const frames = [
      { candidates: [{ content: { parts: [{ text: 'a' }] } }], usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 1 } },
      {
        candidates: [{ content: { parts: [{ text: 'b' }] }, finishReason: 'STOP' }],
        usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 6, thoughtsTokenCount: 2, cachedContentTokenCount: 4 },
      },
    ];
    const expected = { inputTokens: 9, cachedInputTokens: 4, outputTokens: 6, thinkingTokens: 2 };
    const streamed = geminiTap(true, 'sse');
    feed(streamed, frames.map((f) => `data: ${JSON.stringify(f)}\r\n\r\n`).join(''), 13);
    assert.deepEqual(streamed.result(), expected);
    const array = geminiTap(true, undefined);
    feed(array, `[${frames.map((f) => JSON.stringify(f)).join(',\n')}]`, 13);
    assert.deepEqual(array.result(), expected);
    const whole = geminiTap(false, undefined);
    feed(whole, JSON.stringify(frames[1]), 13);
    assert.deepEqual(whole.result(), expected);
  });

  it('says nothing, rather than guessing, when the answer carried no readable usage', () => {
    const tap = anthropicTap(true);
    feed(tap, 'event: message_start\ndata: {not json\n\n', 4);
    assert.equal(tap.result(), undefined);
  });
});
