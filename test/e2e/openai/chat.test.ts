/**
 * Chat Completions through the gateway with the official openai SDK, against
 * the upstream simulator: text, streaming, tools (Gemini 3 thought signatures
 * and Claude), images, structured output, reasoning, limits and refusals.
 */
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { ChatCompletionChunk, ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { startStack, type Stack } from '../../helpers/stack';
import { CLAUDE, clientFor, collect, GEMINI, lastUpstream, PNG_1PX } from './helpers';

const WEATHER: ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather of a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  },
};
const TIME: ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_time', parameters: { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] } },
};

describe('openai SDK → Chat Completions', () => {
  let stack: Stack;
  let client: OpenAI;
  before(async () => {
    stack = await startStack();
    client = clientFor(stack);
  });
  after(() => stack.close());

  it('answers a message without streaming', async () => {
    const completion = await client.chat.completions.create({
      model: GEMINI,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'ping' },
      ],
    });
    assert.equal(completion.object, 'chat.completion');
    assert.match(completion.id, /^chatcmpl-/);
    assert.equal(completion.model, GEMINI);
    const [choice] = completion.choices;
    assert.equal(choice.message.role, 'assistant');
    assert.equal(choice.message.content, `Hello from ${GEMINI}. You said: ping`);
    assert.equal(choice.finish_reason, 'stop');
    assert.ok(completion.usage && completion.usage.prompt_tokens > 0 && completion.usage.completion_tokens > 0);
    assert.equal(completion.usage.total_tokens, completion.usage.prompt_tokens + completion.usage.completion_tokens);
    const upstream = lastUpstream(stack).body;
    assert.deepEqual(upstream.request.systemInstruction.parts, [{ text: 'Be brief.' }]);
  });

  it('streams: role delta first, content deltas, the finish_reason chunk, the usage chunk, then [DONE]', async () => {
    const stream = await client.chat.completions.create({
      model: CLAUDE,
      messages: [{ role: 'user', content: '[[sim:words 12]]' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = await collect(stream);
    assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '' });
    const contentChunks = chunks.filter((c) => c.choices[0]?.delta.content);
    assert.ok(contentChunks.length > 1, `expected several content deltas, got ${contentChunks.length}`);
    const text = contentChunks.map((c) => c.choices[0].delta.content).join('');
    assert.equal(text, Array.from({ length: 12 }, (_, i) => `word${i + 1}`).join(' '));
    const finishes = chunks.filter((c) => c.choices[0]?.finish_reason);
    assert.equal(finishes.length, 1);
    assert.equal(finishes[0].choices[0].finish_reason, 'stop');
    const last = chunks.at(-1) as ChatCompletionChunk;
    assert.deepEqual(last.choices, []);
    assert.ok(last.usage && last.usage.completion_tokens > 0 && last.usage.prompt_tokens > 0);
    assert.equal(new Set(chunks.map((c) => c.id)).size, 1, 'every chunk shares the completion id');
    assert.equal(lastUpstream(stack).stream, true);
  });

  it('ends the raw stream with data: [DONE] and sends no usage chunk unless asked', async () => {
    const res = await fetch(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
      body: JSON.stringify({ model: GEMINI, stream: true, messages: [{ role: 'user', content: 'ping' }] }),
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const frames = (await res.text()).split('\n\n').filter((f) => f.startsWith('data: '));
    assert.equal(frames.at(-1), 'data: [DONE]');
    const chunks = frames.slice(0, -1).map((f) => JSON.parse(f.slice(6)) as ChatCompletionChunk);
    assert.ok(chunks.every((c) => c.choices.length === 1 && !c.usage));
  });

  it('.stream() helper assembles the final message', async () => {
    const runner = client.chat.completions.stream({ model: GEMINI, messages: [{ role: 'user', content: 'stream helper' }] });
    const deltas: string[] = [];
    runner.on('content', (delta) => deltas.push(delta));
    const final = await runner.finalChatCompletion();
    assert.equal(final.choices[0].message.content, `Hello from ${GEMINI}. You said: stream helper`);
    assert.equal(deltas.join(''), final.choices[0].message.content);
  });

  for (const model of [GEMINI, CLAUDE]) {
    it(`${model}: streamed tool call deltas with stable index/id/name, then a full round trip`, async () => {
      const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris? [[sim:call get_weather {"city":"Paris"}]]' }];
      const stream = await client.chat.completions.create({ model, messages, tools: [WEATHER], stream: true });
      const chunks = await collect(stream);
      const callDeltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
      assert.ok(callDeltas.length >= 2, 'the call opens in one delta and its arguments follow');
      assert.ok(callDeltas.every((d) => d.index === 0));
      const [first, ...rest] = callDeltas;
      assert.match(first.id ?? '', /\S/);
      assert.equal(first.type, 'function');
      assert.equal(first.function?.name, 'get_weather');
      assert.ok(
        rest.every((d) => d.id === undefined && d.function?.name === undefined),
        'id and name come once',
      );
      const args = callDeltas.map((d) => d.function?.arguments ?? '').join('');
      assert.deepEqual(JSON.parse(args), { city: 'Paris' });
      assert.equal(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason, 'tool_calls');

      // Replay the call (without anything but its id) and its result: on Gemini 3 the
      // upstream refuses a replayed call without its signature, so the gateway must restore it.
      messages.push(
        { role: 'assistant', content: null, tool_calls: [{ id: first.id!, type: 'function', function: { name: 'get_weather', arguments: args } }] },
        { role: 'tool', tool_call_id: first.id!, content: '{"temp_c":21}' },
      );
      const answer = await client.chat.completions.create({ model, messages, tools: [WEATHER] });
      // A string result reaches the upstream wrapped as {output}.
      assert.equal(answer.choices[0].message.content, 'Tool get_weather returned: {"output":"{\\"temp_c\\":21}"}');
      assert.equal(answer.choices[0].finish_reason, 'stop');
      const contents = lastUpstream(stack).body.request.contents as Array<{ role: string; parts: Array<Record<string, any>> }>;
      const callPart = contents[1].parts.find((p) => p.functionCall);
      assert.equal(callPart?.functionCall.name, 'get_weather');
      if (model === GEMINI) assert.match(callPart?.thoughtSignature ?? '', /\S{16,}/, 'the Gemini 3 call carries its signature');
    });
  }

  it('parallel tool calls: two calls with their own index and id, answered together', async () => {
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: '[[sim:call get_weather {"city":"Oslo"}]] [[sim:call get_time {"zone":"CET"}]]' }];
    const completion = await client.chat.completions.create({ model: GEMINI, messages, tools: [WEATHER, TIME], parallel_tool_calls: true });
    const calls = completion.choices[0].message.tool_calls ?? [];
    assert.equal(completion.choices[0].finish_reason, 'tool_calls');
    assert.equal(completion.choices[0].message.content, null);
    assert.deepEqual(
      calls.map((c) => c.type === 'function' && [c.function.name, JSON.parse(c.function.arguments)]),
      [
        ['get_weather', { city: 'Oslo' }],
        ['get_time', { zone: 'CET' }],
      ],
    );
    assert.equal(new Set(calls.map((c) => c.id)).size, 2);

    messages.push(
      { role: 'assistant', content: null, tool_calls: calls },
      { role: 'tool', tool_call_id: calls[0].id, content: 'rain' },
      { role: 'tool', tool_call_id: calls[1].id, content: '12:00' },
    );
    const answer = await client.chat.completions.create({ model: GEMINI, messages, tools: [WEATHER, TIME] });
    assert.match(answer.choices[0].message.content ?? '', /^Tool get_weather returned: /);
    const contents = lastUpstream(stack).body.request.contents as Array<{ parts: Array<Record<string, any>> }>;
    assert.equal(contents[2].parts.filter((p) => p.functionResponse).length, 2);
  });

  it('streams parallel calls with index 0 and 1', async () => {
    const stream = await client.chat.completions.create({
      model: CLAUDE,
      messages: [{ role: 'user', content: '[[sim:call get_weather {"city":"Rome"}]][[sim:call get_weather {"city":"Bern"}]]' }],
      tools: [WEATHER],
      stream: true,
    });
    const deltas = (await collect(stream)).flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    const opened = deltas.filter((d) => d.id);
    assert.deepEqual(
      opened.map((d) => d.index),
      [0, 1],
    );
    for (const index of [0, 1]) {
      const args = deltas
        .filter((d) => d.index === index)
        .map((d) => d.function?.arguments ?? '')
        .join('');
      assert.deepEqual(JSON.parse(args), { city: index === 0 ? 'Rome' : 'Bern' });
    }
  });

  it('legacy functions / function_call round trip', async () => {
    const first = await client.chat.completions.create({
      model: CLAUDE,
      messages: [{ role: 'user', content: '[[sim:call get_weather {"city":"Lima"}]]' }],
      functions: [WEATHER.function],
      function_call: 'auto',
    });
    const call = first.choices[0].message.tool_calls?.[0];
    assert.ok(call && call.type === 'function');
    assert.equal(call.function.name, 'get_weather');
    const upstreamTools = lastUpstream(stack).body.request.tools as Array<{ functionDeclarations: Array<{ name: string }> }>;
    assert.deepEqual(
      upstreamTools.flatMap((t) => t.functionDeclarations.map((d) => d.name)),
      ['get_weather'],
    );

    const second = await client.chat.completions.create({
      model: CLAUDE,
      messages: [
        { role: 'user', content: '[[sim:call get_weather {"city":"Lima"}]]' },
        { role: 'assistant', content: null, function_call: { name: 'get_weather', arguments: call.function.arguments } },
        { role: 'function', name: 'get_weather', content: 'fog' },
      ],
      functions: [WEATHER.function],
    });
    assert.equal(second.choices[0].message.content, 'Tool get_weather returned: {"output":"fog"}');
  });

  it('tool_choice required / named reaches the upstream as ANY with allowed names', async () => {
    await client.chat.completions.create({
      model: GEMINI,
      messages: [{ role: 'user', content: '[[sim:call get_time {"zone":"UTC"}]]' }],
      tools: [WEATHER, TIME],
      tool_choice: { type: 'function', function: { name: 'get_time' } },
    });
    const config = lastUpstream(stack).body.request.toolConfig.functionCallingConfig;
    assert.equal(config.mode, 'ANY');
    assert.deepEqual(config.allowedFunctionNames, ['get_time']);
  });

  it('returns reasoning_content for reasoning_effort and maps the effort to a thinking budget', async () => {
    const completion = await client.chat.completions.create({
      model: GEMINI,
      messages: [{ role: 'user', content: 'think first' }],
      reasoning_effort: 'low',
    });
    const message = completion.choices[0].message as (typeof completion.choices)[0]['message'] & { reasoning_content?: string };
    assert.match(message.reasoning_content ?? '', /\S/);
    assert.equal(message.content, `Hello from ${GEMINI}. You said: think first`);
    assert.ok((completion.usage?.completion_tokens_details?.reasoning_tokens ?? 0) > 0);
    const budgetOf = () => lastUpstream(stack).body.request.generationConfig?.thinkingConfig?.thinkingBudget as number | undefined;
    const low = budgetOf();
    assert.equal(lastUpstream(stack).body.request.generationConfig.thinkingConfig.includeThoughts, true);

    // `reasoning: {effort}` (the Responses spelling some Chat clients send) works too.
    await client.chat.completions.create({
      model: GEMINI,
      messages: [{ role: 'user', content: 'x' }],
      reasoning: { effort: 'medium' },
    } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    const medium = budgetOf();
    await client.chat.completions.create({ model: GEMINI, messages: [{ role: 'user', content: 'x' }], reasoning_effort: 'high' });
    const high = budgetOf();
    assert.ok(low! > 0 && low! < medium! && medium! < high!, `budgets low ${low}, medium ${medium}, high ${high}`);

    const none = await client.chat.completions.create({ model: GEMINI, messages: [{ role: 'user', content: 'x' }], reasoning_effort: 'none' });
    assert.equal(budgetOf(), undefined);
    assert.equal('reasoning_content' in none.choices[0].message, false);
  });

  it('streams reasoning_content deltas before the content', async () => {
    const stream = await client.chat.completions.create({
      model: CLAUDE.replace('sonnet-4-6', 'opus-4-6-thinking'),
      messages: [{ role: 'user', content: 'think' }],
      reasoning_effort: 'low',
      stream: true,
    });
    const deltas = (await collect(stream)).map((c) => c.choices[0]?.delta as Record<string, unknown> | undefined);
    const firstReasoning = deltas.findIndex((d) => typeof d?.reasoning_content === 'string' && d.reasoning_content !== '');
    const firstContent = deltas.findIndex((d) => typeof d?.content === 'string' && d.content !== '');
    assert.ok(firstReasoning > 0 && firstContent > firstReasoning, `reasoning at ${firstReasoning}, content at ${firstContent}`);
  });

  it('reports cached prompt tokens when a conversation continues (prompt_tokens includes them)', async () => {
    const history: ChatCompletionMessageParam[] = [{ role: 'user', content: `context ${'x'.repeat(600)}` }];
    const first = await client.chat.completions.create({ model: GEMINI, user: 'cache-user', messages: history });
    const second = await client.chat.completions.create({
      model: GEMINI,
      user: 'cache-user',
      messages: [...history, { role: 'assistant', content: first.choices[0].message.content }, { role: 'user', content: 'next' }],
    });
    const cached = second.usage?.prompt_tokens_details?.cached_tokens ?? 0;
    assert.equal(cached, first.usage?.prompt_tokens);
    assert.ok((second.usage?.prompt_tokens ?? 0) > cached);
  });

  it('response_format json_schema → responseMimeType + a cleaned responseSchema upstream', async () => {
    await client.chat.completions.create({
      model: GEMINI,
      messages: [{ role: 'user', content: 'a city as JSON' }],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'city',
          strict: true,
          schema: {
            $schema: 'http://json-schema.org/draft-07/schema#',
            type: 'object',
            properties: { name: { type: 'string', minLength: 1 }, population: { type: 'integer' } },
            required: ['name', 'population'],
            additionalProperties: false,
          },
        },
      },
    });
    const config = lastUpstream(stack).body.request.generationConfig;
    assert.equal(config.responseMimeType, 'application/json');
    const schema = JSON.stringify(config.responseSchema);
    assert.match(schema, /"population"/);
    // Keywords the upstream refuses are dropped (or, as minLength, folded into the description).
    assert.doesNotMatch(schema, /"additionalProperties"|"\$schema"|"minLength"/);
  });

  it('response_format json_object → responseMimeType only', async () => {
    await client.chat.completions.create({
      model: CLAUDE,
      messages: [{ role: 'user', content: 'JSON please' }],
      response_format: { type: 'json_object' },
    });
    const config = lastUpstream(stack).body.request.generationConfig;
    assert.equal(config.responseMimeType, 'application/json');
    assert.equal(config.responseSchema, undefined);
  });

  it('takes an image_url with a data: URL as inline data', async () => {
    const completion = await client.chat.completions.create({
      model: GEMINI,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_1PX}` } },
          ],
        },
      ],
    });
    assert.match(completion.choices[0].message.content ?? '', /You said: what is this\?/);
    const parts = lastUpstream(stack).body.request.contents[0].parts as Array<Record<string, any>>;
    assert.deepEqual(parts[1], { inlineData: { mimeType: 'image/png', data: PNG_1PX } });
    // An input image counts 258 tokens upstream.
    assert.ok((completion.usage?.prompt_tokens ?? 0) >= 258);
  });

  it('max_tokens cuts the answer: finish_reason length', async () => {
    const completion = await client.chat.completions.create({
      model: CLAUDE,
      messages: [{ role: 'user', content: '[[sim:words 200]]' }],
      max_tokens: 10,
    });
    assert.equal(completion.choices[0].finish_reason, 'length');
    assert.ok((completion.choices[0].message.content ?? '').length < 200);
    assert.equal(lastUpstream(stack).body.request.generationConfig.maxOutputTokens, 10);

    const stream = await client.chat.completions.create({
      model: CLAUDE,
      messages: [{ role: 'user', content: '[[sim:words 200]]' }],
      max_completion_tokens: 10,
      stream: true,
    });
    const finish = (await collect(stream)).find((c) => c.choices[0]?.finish_reason);
    assert.equal(finish?.choices[0].finish_reason, 'length');
  });

  it('passes stop, temperature, top_p and seed to the upstream', async () => {
    await client.chat.completions.create({
      model: GEMINI,
      messages: [{ role: 'user', content: 'knobs' }],
      stop: ['END'],
      temperature: 0.3,
      top_p: 0.8,
      seed: 7,
      user: 'user-1',
    });
    const config = lastUpstream(stack).body.request.generationConfig;
    assert.deepEqual(config.stopSequences, ['END']);
    assert.equal(config.temperature, 0.3);
    assert.equal(config.topP, 0.8);
    assert.equal(config.seed, 7);
  });

  describe('refusals as OpenAI 400s through BadRequestError', () => {
    let upstreamCallsBefore: number;
    before(() => {
      upstreamCallsBefore = stack.sim.log.length;
    });
    const refusals: Array<[string, Record<string, unknown>, string, RegExp]> = [
      ['n > 1', { n: 3 }, 'n', /n > 1/],
      ['logprobs', { logprobs: true, top_logprobs: 2 }, 'logprobs', /logprobs/],
      ['missing messages', { messages: undefined }, 'messages', /Missing required parameter: 'messages'/],
      ['a wrong role', { messages: [{ role: 'robot', content: 'hi' }] }, 'messages[0].role', /robot/],
      [
        'a tool message with an unknown tool_call_id',
        {
          messages: [
            { role: 'user', content: 'hi' },
            { role: 'tool', tool_call_id: 'call_nope', content: 'x' },
          ],
        },
        'messages[1].tool_call_id',
        /call_nope/,
      ],
      [
        'a JSON schema that is not an object',
        { response_format: { type: 'json_schema', json_schema: { name: 'bad', schema: 'not a schema' } } },
        'response_format.json_schema.schema',
        /expected an object/,
      ],
      [
        'an invalid response JSON schema',
        { response_format: { type: 'json_schema', json_schema: { name: 'city', schema: { type: 'object', required: 'name' } } } },
        'response_format.json_schema.schema',
        /Invalid schema for response_format 'city': '\/required' must be array/,
      ],
      [
        'an invalid function parameters schema',
        { tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: { type: 'strin' } } } } }] },
        'tools[0].function.parameters',
        /Invalid schema for function 'f': '\/properties\/a\/type' must be equal to one of the allowed values/,
      ],
    ];
    for (const [title, patch, param, message] of refusals) {
      it(title, async () => {
        const body = { model: GEMINI, messages: [{ role: 'user', content: 'hi' }], ...patch } as OpenAI.ChatCompletionCreateParamsNonStreaming;
        const err = await client.chat.completions.create(body).then(
          () => assert.fail('expected a 400'),
          (e: unknown) => e,
        );
        assert.ok(err instanceof OpenAI.BadRequestError, String(err));
        assert.equal(err.status, 400);
        assert.equal(err.type, 'invalid_request_error');
        assert.equal(err.param, param);
        assert.match(err.message, message);
      });
    }

    it('an image URL on a private network is refused before any fetch', async () => {
      const err = await client.chat.completions
        .create({ model: GEMINI, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://127.0.0.1:9/cat.png' } }] }] })
        .catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.BadRequestError, String(err));
      assert.equal(err.type, 'invalid_request_error');
      assert.match(err.message, /Could not fetch media from .*loopback/);
    });

    it('none of them reached the upstream', () => {
      assert.equal(stack.sim.log.length, upstreamCallsBefore);
    });
  });
});

describe('openai SDK → Chat Completions with reasoning hidden (openai.exposeReasoning false)', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ configure: (config) => void (config.openai.exposeReasoning = false) });
  });
  after(() => stack.close());

  it('returns no reasoning_content, streamed or not', async () => {
    const client = clientFor(stack);
    const request = { model: GEMINI, messages: [{ role: 'user' as const, content: 'think' }], reasoning_effort: 'high' as const };
    const completion = await client.chat.completions.create(request);
    assert.equal('reasoning_content' in completion.choices[0].message, false);
    assert.equal(completion.choices[0].message.content, `Hello from ${GEMINI}. You said: think`);
    const chunks = await collect(await client.chat.completions.create({ ...request, stream: true }));
    assert.ok(chunks.every((c) => !('reasoning_content' in (c.choices[0]?.delta ?? {}))));
  });
});
