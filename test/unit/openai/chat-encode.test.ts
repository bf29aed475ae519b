import assert from 'node:assert/strict';
import { GatewayError } from '../../../src/core/errors';
import type { ChatEvent, ChatResponse } from '../../../src/core/ir';
import { ChatCompletionsCodec } from '../../../src/core/protocols/openai';
import { encodeAll, parseSse, usage } from './helpers';

const ctx = { headers: {}, query: {}, params: {} };
const codec = new ChatCompletionsCodec();
const request = (body: Record<string, unknown> = {}, on = codec) =>
  on.decodeRequest({ model: 'gemini-3-flash', messages: [{ role: 'user', content: 'hi' }], ...body }, ctx);

/** The JSON chunks of a chat stream, and whether it ended with [DONE]. */
function chunks(text: string) {
  const messages = parseSse(text);
  const done = messages.at(-1)?.data === '[DONE]';
  return { done, chunks: messages.filter((m) => m.data !== '[DONE]').map((m) => JSON.parse(m.data)) };
}

const finish = (reason: 'stop' | 'length' | 'tool_calls' = 'stop'): ChatEvent => ({ type: 'finish', reason, usage: usage() });

describe('openai chat: encoding answers', () => {
  it('a whole answer: content, reasoning_content, tool calls, finish_reason and usage with cached and reasoning tokens', () => {
    const response: ChatResponse = {
      id: 'x',
      model: 'gemini-3-flash',
      parts: [
        { type: 'thinking', text: 'Let me check.', signature: 'sig' },
        { type: 'text', text: 'Checking ' },
        { type: 'text', text: 'the weather.' },
        { type: 'tool_call', id: 'call_a', name: 'weather', args: { city: 'Paris' } },
      ],
      finishReason: 'stop',
      usage: usage(),
    };
    const body = codec.encodeResponse(response, request()) as any;
    assert.match(body.id, /^chatcmpl-/);
    assert.equal(body.object, 'chat.completion');
    assert.equal(body.model, 'gemini-3-flash');
    assert.deepEqual(body.choices[0].message, {
      role: 'assistant',
      content: 'Checking the weather.',
      refusal: null,
      reasoning_content: 'Let me check.',
      tool_calls: [{ id: 'call_a', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
    });
    assert.equal(body.choices[0].finish_reason, 'tool_calls', 'a turn that called tools reports tool_calls');
    assert.deepEqual(body.usage, {
      prompt_tokens: 100,
      completion_tokens: 25,
      total_tokens: 125,
      prompt_tokens_details: { cached_tokens: 40 },
      completion_tokens_details: { reasoning_tokens: 5 },
    });
  });

  it('null content beside tool calls only, and no reasoning_content when hidden', () => {
    const quiet = new ChatCompletionsCodec({ exposeReasoning: false });
    const body = quiet.encodeResponse(
      {
        id: 'x',
        model: 'm',
        parts: [
          { type: 'thinking', text: 'secret' },
          { type: 'tool_call', id: 'c', name: 'f', args: {} },
        ],
        finishReason: 'stop',
        usage: usage(),
      },
      request({}, quiet),
    ) as any;
    assert.equal(body.choices[0].message.content, null);
    assert.equal('reasoning_content' in body.choices[0].message, false);
    const empty = codec.encodeResponse({ id: 'x', model: 'm', parts: [], finishReason: 'length', usage: usage() }, request()) as any;
    assert.equal(empty.choices[0].message.content, '');
    assert.equal(empty.choices[0].finish_reason, 'length');
  });

  it('streams a role delta, content deltas, a finish chunk and [DONE]', () => {
    const text = encodeAll(codec.createStreamEncoder(request({ stream: true })), [{ type: 'text', text: 'Hel' }, { type: 'text', text: 'lo' }, finish()]);
    const { done, chunks: list } = chunks(text);
    assert.ok(done);
    assert.deepEqual(
      list.map((c) => [c.choices[0].delta, c.choices[0].finish_reason]),
      [
        [{ role: 'assistant', content: '' }, null],
        [{ content: 'Hel' }, null],
        [{ content: 'lo' }, null],
        [{}, 'stop'],
      ],
    );
    assert.equal(new Set(list.map((c) => c.id)).size, 1, 'one id for every chunk');
    assert.ok(list.every((c) => c.object === 'chat.completion.chunk' && c.model === 'gemini-3-flash'));
  });

  it('streams reasoning_content before content, and drops signatures', () => {
    const text = encodeAll(codec.createStreamEncoder(request()), [
      { type: 'thinking', text: 'Hmm.' },
      { type: 'thinking_signature', signature: 'sig' },
      { type: 'text', text: 'Yes.' },
      finish(),
    ]);
    assert.deepEqual(
      chunks(text).chunks.map((c) => c.choices[0].delta),
      [{ role: 'assistant', content: '' }, { reasoning_content: 'Hmm.' }, { content: 'Yes.' }, {}],
    );
    assert.doesNotMatch(text, /sig/);
  });

  it('streams parallel tool calls with stable indices: id, type and name first, arguments after', () => {
    const text = encodeAll(codec.createStreamEncoder(request()), [
      { type: 'tool_call', call: { type: 'tool_call', id: 'call_1', name: 'weather', args: { city: 'Paris' } } },
      { type: 'tool_call', call: { type: 'tool_call', id: 'call_2', name: 'weather', args: { city: 'Rome' } } },
      finish(),
    ]);
    const deltas = chunks(text).chunks.map((c) => c.choices[0].delta);
    assert.deepEqual(deltas.slice(1, 5), [
      { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'weather', arguments: '' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"city":"Paris"}' } }] },
      { tool_calls: [{ index: 1, id: 'call_2', type: 'function', function: { name: 'weather', arguments: '' } }] },
      { tool_calls: [{ index: 1, function: { arguments: '{"city":"Rome"}' } }] },
    ]);
    assert.equal(chunks(text).chunks.at(-1).choices[0].finish_reason, 'tool_calls');
  });

  it('adds the usage chunk (choices: []) only when stream_options.include_usage is set', () => {
    const withUsage = chunks(encodeAll(codec.createStreamEncoder(request({ stream: true, stream_options: { include_usage: true } })), [finish()]));
    const last = withUsage.chunks.at(-1);
    assert.deepEqual(last.choices, []);
    assert.equal(last.usage.prompt_tokens, 100);
    assert.equal(last.usage.completion_tokens, 25);
    assert.equal(withUsage.chunks.at(-2).choices[0].finish_reason, 'stop');
    const without = chunks(encodeAll(codec.createStreamEncoder(request({ stream: true })), [finish()]));
    assert.ok(without.chunks.every((c) => c.usage === undefined));
  });

  it('keeps the connection alive with an SSE comment', () => {
    const encoder = codec.createStreamEncoder(request());
    assert.equal(encoder.keepAlive(), ': keep-alive\n\n');
    assert.deepEqual(parseSse(encoder.keepAlive()), []);
  });

  it('ends a failed stream with one error frame and no [DONE]', () => {
    const encoder = codec.createStreamEncoder(request());
    let text = encoder.encode({ type: 'text', text: 'partial' });
    text += encoder.error(new GatewayError('rate_limit', 'All accounts are rate limited.', { retryAfterSeconds: 12 }));
    text += encoder.encode({ type: 'text', text: 'late' }) + encoder.end();
    const messages = parseSse(text);
    assert.deepEqual(JSON.parse(messages.at(-1)!.data), {
      error: {
        message: 'All accounts are rate limited. Please try again in 12s.',
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
    });
    assert.ok(!text.includes('[DONE]') && !text.includes('late'));
  });
});
