import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import type { GoogleGenAI } from '@google/genai' with { 'resolution-mode': 'import' };
import OpenAI from 'openai';
import { startSimulator, type Simulator } from '../../../src/simulator';

type Json = Record<string, any>;

const ANTHROPIC_KEY = 'sk-ant-sim-key-0001';
const GEMINI_KEY = 'AIzaSim-gemini-key-0001';
const OPENAI_KEY = 'sk-sim-openai-key-0001';
const WEATHER = { name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } };

describe('simulator: paid providers', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator();
    sim.addProviderKey({ provider: 'anthropic', key: ANTHROPIC_KEY, name: 'anthropic-work' });
    sim.addProviderKey({ provider: 'gemini-api', key: GEMINI_KEY, name: 'studio' });
    sim.addProviderKey({ provider: 'openai', key: OPENAI_KEY, name: 'openai-main' });
  });
  after(() => sim.close());
  beforeEach(() => {
    sim.reset();
    sim.configure({ framesPerAnswer: 4, firstByteDelayMs: 0, frameIntervalMs: 0 });
  });

  const anthropicFetch = (body: unknown, headers: Record<string, string> = {}, path = '/v1/messages') =>
    fetch(`${sim.url}/anthropic${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': ANTHROPIC_KEY, 'anthropic-version': '2023-06-01', ...headers },
      body: JSON.stringify(body),
    });

  describe('Anthropic', () => {
    const anthropic = () => new Anthropic({ baseURL: `${sim.url}/anthropic`, apiKey: ANTHROPIC_KEY, maxRetries: 0 });

    it('answers the official SDK, streamed and whole, with usage', async () => {
      const message = await anthropic().messages.create({ model: 'claude-sonnet-4-6', max_tokens: 256, messages: [{ role: 'user', content: 'Hi there' }] });
      assert.equal(message.content[0].type === 'text' && message.content[0].text, 'Hello from claude-sonnet-4-6. You said: Hi there');
      assert.equal(message.stop_reason, 'end_turn');
      assert.ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0);

      const stream = anthropic().messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 256, messages: [{ role: 'user', content: '[[sim:words 30]]' }] });
      let deltas = 0;
      stream.on('text', () => (deltas += 1));
      const final = await stream.finalMessage();
      assert.ok(deltas >= 3, `${deltas} text deltas`);
      assert.equal(final.content[0].type === 'text' && final.content[0].text.split(' ').length, 30);
      assert.ok(final.usage.output_tokens > 1);
      const entry = sim.log.find((e) => e.label === 'anthropic' && e.stream)!;
      assert.equal(entry.account, 'anthropic-work');
      assert.equal(entry.method, 'messages');
      assert.equal(entry.headers?.['x-api-key'], undefined);
    });

    it('frames SSE as Anthropic does: message_start, ping, blocks, message_delta, message_stop', async () => {
      const res = await anthropicFetch({ model: 'claude-haiku-4-5', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'Hello' }] });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /^text\/event-stream/);
      const text = await res.text();
      const events = text
        .trim()
        .split('\n\n')
        .map((block) => {
          const [eventLine, dataLine] = block.split('\n');
          const type = eventLine.slice('event: '.length);
          const data = JSON.parse(dataLine.slice('data: '.length)) as Json;
          assert.equal(data.type, type);
          return data;
        });
      const types = events.map((e) => e.type);
      assert.deepEqual(types.slice(0, 3), ['message_start', 'ping', 'content_block_start']);
      assert.deepEqual(types.slice(-3), ['content_block_stop', 'message_delta', 'message_stop']);
      assert.equal(events.at(-2)!.delta.stop_reason, 'end_turn');
      assert.ok(events[0].message.usage.input_tokens > 0);
    });

    it('streams thinking with a signature, tool calls with streamed arguments, and verifies the replayed signature', async () => {
      const client = anthropic();
      const first = await client.messages
        .stream({
          model: 'claude-sonnet-4-6',
          max_tokens: 4096,
          thinking: { type: 'enabled', budget_tokens: 2048 },
          tools: [WEATHER as Anthropic.Tool],
          messages: [{ role: 'user', content: 'Weather? [[sim:call get_weather {"city":"Paris"}]] [[sim:call get_weather {"city":"Rome"}]]' }],
        })
        .finalMessage();
      assert.equal(first.stop_reason, 'tool_use');
      const [thinking, ...calls] = first.content;
      assert.equal(thinking.type, 'thinking');
      assert.ok(thinking.type === 'thinking' && thinking.signature.length > 20);
      assert.deepEqual(
        calls.map((c) => c.type === 'tool_use' && c.input),
        [{ city: 'Paris' }, { city: 'Rome' }],
      );
      const results = calls.map((c) => ({ type: 'tool_result' as const, tool_use_id: c.type === 'tool_use' ? c.id : '', content: '18C' }));
      const second = await client.messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 4096,
        thinking: { type: 'enabled', budget_tokens: 2048 },
        tools: [WEATHER as Anthropic.Tool],
        messages: [
          { role: 'user', content: 'Weather?' },
          { role: 'assistant', content: first.content },
          { role: 'user', content: results },
        ],
      });
      assert.match(
        second.content.find((b) => b.type === 'text')!.type === 'text' ? (second.content.find((b) => b.type === 'text') as Anthropic.TextBlock).text : '',
        /Tool get_weather returned/,
      );

      const forged = await anthropicFetch({
        model: 'claude-sonnet-4-6',
        max_tokens: 4096,
        tools: [WEATHER],
        messages: [
          { role: 'user', content: 'Weather?' },
          { role: 'assistant', content: [{ type: 'thinking', thinking: 'x', signature: 'forged' }, ...calls] },
          { role: 'user', content: results },
        ],
      });
      assert.equal(forged.status, 400);
      assert.match(((await forged.json()) as Json).error.message, /Invalid `signature` in `thinking` block/);
    });

    it('refuses what the API refuses, in its error shape', async () => {
      const cases: Array<[unknown, Record<string, string>, number, string, RegExp]> = [
        [
          { model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] },
          { 'x-api-key': '' },
          401,
          'authentication_error',
          /x-api-key header is required/,
        ],
        [
          { model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] },
          { 'x-api-key': 'sk-ant-wrong' },
          401,
          'authentication_error',
          /invalid x-api-key/,
        ],
        [
          { model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] },
          { 'x-api-key': GEMINI_KEY },
          401,
          'authentication_error',
          /invalid x-api-key/,
        ],
        [
          { model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] },
          { 'anthropic-version': '' },
          400,
          'invalid_request_error',
          /anthropic-version: header is required/,
        ],
        [{ model: 'claude-sonnet-4-6', messages: [{ role: 'user', content: 'x' }] }, {}, 400, 'invalid_request_error', /max_tokens: Field required/],
        [{ model: 'claude-nope', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }, {}, 404, 'not_found_error', /model: claude-nope/],
        [
          { model: 'claude-sonnet-4-6', max_tokens: 10, foo: 1, messages: [{ role: 'user', content: 'x' }] },
          {},
          400,
          'invalid_request_error',
          /foo: Extra inputs are not permitted/,
        ],
        [
          { model: 'claude-sonnet-4-6', max_tokens: 99999, messages: [{ role: 'user', content: 'x' }] },
          {},
          400,
          'invalid_request_error',
          /maximum allowed number of output tokens/,
        ],
        [
          { model: 'claude-sonnet-4-6', max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 2000 }, messages: [{ role: 'user', content: 'x' }] },
          {},
          400,
          'invalid_request_error',
          /must be greater than `thinking.budget_tokens`/,
        ],
        [
          {
            model: 'claude-sonnet-4-6',
            max_tokens: 10,
            tools: [WEATHER],
            messages: [
              { role: 'user', content: 'x' },
              { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} }] },
              { role: 'user', content: 'no result' },
            ],
          },
          {},
          400,
          'invalid_request_error',
          /`tool_use` ids were found without `tool_result` blocks immediately after: toolu_1/,
        ],
        [
          {
            model: 'claude-sonnet-4-6',
            max_tokens: 10,
            messages: [{ role: 'user', content: Array.from({ length: 5 }, (_, i) => ({ type: 'text', text: `t${i}`, cache_control: { type: 'ephemeral' } })) }],
          },
          {},
          400,
          'invalid_request_error',
          /A maximum of 4 blocks with cache_control may be provided. Found 5./,
        ],
        [
          { model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'x [[sim:nope]]' }] },
          {},
          400,
          'invalid_request_error',
          /Invalid simulator directive/,
        ],
      ];
      for (const [body, headers, status, type, message] of cases) {
        const res = await anthropicFetch(body, headers);
        const json = (await res.json()) as Json;
        assert.equal(res.status, status, JSON.stringify(json));
        assert.equal(json.type, 'error');
        assert.equal(json.error.type, type);
        assert.match(json.error.message, message);
        assert.match(res.headers.get('request-id') ?? 'req_', /^req_/);
      }
    });

    it('maps faults to Anthropic statuses: 429 with retry-after, 529 overloaded, credit balance', async () => {
      const body = { model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] };
      sim.injectFault({ kind: 'rate_limited', host: 'anthropic', retryDelayMs: 7000 });
      let res = await anthropicFetch(body);
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('retry-after'), '7');
      assert.equal(((await res.json()) as Json).error.type, 'rate_limit_error');
      sim.injectFault({ kind: 'capacity', host: 'anthropic' });
      res = await anthropicFetch(body);
      assert.equal(res.status, 529);
      assert.equal(((await res.json()) as Json).error.type, 'overloaded_error');
      res = await anthropicFetch({ ...body, messages: [{ role: 'user', content: 'x [[sim:fault quota_exhausted]]' }] });
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as Json).error.message, /credit balance is too low/);
      // A fault aimed at another provider leaves this one alone.
      sim.injectFault({ kind: 'server_error', host: 'openai' });
      res = await anthropicFetch(body);
      assert.equal(res.status, 200);
    });

    it('writes then reads the prompt cache at a cache_control breakpoint', async () => {
      const system = [{ type: 'text', text: 'You are terse. '.repeat(400), cache_control: { type: 'ephemeral' } }];
      const body = (text: string) => ({ model: 'claude-sonnet-4-6', max_tokens: 50, system, messages: [{ role: 'user', content: text }] });
      const first = ((await (await anthropicFetch(body('one'))).json()) as Json).usage;
      assert.ok(first.cache_creation_input_tokens >= 1024, JSON.stringify(first));
      assert.equal(first.cache_read_input_tokens, 0);
      const second = ((await (await anthropicFetch(body('two'))).json()) as Json).usage;
      assert.equal(second.cache_read_input_tokens, first.cache_creation_input_tokens);
      assert.equal(second.cache_creation_input_tokens, 0);
      assert.ok(second.input_tokens > 0 && second.input_tokens < 20);
    });

    it('thinks adaptively on request', async () => {
      const message = await anthropic().messages.create({
        model: 'claude-opus-4-6',
        max_tokens: 4096,
        thinking: { type: 'adaptive' },
        messages: [{ role: 'user', content: 'Think' }],
      });
      assert.deepEqual(
        message.content.map((b) => b.type),
        ['thinking', 'text'],
      );
    });

    it('lists models, counts tokens, and logs the headers that matter', async () => {
      const models = await anthropic().models.list();
      assert.ok(models.data.some((m) => m.id === 'claude-sonnet-4-6'));
      const count = await anthropicFetch({ model: 'claude-sonnet-4-6', messages: [{ role: 'user', content: 'count me' }] }, {}, '/v1/messages/count_tokens');
      assert.ok((((await count.json()) as Json).input_tokens as number) > 0);
      await anthropicFetch(
        { model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] },
        { 'anthropic-beta': 'interleaved-thinking-2025-05-14' },
      );
      const entry = sim.log.find((e) => e.method === 'messages')!;
      assert.equal(entry.headers?.['anthropic-beta'], 'interleaved-thinking-2025-05-14');
      assert.equal(entry.headers?.['anthropic-version'], '2023-06-01');
    });
  });

  describe('Gemini API', () => {
    /** The SDK is an ES module; test files are CommonJS. */
    let GenAI: typeof GoogleGenAI;
    before(async () => {
      GenAI = (await import('@google/genai')).GoogleGenAI;
    });
    const genai = (apiKey = GEMINI_KEY) => new GenAI({ apiKey, httpOptions: { baseUrl: `${sim.url}/gemini-api` } });

    it('answers @google/genai, streamed and whole, with usage', async () => {
      const whole = await genai().models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hello Gemini' });
      assert.equal(whole.text, 'Hello from gemini-2.5-flash. You said: Hello Gemini');
      assert.ok(whole.usageMetadata!.promptTokenCount! > 0);
      let text = '';
      let chunks = 0;
      for await (const chunk of await genai().models.generateContentStream({ model: 'gemini-2.5-flash-lite', contents: '[[sim:words 12]]' })) {
        text += chunk.text ?? '';
        chunks += 1;
      }
      assert.equal(text.split(' ').length, 12);
      assert.ok(chunks >= 3);
      const entry = sim.log.find((e) => e.label === 'gemini-api' && e.method === 'streamGenerateContent')!;
      assert.equal(entry.account, 'studio');
      assert.equal(entry.stream, true);
    });

    it('calls functions and lists models', async () => {
      const result = await genai().models.generateContent({
        model: 'gemini-2.5-pro',
        contents: 'Weather? [[sim:call get_weather {"city":"Oslo"}]]',
        config: {
          tools: [
            { functionDeclarations: [{ name: 'get_weather', parameters: { type: 'OBJECT' as never, properties: { city: { type: 'STRING' as never } } } }] },
          ],
        },
      });
      assert.deepEqual(result.functionCalls?.[0].args, { city: 'Oslo' });
      const pager = await genai().models.list();
      const names: string[] = [];
      for await (const model of pager) names.push(model.name!);
      assert.ok(names.includes('models/gemini-2.5-flash'));
    });

    it('takes the key from ?key= too, and refuses a missing or bad key as Google does', async () => {
      const body = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'x' }] }] });
      const url = `${sim.url}/gemini-api/v1beta/models/gemini-2.5-flash:generateContent`;
      let res = await fetch(`${url}?key=${GEMINI_KEY}`, { method: 'POST', body });
      assert.equal(res.status, 200);
      res = await fetch(url, { method: 'POST', body });
      assert.equal(res.status, 403);
      assert.equal(((await res.json()) as Json).error.status, 'PERMISSION_DENIED');
      res = await fetch(url, { method: 'POST', body, headers: { 'x-goog-api-key': 'AIza-wrong' } });
      assert.equal(res.status, 400);
      const bad = (await res.json()) as Json;
      assert.equal(bad.error.details[0].reason, 'API_KEY_INVALID');
      res = await fetch(`${sim.url}/gemini-api/v1beta/models/gemini-9:generateContent`, { method: 'POST', body, headers: { 'x-goog-api-key': GEMINI_KEY } });
      assert.equal(res.status, 404);
      res = await fetch(`${url}?key=${GEMINI_KEY}`, { method: 'POST', body: JSON.stringify({ contents: [], sessionId: 'x' }) });
      assert.equal(res.status, 400);
      sim.injectFault({ kind: 'rate_limited', host: 'gemini-api', retryDelayMs: 17_000 });
      res = await fetch(`${url}?key=${GEMINI_KEY}`, { method: 'POST', body });
      assert.equal(res.status, 429);
      const limited = (await res.json()) as Json;
      assert.equal(limited.error.status, 'RESOURCE_EXHAUSTED');
      assert.equal(limited.error.details.find((d: Json) => d['@type'].endsWith('RetryInfo')).retryDelay, '17s');
    });

    it('frames SSE with CRLF blank lines and usage on every chunk', async () => {
      const res = await fetch(`${sim.url}/gemini-api/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, {
        method: 'POST',
        headers: { 'x-goog-api-key': GEMINI_KEY },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Stream me please' }] }] }),
      });
      const text = await res.text();
      assert.ok(text.endsWith('\r\n\r\n'));
      const frames = text
        .split('\r\n\r\n')
        .filter(Boolean)
        .map((b) => JSON.parse(b.slice('data: '.length)) as Json);
      assert.ok(frames.length > 1);
      for (const frame of frames) assert.ok(frame.usageMetadata.promptTokenCount > 0);
      assert.equal(frames.at(-1)!.candidates[0].finishReason, 'STOP');
    });
  });

  describe('OpenAI-compatible', () => {
    const openai = (apiKey = OPENAI_KEY) => new OpenAI({ baseURL: `${sim.url}/openai/v1`, apiKey, maxRetries: 0 });

    it('answers the official SDK, streamed with include_usage and whole', async () => {
      const whole = await openai().chat.completions.create({
        model: 'gpt-4o',
        messages: [
          { role: 'system', content: 'Be kind' },
          { role: 'user', content: 'Hey' },
        ],
      });
      assert.equal(whole.choices[0].message.content, 'Hello from gpt-4o. You said: Hey');
      assert.equal(whole.choices[0].finish_reason, 'stop');
      assert.equal(whole.usage!.total_tokens, whole.usage!.prompt_tokens + whole.usage!.completion_tokens);

      const stream = await openai().chat.completions.create({
        model: 'gpt-4o-mini',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: '[[sim:words 20]]' }],
      });
      let text = '';
      let usage: OpenAI.CompletionUsage | undefined | null;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        if (chunk.usage) usage = chunk.usage;
      }
      assert.equal(text.split(' ').length, 20);
      assert.ok(usage && usage.completion_tokens > 0);
      assert.equal(sim.log.find((e) => e.stream)!.account, 'openai-main');
    });

    it('streams parallel tool calls with their arguments in pieces, and checks tool replies', async () => {
      const tools: OpenAI.ChatCompletionTool[] = [
        { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
      ];
      const stream = openai().chat.completions.stream({
        model: 'gpt-4.1',
        tools,
        messages: [{ role: 'user', content: '[[sim:call get_weather {"city":"Lima"}]] [[sim:call get_weather {"city":"Quito"}]]' }],
      });
      const final = await stream.finalChatCompletion();
      const calls = final.choices[0].message.tool_calls!;
      assert.equal(final.choices[0].finish_reason, 'tool_calls');
      assert.deepEqual(
        calls.map((c) => c.type === 'function' && JSON.parse(c.function.arguments)),
        [{ city: 'Lima' }, { city: 'Quito' }],
      );
      const answered = await openai().chat.completions.create({
        model: 'gpt-4.1',
        tools,
        messages: [
          { role: 'user', content: 'Weather?' },
          { role: 'assistant', content: null, tool_calls: calls },
          ...calls.map((c) => ({ role: 'tool' as const, tool_call_id: c.id, content: 'sunny' })),
        ],
      });
      assert.match(answered.choices[0].message.content!, /Tool get_weather returned/);
      await assert.rejects(
        openai().chat.completions.create({
          model: 'gpt-4.1',
          tools,
          messages: [
            { role: 'user', content: 'x' },
            { role: 'assistant', content: null, tool_calls: calls },
          ],
        }),
        (error: unknown) => error instanceof OpenAI.BadRequestError && /did not have response messages/.test(error.message),
      );
    });

    it('refuses what the API refuses, in its error shape', async () => {
      await assert.rejects(
        openai('sk-wrong-key-123456').models.list(),
        (error: unknown) => error instanceof OpenAI.AuthenticationError && (error.error as Json).code === 'invalid_api_key',
      );
      const raw = await fetch(`${sim.url}/openai/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'gpt-4o', messages: [] }) });
      assert.equal(raw.status, 401);
      assert.match(((await raw.json()) as Json).error.message, /You didn't provide an API key/);
      await assert.rejects(
        openai().chat.completions.create({ model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] }),
        (e: unknown) => e instanceof OpenAI.NotFoundError && (e.error as Json).code === 'model_not_found',
      );
      await assert.rejects(
        openai().chat.completions.create({ model: 'o4-mini', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }),
        /max_completion_tokens/,
      );
      await assert.rejects(
        openai().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream_options: { include_usage: true } }),
        /only allowed when 'stream' is enabled/,
      );
      await assert.rejects(
        openai().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], foo: 1 } as never),
        /Unrecognized request argument supplied: foo/,
      );
      await assert.rejects(
        openai().chat.completions.create({ model: 'gpt-4o', response_format: { type: 'json_object' }, messages: [{ role: 'user', content: 'x' }] }),
        /must contain the word 'json'/,
      );
      sim.injectFault({ kind: 'rate_limited', host: 'openai', retryDelayMs: 3000 });
      const limited = await fetch(`${sim.url}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${OPENAI_KEY}` },
        body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }),
      });
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get('retry-after'), '3');
      assert.equal(((await limited.json()) as Json).error.code, 'rate_limit_exceeded');
    });

    it('answers JSON schema output, reports reasoning tokens and lists models', async () => {
      const json = await openai().chat.completions.create({
        model: 'o4-mini',
        max_completion_tokens: 500,
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'city', schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
        },
        messages: [{ role: 'user', content: 'Capital of Peru?' }],
      });
      assert.equal(typeof JSON.parse(json.choices[0].message.content!).city, 'string');
      assert.ok(json.usage!.completion_tokens_details!.reasoning_tokens! > 0);
      const models = await openai().models.list();
      assert.ok(models.data.some((m) => m.id === 'gpt-4o'));
    });

    it('a stream cut by reset_after ends early; a hang answers nothing until the client gives up', async () => {
      sim.injectFault({ kind: 'reset_after', host: 'openai', frames: 1 });
      const stream = await openai().chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: '[[sim:words 40]]' }] });
      await assert.rejects(async () => {
        for await (const chunk of stream) void chunk;
      });
      const entry = await sim.waitForLog((e) => e.fault === 'reset_after' && e.durationMs !== undefined);
      assert.equal(entry.frames, 1);
    });
  });

  it('the control API adds provider keys', async () => {
    const res = await fetch(`${sim.url}/__sim/provider-keys`, { method: 'POST', body: JSON.stringify({ provider: 'openai', key: 'sk-second-key-000000' }) });
    assert.equal(res.status, 201);
    const listed = (await (await fetch(`${sim.url}/__sim/provider-keys`)).json()) as Json[];
    assert.ok(listed.some((k) => k.name === 'sk-sec…0000'));
    const bad = await fetch(`${sim.url}/__sim/provider-keys`, { method: 'POST', body: JSON.stringify({ provider: 'mistral', key: 'k' }) });
    assert.equal(bad.status, 400);
    sim.revokeProviderKey('sk-second-key-000000');
    const refused = await fetch(`${sim.url}/openai/v1/models`, { headers: { authorization: 'Bearer sk-second-key-000000' } });
    assert.equal(refused.status, 401);
  });
});
