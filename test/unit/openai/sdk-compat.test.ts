import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { GatewayError, toGatewayError } from '../../../src/core/errors';
import type { ChatEvent, ChatRequest } from '../../../src/core/ir';
import type { ProtocolCodec } from '../../../src/core/protocols/codec';
import { ChatCompletionsCodec, ResponsesCodec, ResponsesStore } from '../../../src/core/protocols/openai';
import { sdkLoopback, sendJson, type SdkLoopback } from '../../helpers/sdk-loopback';
import { usage } from './helpers';

/**
 * The official openai SDK (v6) consumes what our codecs produce: a loopback
 * server decodes the SDK's request with the codec and answers with the stream
 * encoder's frames (or an error reply), as the gateway will.
 */
interface Script {
  events: ChatEvent[];
  /** Fail after the events with this error (mid-stream), or before anything when `events` is empty and `status` is set. */
  error?: GatewayError;
}

const codecs: Record<string, ProtocolCodec> = {
  '/v1/chat/completions': new ChatCompletionsCodec(),
  '/v1/responses': new ResponsesCodec({ store: new ResponsesStore() }),
};

let script: Script = { events: [] };
let lastRequest: ChatRequest | undefined;
let loopback: SdkLoopback;
let client: OpenAI;

function reply(codec: ProtocolCodec, body: unknown, res: import('node:http').ServerResponse) {
  let request: ChatRequest;
  try {
    request = codec.decodeRequest(body, { headers: {}, query: {}, params: {} });
  } catch (err) {
    const error = codec.encodeError(toGatewayError(err));
    return sendJson(res, error.status, error.body, error.headers);
  }
  lastRequest = request;
  const encoder = codec.createStreamEncoder(request);
  res.writeHead(200, { 'content-type': encoder.contentType });
  res.write(encoder.keepAlive());
  for (const event of script.events) res.write(encoder.encode(event));
  res.end(script.error ? encoder.error(script.error) : encoder.end());
}

describe('openai SDK reads what the codecs write', () => {
  before(async () => {
    loopback = await sdkLoopback(({ url, body }, res) => reply(codecs[url.pathname], JSON.parse(body), res));
    client = new OpenAI({ baseURL: `${loopback.baseUrl}/v1`, apiKey: 'x', maxRetries: 0 });
  });
  after(() => loopback.close());

  const finish: ChatEvent = { type: 'finish', reason: 'stop', usage: usage() };

  it('chat stream: content, reasoning_content, parallel tool calls and the usage chunk', async () => {
    script = {
      events: [
        { type: 'thinking', text: 'Two calls.' },
        { type: 'text', text: 'Checking.' },
        { type: 'tool_call', call: { type: 'tool_call', id: 'call_1', name: 'weather', args: { city: 'Paris' } } },
        { type: 'tool_call', call: { type: 'tool_call', id: 'call_2', name: 'weather', args: { city: 'Rome' } } },
        finish,
      ],
    };
    const stream = client.chat.completions.stream({
      model: 'gemini-3-flash',
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      stream_options: { include_usage: true },
    });
    let reasoning = '';
    stream.on('chunk', (chunk) => {
      reasoning += (chunk.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? '';
    });
    const completion = await stream.finalChatCompletion();
    const message = completion.choices[0].message;
    assert.equal(message.content, 'Checking.');
    assert.equal(reasoning, 'Two calls.');
    assert.deepEqual(
      message.tool_calls?.map((c) => c.type === 'function' && [c.id, c.function.name, JSON.parse(c.function.arguments)]),
      [
        ['call_1', 'weather', { city: 'Paris' }],
        ['call_2', 'weather', { city: 'Rome' }],
      ],
    );
    assert.equal(completion.choices[0].finish_reason, 'tool_calls');
    assert.equal(completion.usage?.prompt_tokens, 100);
    assert.equal(completion.usage?.completion_tokens_details?.reasoning_tokens, 5);
    assert.equal(lastRequest?.tools[0].name, 'weather');
  });

  it('chat stream: a mid-stream error surfaces as an APIError with our message', async () => {
    script = { events: [{ type: 'text', text: 'par' }], error: new GatewayError('overloaded', 'The model is at capacity.') };
    const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true });
    let text = '';
    await assert.rejects(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      })(),
      (err: unknown) => err instanceof OpenAI.APIError && /at capacity/.test(err.message),
    );
    assert.equal(text, 'par');
  });

  it('a request the codec refuses reaches the SDK as a BadRequestError naming the param', async () => {
    await assert.rejects(
      client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], n: 2 }),
      (err: unknown) => err instanceof OpenAI.BadRequestError && err.param === 'n',
    );
  });

  it('responses stream: finalResponse() has the reasoning, the text, the function call and the usage', async () => {
    script = {
      events: [
        { type: 'thinking', text: 'Plan.' },
        { type: 'thinking_signature', signature: 'SIG' },
        { type: 'text', text: 'Running it.' },
        { type: 'tool_call', call: { type: 'tool_call', id: 'call_1', name: 'mcp__gh__search', args: { q: 'x' } } },
        finish,
      ],
    };
    const stream = client.responses.stream({
      model: 'gemini-3-flash',
      input: [{ role: 'user', content: 'Search' }],
      reasoning: { summary: 'auto' },
      include: ['reasoning.encrypted_content'],
      tools: [{ type: 'namespace', name: 'mcp__gh', description: 'GitHub', tools: [{ type: 'function', name: 'search', parameters: { type: 'object' } }] }],
    });
    const deltas: string[] = [];
    stream.on('response.output_text.delta', (e) => deltas.push(e.delta));
    const response = await stream.finalResponse();
    assert.equal(response.status, 'completed');
    assert.equal(response.output_text, 'Running it.');
    assert.deepEqual(deltas, ['Running it.']);
    const [reasoning, message, call] = response.output;
    assert.ok(reasoning.type === 'reasoning' && reasoning.summary[0].text === 'Plan.' && reasoning.encrypted_content === 'SIG');
    assert.equal(message.type, 'message');
    assert.ok(call.type === 'function_call');
    assert.deepEqual([call.name, call.namespace, JSON.parse(call.arguments)], ['search', 'mcp__gh', { q: 'x' }]);
    assert.equal(response.usage?.input_tokens_details.cached_tokens, 40);
  });

  it('responses stream: a failure ends with a failed Response carrying the error code', async () => {
    script = { events: [{ type: 'text', text: 'par' }], error: new GatewayError('rate_limit', 'Slow down.', { retryAfterSeconds: 4 }) };
    const response = await client.responses.stream({ model: 'm', input: 'x' }).finalResponse();
    assert.equal(response.status, 'failed');
    assert.equal(response.error?.code, 'rate_limit_exceeded');
    assert.match(response.error?.message ?? '', /try again in 4s/);
  });

  it('responses: an unknown previous_response_id is a NotFoundError', async () => {
    await assert.rejects(
      client.responses.create({ model: 'm', input: 'x', previous_response_id: 'resp_gone' }),
      (err: unknown) => err instanceof OpenAI.NotFoundError && err.code === 'previous_response_not_found',
    );
  });
});
