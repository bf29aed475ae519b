import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { GatewayError } from '../../../src/core/errors';
import type { ChatEvent, ChatResponse, Usage } from '../../../src/core/ir';
import { anthropicCodec } from '../../../src/core/protocols/anthropic';
import { nextChunk, sdkLoopback, sendJson } from '../../helpers/sdk-loopback';

const usage: Usage = { inputTokens: 900, cachedInputTokens: 400, outputTokens: 12, thinkingTokens: 8 };

/**
 * A loopback server that decodes what the official SDK sends with our codec
 * and answers with our encoder's frames, written one event at a time, so the
 * SDK's own SSE reader and MessageStream accumulator judge the output.
 */
async function serve(answer: { events: ChatEvent[]; error?: GatewayError } | { response: ChatResponse }) {
  const loopback = await sdkLoopback(async ({ body, headers }, res) => {
    const request = anthropicCodec.decodeRequest(JSON.parse(body), { headers, query: {}, params: {} });
    if ('response' in answer) return sendJson(res, 200, anthropicCodec.encodeResponse(answer.response, request));
    const encoder = anthropicCodec.createStreamEncoder(request);
    res.writeHead(200, { 'content-type': encoder.contentType });
    res.write(encoder.keepAlive());
    for (const event of answer.events) {
      res.write(encoder.encode(event));
      await nextChunk();
    }
    res.end(answer.error ? encoder.error(answer.error) : encoder.end());
  });
  const client = new Anthropic({ baseURL: loopback.baseUrl, apiKey: 'x', maxRetries: 0 });
  return { client, close: loopback.close };
}

const params = {
  model: 'claude-sonnet-4-6',
  max_tokens: 2048,
  thinking: { type: 'adaptive' as const },
  messages: [{ role: 'user' as const, content: 'Read both files' }],
  tools: [{ name: 'Read', input_schema: { type: 'object' as const, properties: { file_path: { type: 'string' } } } }],
};

describe('anthropic encoder read by @anthropic-ai/sdk', () => {
  it('MessageStream accumulates thinking, text and parallel tool calls into the final message', async () => {
    const { client, close } = await serve({
      events: [
        { type: 'usage', usage: { ...usage, outputTokens: 0, thinkingTokens: 0 } },
        { type: 'thinking', text: 'Both files ' },
        { type: 'thinking', text: 'are needed.' },
        { type: 'thinking_signature', signature: 'sig-xyz' },
        { type: 'text', text: 'Reading ' },
        { type: 'text', text: 'them now.' },
        { type: 'tool_call', call: { type: 'tool_call', id: 'toolu_1', name: 'Read', args: { file_path: '/a.ts' } } },
        { type: 'tool_call', call: { type: 'tool_call', id: 'toolu_2', name: 'Read', args: { file_path: '/b.ts', note: 'ünïcödé "quoted"' } } },
        { type: 'finish', reason: 'tool_calls', usage },
      ],
    });
    try {
      const stream = client.messages.stream(params);
      const texts: string[] = [];
      stream.on('text', (delta) => texts.push(delta));
      const message = await stream.finalMessage();
      assert.deepEqual(texts, ['Reading ', 'them now.']);
      assert.equal(message.model, 'claude-sonnet-4-6');
      assert.equal(message.stop_reason, 'tool_use');
      assert.deepEqual(message.content, [
        { type: 'thinking', thinking: 'Both files are needed.', signature: 'sig-xyz' },
        { type: 'text', text: 'Reading them now.' },
        { type: 'tool_use', id: 'toolu_1', name: 'Read', input: { file_path: '/a.ts' } },
        { type: 'tool_use', id: 'toolu_2', name: 'Read', input: { file_path: '/b.ts', note: 'ünïcödé "quoted"' } },
      ]);
      assert.deepEqual(
        {
          input: message.usage.input_tokens,
          cacheRead: message.usage.cache_read_input_tokens,
          cacheCreation: message.usage.cache_creation_input_tokens,
          output: message.usage.output_tokens,
        },
        { input: 500, cacheRead: 400, cacheCreation: 0, output: 20 },
      );
    } finally {
      await close();
    }
  });

  it('an error event mid-stream surfaces as the SDK APIError with Anthropic error type', async () => {
    const { client, close } = await serve({
      events: [{ type: 'text', text: 'partial' }],
      error: new GatewayError('overloaded', 'Every account is busy.'),
    });
    try {
      await assert.rejects(client.messages.stream(params).finalMessage(), (err: unknown) => {
        assert.ok(err instanceof Anthropic.APIError);
        assert.equal(err.type, 'overloaded_error');
        assert.match(err.message, /Every account is busy/);
        return true;
      });
    } finally {
      await close();
    }
  });

  it('messages.create parses the non-stream message', async () => {
    const { client, close } = await serve({
      response: {
        id: 'r1',
        model: 'claude-sonnet-4-6',
        parts: [{ type: 'text', text: 'Done.' }],
        finishReason: 'stop',
        usage,
      },
    });
    try {
      const message = await client.messages.create({ ...params, stream: false });
      assert.deepEqual(message.content, [{ type: 'text', text: 'Done.' }]);
      assert.equal(message.usage.input_tokens, 500);
    } finally {
      await close();
    }
  });
});
