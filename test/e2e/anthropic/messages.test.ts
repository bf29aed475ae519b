/**
 * `/v1/messages` through the official `@anthropic-ai/sdk`, against the
 * simulator: text, streaming event order, thinking, tool round trips (the
 * simulator refuses a replayed call without its signature), images, errors in
 * tool results, stop reasons and count_tokens.
 */
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import type { LogEntry } from '../../../src/simulator';
import { startStack, type Stack } from '../../helpers/stack';

// A 1×1 transparent PNG.
const PNG_1x1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

const WEATHER: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Current weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string', minLength: 1 } }, required: ['city'], additionalProperties: false },
};
const TIME: Anthropic.Tool = {
  name: 'get_time',
  description: 'Local time in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

const isGeneration = (entry: LogEntry) => entry.method === 'generateContent' || entry.method === 'streamGenerateContent';
const textOf = (message: Anthropic.Message) =>
  message.content
    .filter((block): block is Anthropic.TextBlock => block.type === 'text')
    .map((block) => block.text)
    .join('');

/** The upstream request body of the latest generation: what the simulator was asked. */
function lastUpstream(stack: Stack): {
  model: string;
  request: { contents: Array<{ role: string; parts: Array<Record<string, any>> }>; generationConfig?: Record<string, any> };
} {
  const entry = stack.sim.log.filter(isGeneration).at(-1);
  assert.ok(entry, 'a generation reached the simulator');
  return entry.body as any;
}

describe('Anthropic SDK → /v1/messages', () => {
  let stack: Stack;
  let client: Anthropic;
  before(async () => {
    stack = await startStack();
    client = new Anthropic({ baseURL: stack.url, apiKey: 'test-key', maxRetries: 0 });
  });
  after(() => stack.close());

  describe('text', () => {
    it('messages.create: a complete message with usage', async () => {
      const message = await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 256, messages: [{ role: 'user', content: 'Hello there' }] });
      assert.equal(message.type, 'message');
      assert.equal(message.role, 'assistant');
      assert.equal(message.model, 'claude-sonnet-4-6');
      assert.match(message.id, /^msg_/);
      assert.equal(textOf(message), 'Hello from claude-sonnet-4-6. You said: Hello there');
      assert.equal(message.stop_reason, 'end_turn');
      assert.equal(message.stop_sequence, null);
      assert.ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0, JSON.stringify(message.usage));
      assert.equal(typeof message.usage.cache_read_input_tokens, 'number');
    });

    it('system prompt (blocks with cache_control) reaches the upstream as a system instruction', async () => {
      await client.messages.create({
        model: 'gemini-3-flash',
        max_tokens: 256,
        system: [{ type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } }],
        messages: [{ role: 'user', content: 'hi' }],
      });
      assert.match(JSON.stringify(lastUpstream(stack).request), /You are terse\./);
      assert.doesNotMatch(JSON.stringify(lastUpstream(stack).request), /cache_control|ephemeral/);
    });

    it('a raw stream: message_start → content_block_start/delta/stop → message_delta (stop_reason, usage) → message_stop', async () => {
      const stream = await client.messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 256,
        stream: true,
        messages: [{ role: 'user', content: '[[sim:words 30]]' }],
      });
      const events: Anthropic.RawMessageStreamEvent[] = [];
      for await (const event of stream) events.push(event);
      const types = events.map((event) => event.type).filter((type) => (type as string) !== 'ping');
      assert.equal(types[0], 'message_start');
      assert.equal(types[1], 'content_block_start');
      const deltas = types.slice(2, types.indexOf('content_block_stop'));
      assert.ok(deltas.length >= 2 && deltas.every((type) => type === 'content_block_delta'), `several deltas: ${types.join(',')}`);
      assert.deepEqual(types.slice(-3), ['content_block_stop', 'message_delta', 'message_stop']);
      const start = events[0] as Anthropic.RawMessageStartEvent;
      assert.equal(start.message.model, 'claude-sonnet-4-6');
      // The upstream reports usage on its last frame: message_start has the usage object, message_delta the counts.
      assert.equal(typeof start.message.usage.input_tokens, 'number');
      const text = events
        .filter((event): event is Anthropic.RawContentBlockDeltaEvent => event.type === 'content_block_delta')
        .map((event) => (event.delta as Anthropic.TextDelta).text)
        .join('');
      assert.equal(text, Array.from({ length: 30 }, (_, i) => `word${i + 1}`).join(' '));
      const delta = events.find((event): event is Anthropic.RawMessageDeltaEvent => event.type === 'message_delta')!;
      assert.equal(delta.delta.stop_reason, 'end_turn');
      assert.ok(delta.usage.output_tokens > 0);
      assert.ok((delta.usage.input_tokens ?? 0) > 0, JSON.stringify(delta.usage));
    });

    it('messages.stream: finalMessage() carries the text and usage', async () => {
      const stream = client.messages.stream({ model: 'gemini-3-flash', max_tokens: 512, messages: [{ role: 'user', content: 'streamed' }] });
      const message = await stream.finalMessage();
      assert.equal(textOf(message), 'Hello from gemini-3-flash. You said: streamed');
      assert.ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0);
      assert.equal(message.stop_reason, 'end_turn');
    });

    it('streamed text reaches the client frame by frame, before the upstream has finished', async () => {
      stack.sim.configure({ frameIntervalMs: 120 });
      try {
        const stream = client.messages.stream({
          model: 'claude-sonnet-4-6',
          max_tokens: 512,
          messages: [{ role: 'user', content: '[[sim:words 24]] frame by frame' }],
        });
        let upstreamRunningAtFirstDelta: boolean | undefined;
        const arrivals: number[] = [];
        stream.on('text', () => {
          arrivals.push(performance.now());
          if (upstreamRunningAtFirstDelta === undefined) {
            const entry = stack.sim.log.filter(isGeneration).at(-1)!;
            upstreamRunningAtFirstDelta = entry.durationMs === undefined;
          }
        });
        await stream.finalMessage();
        assert.equal(upstreamRunningAtFirstDelta, true, 'the first delta arrived while the upstream was still streaming');
        assert.ok(arrivals.length >= 4, `${arrivals.length} text events`);
        assert.ok(arrivals.at(-1)! - arrivals[0] >= 300, 'deltas are spread over the upstream frames, not delivered at once');
      } finally {
        stack.sim.configure({ frameIntervalMs: 0 });
      }
    });
  });

  describe('tools', () => {
    for (const model of ['gemini-3-flash', 'claude-opus-4-6-thinking']) {
      it(`${model}: a tool round trip with thinking on; signatures survive the replay`, async () => {
        const ask: Anthropic.MessageParam = { role: 'user', content: 'Weather please [[sim:call get_weather {"city":"Paris"}]]' };
        const thinking = { type: 'enabled', budget_tokens: 2048 } as const;
        const first = await client.messages.create({ model, max_tokens: 8192, thinking, tools: [WEATHER], messages: [ask] });
        assert.equal(first.stop_reason, 'tool_use');
        const thought = first.content.find((block): block is Anthropic.ThinkingBlock => block.type === 'thinking');
        assert.ok(thought, 'a thinking block');
        assert.ok(thought.thinking.length > 0 && thought.signature.length > 0, 'with text and a signature');
        const call = first.content.find((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use')!;
        assert.equal(call.name, 'get_weather');
        assert.deepEqual(call.input, { city: 'Paris' });
        assert.match(call.id, /^[a-zA-Z0-9_-]+$/);

        const second = await client.messages.create({
          model,
          max_tokens: 8192,
          thinking,
          tools: [WEATHER],
          messages: [
            ask,
            { role: 'assistant', content: first.content },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: '{"temp_c":21}' }] },
          ],
        });
        assert.equal(second.stop_reason, 'end_turn');
        assert.match(textOf(second), /^Tool get_weather returned: .*temp_c.*21/);
        // The replayed model turn carried a real signature, not the validator-skipping sentinel.
        const modelTurn = lastUpstream(stack).request.contents.find((content) => content.role === 'model')!;
        const signed = modelTurn.parts.find((part) => part.functionCall)!;
        assert.ok(signed.thoughtSignature && signed.thoughtSignature !== 'skip_thought_signature_validator', JSON.stringify(modelTurn));
        assert.equal(signed.functionCall.id, call.id);
      });
    }

    it('gemini-3: the upstream refuses a replayed call stripped of its signature (the check the round trip passes)', async () => {
      const first = await client.messages.create({
        model: 'gemini-3-flash',
        max_tokens: 1024,
        tools: [WEATHER],
        messages: [{ role: 'user', content: '[[sim:call get_weather {"city":"Oslo"}]]' }],
      });
      const call = first.content.find((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use')!;
      const entry = stack.sim.log.filter(isGeneration).at(-1)!;
      const body = structuredClone(entry.body) as any;
      // Replay the call straight to the simulator, without its signature.
      body.request.contents.push({ role: 'model', parts: [{ functionCall: { name: call.name, args: call.input, id: call.id } }] });
      body.request.contents.push({ role: 'user', parts: [{ functionResponse: { name: call.name, id: call.id, response: { output: 'x' } } }] });
      body.requestId = 'replay-without-signature';
      const token = stack.sim.issueAccessToken('ada@example.com');
      const res = await fetch(`${stack.sim.url}/prod/v1internal:generateContent`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, 400);
      assert.match(await res.text(), /signature/i);
    });

    it('parallel tool calls come back as separate tool_use blocks and both results go back', async () => {
      const ask: Anthropic.MessageParam = {
        role: 'user',
        content: 'Both [[sim:call get_weather {"city":"Rome"}]] [[sim:call get_time {"city":"Rome"}]]',
      };
      const stream = client.messages.stream({ model: 'gemini-3.1-pro-high', max_tokens: 4096, tools: [WEATHER, TIME], messages: [ask] });
      const starts: Array<{ index: number; type: string }> = [];
      stream.on('streamEvent', (event) => {
        if (event.type === 'content_block_start') starts.push({ index: event.index, type: event.content_block.type });
      });
      const first = await stream.finalMessage();
      assert.deepEqual(
        starts.map((start) => start.index),
        starts.map((_, i) => i),
        'block indices count up from 0',
      );
      const calls = first.content.filter((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use');
      assert.deepEqual(
        calls.map((call) => call.name),
        ['get_weather', 'get_time'],
      );
      assert.notEqual(calls[0].id, calls[1].id);
      assert.equal(first.stop_reason, 'tool_use');

      const second = await client.messages.create({
        model: 'gemini-3.1-pro-high',
        max_tokens: 4096,
        tools: [WEATHER, TIME],
        messages: [
          ask,
          { role: 'assistant', content: first.content },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: calls[0].id, content: 'sunny' },
              { type: 'tool_result', tool_use_id: calls[1].id, content: [{ type: 'text', text: '14:00' }] },
            ],
          },
        ],
      });
      assert.match(textOf(second), /^Tool get_weather(, get_time)? returned/);
      const lastTurn = lastUpstream(stack).request.contents.at(-1)!;
      assert.deepEqual(
        lastTurn.parts.map((part) => part.functionResponse?.id),
        calls.map((call) => call.id),
      );
    });

    it('a tool_result with is_error reaches the upstream as an error response', async () => {
      const ask: Anthropic.MessageParam = { role: 'user', content: '[[sim:call get_weather {"city":"Nowhere"}]]' };
      const first = await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 1024, tools: [WEATHER], messages: [ask] });
      const call = first.content.find((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use')!;
      const second = await client.messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 1024,
        tools: [WEATHER],
        messages: [
          ask,
          { role: 'assistant', content: first.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'no such city', is_error: true }] },
        ],
      });
      assert.match(textOf(second), /Tool get_weather returned: .*no such city/);
      const response = lastUpstream(stack).request.contents.at(-1)!.parts[0].functionResponse.response;
      assert.deepEqual(response, { error: 'no such city' });
    });

    it('tool schemas with keywords the upstream refuses are cleaned, not rejected', async () => {
      await client.messages.create({ model: 'gemini-3-flash', max_tokens: 256, tools: [WEATHER], messages: [{ role: 'user', content: 'schema' }] });
      const sent = JSON.stringify(lastUpstream(stack).request);
      assert.doesNotMatch(sent, /"additionalProperties"|"minLength"/);
      assert.match(sent, /"get_weather"/);
    });
  });

  it('an image (base64) goes upstream as inlineData and counts as image tokens', async () => {
    const message = await client.messages.create({
      model: 'gemini-3-flash',
      max_tokens: 256,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1x1 } },
            { type: 'text', text: 'What is this?' },
          ],
        },
      ],
    });
    assert.match(textOf(message), /You said: What is this\?/);
    const parts = lastUpstream(stack).request.contents[0].parts;
    assert.deepEqual(parts.find((part) => part.inlineData)?.inlineData, { mimeType: 'image/png', data: PNG_1x1 });
    assert.ok(message.usage.input_tokens >= 258, `an image is 258 tokens upstream, got ${message.usage.input_tokens}`);
  });

  describe('stop reasons', () => {
    it('max_tokens below the answer → stop_reason max_tokens, the text cut', async () => {
      const message = await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 5, messages: [{ role: 'user', content: '[[sim:words 100]]' }] });
      assert.equal(message.stop_reason, 'max_tokens');
      assert.ok(textOf(message).length > 0 && textOf(message).length <= 5 * 4, JSON.stringify(textOf(message)));
      assert.equal(lastUpstream(stack).request.generationConfig?.maxOutputTokens, 5);
    });

    it('max_tokens above the model maximum is clamped, not refused upstream', async () => {
      // Streamed: the SDK itself refuses a non-streamed call with this many tokens.
      const message = await client.messages
        .stream({ model: 'claude-sonnet-4-6', max_tokens: 1_000_000, messages: [{ role: 'user', content: 'clamp' }] })
        .finalMessage();
      assert.equal(message.stop_reason, 'end_turn');
      assert.ok(lastUpstream(stack).request.generationConfig!.maxOutputTokens <= 64_000);
    });

    for (const stream of [false, true]) {
      it(`stop_sequences → stop_reason stop_sequence naming it, text before it (${stream ? 'stream' : 'non-stream'})`, async () => {
        const params = {
          model: 'gemini-3-flash',
          max_tokens: 256,
          stop_sequences: ['NEVER', 'word5'],
          messages: [{ role: 'user' as const, content: '[[sim:words 12]]' }],
        };
        const message = stream ? await client.messages.stream(params).finalMessage() : await client.messages.create(params);
        assert.equal(message.stop_reason, 'stop_sequence');
        assert.equal(message.stop_sequence, 'word5');
        assert.equal(textOf(message), 'word1 word2 word3 word4 ');
        assert.equal(lastUpstream(stack).request.generationConfig?.stopSequences, undefined, 'the gateway applies them itself');
      });
    }

    it('a stop sequence early in a long answer cancels the upstream call', async () => {
      stack.sim.configure({ frameIntervalMs: 60, framesPerAnswer: 20 });
      try {
        const message = await client.messages
          .stream({ model: 'claude-sonnet-4-6', max_tokens: 4096, stop_sequences: ['word12 '], messages: [{ role: 'user', content: '[[sim:words 400]]' }] })
          .finalMessage();
        assert.equal(message.stop_reason, 'stop_sequence');
        assert.ok(textOf(message).endsWith('word11 '), textOf(message).slice(-40));
        const call = stack.sim.log.filter(isGeneration).at(-1)!;
        const upstream = await stack.sim.waitForLog((entry) => entry === call && entry.durationMs !== undefined);
        assert.equal(upstream.aborted, true);
        assert.ok(upstream.frames < 20, `${upstream.frames} frames`);
      } finally {
        stack.sim.configure({ frameIntervalMs: 0, framesPerAnswer: 6 });
      }
    });
  });

  it('count_tokens: the upstream count, with no estimate header', async () => {
    const params: Anthropic.MessageCountTokensParams = {
      model: 'claude-sonnet-4-6',
      system: 'Be brief.',
      tools: [WEATHER],
      messages: [{ role: 'user', content: 'How many tokens is this?' }],
    };
    const { data, response } = await client.messages.countTokens(params).withResponse();
    assert.ok(data.input_tokens > 0);
    assert.equal(response.headers.get('x-agate-token-count'), null);
    const counted = stack.sim.log.filter((entry) => entry.method === 'countTokens').at(-1);
    assert.ok(counted && counted.status === 200, 'the upstream countTokens answered');
  });

  it('count_tokens falls back to a local estimate when the upstream fails, and says so', async () => {
    stack.sim.injectFault({ kind: 'server_error', method: 'countTokens', times: Infinity });
    try {
      const { data, response } = await client.messages
        .countTokens({ model: 'claude-sonnet-4-6', messages: [{ role: 'user', content: 'estimate me please' }] })
        .withResponse();
      assert.ok(data.input_tokens > 0);
      assert.equal(response.headers.get('x-agate-token-count'), 'estimated');
    } finally {
      stack.sim.clearFaults();
    }
  });
});

describe('Anthropic stream keep-alive', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ flags: { 'server.keepAliveMs': '150' } });
  });
  after(() => stack.close());

  it('sends ping events while the upstream is silent mid-stream', async () => {
    const controller = new AbortController();
    const res = await fetch(`${stack.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({
        model: 'claude-sonnet-4-6',
        max_tokens: 256,
        stream: true,
        messages: [{ role: 'user', content: '[[sim:fault hang {"afterFrames":1}]]' }],
      }),
      signal: controller.signal,
    });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while ((text.match(/^event: ping$/gm) ?? []).length < 2) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    controller.abort();
    const events = [...text.matchAll(/^event: (\S+)$/gm)].map((match) => match[1]);
    assert.equal(events[0], 'message_start');
    assert.ok(events.indexOf('ping') > events.indexOf('content_block_delta'), events.join(','));
    assert.match(text, /event: ping\ndata: \{"type": "ping"\}\n\n/);
    await stack.sim.waitForLog((entry) => entry.fault === 'hang' && entry.aborted);
  });
});
