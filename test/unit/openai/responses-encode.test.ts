import assert from 'node:assert/strict';
import { GatewayError } from '../../../src/core/errors';
import type { ChatEvent, ChatRequest } from '../../../src/core/ir';
import { ResponsesCodec, ResponsesStore } from '../../../src/core/protocols/openai';
import { encodeAll, parseSse, usage } from './helpers';

const ctx = { headers: {}, query: {}, params: {} };

function setup(options: { exposeReasoning?: boolean } = {}) {
  const store = new ResponsesStore();
  const codec = new ResponsesCodec({ store, ...options });
  const decode = (body: Record<string, unknown>) => codec.decodeRequest({ model: 'gemini-3-flash', input: 'hi', ...body }, ctx);
  /** Every streamed event as parsed JSON, after checking each frame's `event:` names its `type`. */
  const stream = (request: ChatRequest, events: ChatEvent[]) =>
    parseSse(encodeAll(codec.createStreamEncoder(request), events)).map((m) => {
      const data = JSON.parse(m.data);
      assert.equal(m.event, data.type);
      return data;
    });
  return { store, codec, decode, stream };
}

const finish = (reason: 'stop' | 'length' = 'stop'): ChatEvent => ({ type: 'finish', reason, usage: usage() });
const call = (id: string, name: string, args: Record<string, unknown>, signature?: string): ChatEvent => ({
  type: 'tool_call',
  call: { type: 'tool_call', id, name, args, ...(signature ? { signature } : {}) },
});

describe('openai responses: encoding answers', () => {
  it('streams a text answer as the documented event sequence with increasing sequence numbers', () => {
    const { decode, stream } = setup();
    const events = stream(decode({ stream: true }), [{ type: 'text', text: 'Hel' }, { type: 'text', text: 'lo' }, finish()]);
    assert.deepEqual(
      events.map((e) => e.type),
      [
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.content_part.added',
        'response.output_text.delta',
        'response.output_text.delta',
        'response.output_text.done',
        'response.content_part.done',
        'response.output_item.done',
        'response.completed',
      ],
    );
    assert.deepEqual(
      events.map((e) => e.sequence_number),
      events.map((_, i) => i),
    );
    assert.equal(events[0].response.status, 'in_progress');
    assert.deepEqual(events[0].response.output, []);
    assert.equal(events[6].text, 'Hello');
    const completed = events.at(-1).response;
    assert.match(completed.id, /^resp_/);
    assert.equal(completed.status, 'completed');
    assert.deepEqual(completed.output[0].content, [{ type: 'output_text', text: 'Hello', annotations: [] }]);
    assert.deepEqual(completed.usage, {
      input_tokens: 100,
      input_tokens_details: { cached_tokens: 40 },
      output_tokens: 25,
      output_tokens_details: { reasoning_tokens: 5 },
      total_tokens: 125,
    });
    assert.ok(events.slice(2, -1).every((e) => e.output_index === 0));
  });

  it('streams reasoning as a summary, with the signature as encrypted_content when included, then a function call', () => {
    const { decode, stream } = setup();
    const request = decode({ reasoning: { summary: 'auto' }, include: ['reasoning.encrypted_content'], tools: [{ type: 'function', name: 'exec_command' }] });
    const events = stream(request, [
      { type: 'thinking', text: 'Need ' },
      { type: 'thinking', text: 'ls.' },
      { type: 'thinking_signature', signature: 'SIG' },
      call('call_1', 'exec_command', { cmd: 'ls' }),
      finish(),
    ]);
    assert.deepEqual(
      events.map((e) => e.type),
      [
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.reasoning_summary_part.added',
        'response.reasoning_summary_text.delta',
        'response.reasoning_summary_text.delta',
        'response.reasoning_summary_text.done',
        'response.reasoning_summary_part.done',
        'response.output_item.done',
        'response.output_item.added',
        'response.function_call_arguments.delta',
        'response.function_call_arguments.done',
        'response.output_item.done',
        'response.completed',
      ],
    );
    const [reasoning, fn] = events.at(-1).response.output;
    assert.deepEqual(
      { ...reasoning, id: undefined },
      {
        id: undefined,
        type: 'reasoning',
        summary: [{ type: 'summary_text', text: 'Need ls.' }],
        encrypted_content: 'SIG',
      },
    );
    assert.match(fn.id, /^fc_/);
    assert.deepEqual(
      { ...fn, id: undefined },
      {
        id: undefined,
        type: 'function_call',
        status: 'completed',
        call_id: 'call_1',
        name: 'exec_command',
        arguments: '{"cmd":"ls"}',
      },
    );
    assert.equal(events[11].arguments, '{"cmd":"ls"}');
    assert.equal(events[10].output_index, 1);
  });

  it('keeps signatures to itself unless include asks for them, and hides summaries when configured', () => {
    const { decode, stream } = setup({ exposeReasoning: false });
    const events = stream(decode({ reasoning: { summary: 'auto' } }), [
      { type: 'thinking', text: 'private' },
      { type: 'thinking_signature', signature: 'SIG' },
      { type: 'text', text: 'Answer' },
      finish(),
    ]);
    const text = JSON.stringify(events);
    assert.ok(!text.includes('private') && !text.includes('SIG'));
    assert.deepEqual(
      events.at(-1).response.output.map((o: { type: string }) => o.type),
      ['message'],
    );
  });

  it('reports a cut-short answer as incomplete with the reason', () => {
    const { decode, stream, codec } = setup();
    const events = stream(decode({}), [{ type: 'text', text: 'Once upon' }, finish('length')]);
    const last = events.at(-1);
    assert.equal(last.type, 'response.incomplete');
    assert.equal(last.response.status, 'incomplete');
    assert.deepEqual(last.response.incomplete_details, { reason: 'max_output_tokens' });
    const body = codec.encodeResponse(
      { id: 'x', model: 'm', parts: [{ type: 'text', text: 'Once' }], finishReason: 'length', usage: usage() },
      decode({}),
    ) as any;
    assert.equal(body.status, 'incomplete');
  });

  it('ends a failed stream with response.failed, opening the response first if nothing was sent', () => {
    const { decode, codec } = setup();
    const encoder = codec.createStreamEncoder(decode({}));
    const frames = encoder.error(new GatewayError('rate_limit', 'Rate limited.', { retryAfterSeconds: 3 })) + encoder.end();
    const events = parseSse(frames).map((m) => JSON.parse(m.data));
    assert.deepEqual(
      events.map((e) => e.type),
      ['response.created', 'response.in_progress', 'response.failed'],
    );
    assert.equal(events[2].response.status, 'failed');
    assert.deepEqual(events[2].response.error, { code: 'rate_limit_exceeded', message: 'Rate limited. Please try again in 3s.' });
    assert.equal(encoder.encode({ type: 'text', text: 'late' }), '');
  });

  it('gives the same Response object without streaming', () => {
    const { decode, codec } = setup();
    const request = decode({ reasoning: { summary: 'auto' }, include: ['reasoning.encrypted_content'], metadata: { a: '1' }, instructions: 'Be kind.' });
    const body = codec.encodeResponse(
      {
        id: 'x',
        model: 'gemini-3-flash',
        parts: [
          { type: 'thinking', text: 'Think', signature: 'SIG' },
          { type: 'text', text: 'Done.' },
          { type: 'tool_call', id: 'call_9', name: 'f', args: { a: 1 } },
        ],
        finishReason: 'stop',
        usage: usage(),
      },
      request,
    ) as any;
    assert.equal(body.object, 'response');
    assert.equal(body.status, 'completed');
    assert.equal(body.model, 'gemini-3-flash');
    assert.equal(body.instructions, 'Be kind.');
    assert.deepEqual(body.metadata, { a: '1' });
    assert.deepEqual(
      body.output.map((o: { type: string }) => o.type),
      ['reasoning', 'message', 'function_call'],
    );
    assert.deepEqual(body.output[0].summary, [{ type: 'summary_text', text: 'Think' }]);
    assert.equal(body.output[0].encrypted_content, 'SIG');
    assert.deepEqual(body.output[1].content, [{ type: 'output_text', text: 'Done.', annotations: [] }]);
    assert.equal(body.output[2].arguments, '{"a":1}');
    assert.equal(body.usage.total_tokens, 125);
  });

  describe('previous_response_id', () => {
    it('continues a stored conversation: the next request starts with the whole history', () => {
      const { decode, stream } = setup();
      const first = decode({ input: 'Run ls', tools: [{ type: 'function', name: 'exec_command' }] });
      const events = stream(first, [
        { type: 'thinking', text: 'ok' },
        { type: 'thinking_signature', signature: 'S1' },
        call('call_1', 'exec_command', { cmd: 'ls' }, 'CS'),
        finish(),
      ]);
      const id = events.at(-1).response.id;

      const second = decode({ previous_response_id: id, input: [{ type: 'function_call_output', call_id: 'call_1', output: 'a.txt' }] });
      assert.deepEqual(second.messages, [
        { role: 'user', parts: [{ type: 'text', text: 'Run ls' }] },
        {
          role: 'assistant',
          parts: [
            { type: 'thinking', text: 'ok', signature: 'S1' },
            { type: 'tool_call', id: 'call_1', name: 'exec_command', args: { cmd: 'ls' }, signature: 'CS' },
          ],
        },
        { role: 'user', parts: [{ type: 'tool_result', callId: 'call_1', name: 'exec_command', content: [{ type: 'text', text: 'a.txt' }] }] },
      ]);
      const secondEvents = stream(second, [{ type: 'text', text: 'One file.' }, finish()]);
      assert.equal(secondEvents.at(-1).response.previous_response_id, id);

      const third = decode({ previous_response_id: secondEvents.at(-1).response.id, input: 'Thanks' });
      assert.equal(third.messages.length, 5);
      assert.deepEqual(third.messages[3], { role: 'assistant', parts: [{ type: 'text', text: 'One file.' }] });
    });

    it('does not change the stored history when a continuation merges into its last turn', () => {
      const { decode, codec } = setup();
      const first = decode({ input: 'a' });
      const { id } = codec.encodeResponse({ id: 'x', model: 'm', parts: [{ type: 'text', text: 'b' }], finishReason: 'stop', usage: usage() }, first) as any;
      const branch = decode({
        previous_response_id: id,
        input: [
          { role: 'assistant', content: 'c' },
          { role: 'user', content: 'd' },
        ],
      });
      assert.deepEqual(branch.messages[1].parts, [
        { type: 'text', text: 'b' },
        { type: 'text', text: 'c' },
      ]);
      assert.deepEqual(decode({ previous_response_id: id, input: 'e' }).messages[1].parts, [{ type: 'text', text: 'b' }]);
    });

    it('stores nothing when store is false, so continuing it is a 404', () => {
      const { decode, codec, store } = setup();
      const { id } = codec.encodeResponse(
        { id: 'x', model: 'm', parts: [{ type: 'text', text: 'b' }], finishReason: 'stop', usage: usage() },
        decode({ store: false }),
      ) as any;
      assert.equal(store.size, 0);
      assert.throws(
        () => decode({ previous_response_id: id }),
        (err: GatewayError) => err.status === 404,
      );
    });

    it('forgets responses after their time to live', () => {
      let now = 1_000;
      const store = new ResponsesStore({ ttlMs: 1000, now: () => now });
      store.save('resp_1', [{ role: 'user', parts: [{ type: 'text', text: 'x' }] }]);
      assert.ok(store.load('resp_1'));
      now = 2_500;
      assert.equal(store.load('resp_1'), undefined);
    });

    it('keeps at most maxEntries responses', () => {
      const store = new ResponsesStore({ maxEntries: 2 });
      for (const id of ['a', 'b', 'c']) store.save(id, []);
      assert.equal(store.load('a'), undefined);
      assert.ok(store.load('c'));
    });
  });

  it('round-trips namespaced tools: the call goes out with its namespace and comes back to the same flat name', () => {
    const { decode, stream } = setup();
    const tools = [
      { type: 'namespace', name: 'mcp__github', description: 'GitHub', tools: [{ type: 'function', name: 'search', parameters: { type: 'object' } }] },
    ];
    const request = decode({ tools });
    assert.deepEqual(
      request.tools.map((t) => t.name),
      ['mcp__github__search'],
    );
    const events = stream(request, [call('call_7', 'mcp__github__search', { q: 'bug' }), finish()]);
    const item = events.at(-1).response.output[0];
    assert.equal(item.name, 'search');
    assert.equal(item.namespace, 'mcp__github');
    assert.equal(events.find((e) => e.type === 'response.function_call_arguments.done').name, 'search');

    const next = decode({
      tools,
      input: [
        { role: 'user', content: 'find' },
        { type: 'function_call', call_id: item.call_id, name: item.name, namespace: item.namespace, arguments: item.arguments },
        { type: 'function_call_output', call_id: item.call_id, output: '[]' },
      ],
    });
    assert.deepEqual(next.messages[1].parts, [{ type: 'tool_call', id: 'call_7', name: 'mcp__github__search', args: { q: 'bug' } }]);
  });

  it('answers a custom tool call as a custom_tool_call item whose input is the raw text, and takes it back', () => {
    const { decode, stream } = setup();
    const additional = {
      type: 'additional_tools',
      role: 'developer',
      tools: [{ type: 'namespace', name: 'functions', tools: [{ type: 'custom', name: 'exec' }] }],
    };
    const request = decode({ input: [additional, { role: 'user', content: 'go' }] });
    const events = stream(request, [call('call_9', 'functions__exec', { input: 'text(await tools.exec_command({cmd: "ls"}))' }), finish()]);
    const item = events.at(-1).response.output[0];
    assert.deepEqual(
      [item.type, item.name, item.namespace, item.input],
      ['custom_tool_call', 'exec', 'functions', 'text(await tools.exec_command({cmd: "ls"}))'],
    );
    assert.equal(events.find((e) => e.type === 'response.custom_tool_call_input.done').input, item.input);
    assert.equal(events.find((e) => e.type === 'response.output_item.done').item.input, item.input);

    const next = decode({
      input: [
        additional,
        { role: 'user', content: 'go' },
        { type: 'custom_tool_call', call_id: item.call_id, name: item.name, namespace: item.namespace, input: item.input },
        { type: 'custom_tool_call_output', call_id: item.call_id, output: 'a.txt' },
      ],
    });
    assert.deepEqual(next.messages[1].parts, [{ type: 'tool_call', id: 'call_9', name: 'functions__exec', args: { input: item.input } }]);
  });

  it('a plain tool whose name holds __ stays plain', () => {
    const { decode, stream } = setup();
    const events = stream(decode({ tools: [{ type: 'function', name: 'mcp__fs__read' }] }), [call('c', 'mcp__fs__read', {}), finish()]);
    const item = events.at(-1).response.output[0];
    assert.equal(item.name, 'mcp__fs__read');
    assert.equal('namespace' in item, false);
  });

  it('carries function-call signatures through encrypted_content for stateless clients like Codex', () => {
    const { decode, stream } = setup();
    const request = decode({ store: false, include: ['reasoning.encrypted_content'], tools: [{ type: 'function', name: 'f' }] });
    const output = stream(request, [call('call_1', 'f', {}, 'GEMINI-SIG'), finish()]).at(-1).response.output;
    assert.deepEqual(
      output.map((o: { type: string }) => o.type),
      ['reasoning', 'function_call'],
    );
    // Codex replays reasoning items without their ids.
    const replay = output.map(({ id: _id, ...rest }: Record<string, unknown>) => rest);
    const next = decode({ input: [{ role: 'user', content: 'go' }, ...replay, { type: 'function_call_output', call_id: 'call_1', output: 'ok' }] });
    assert.deepEqual(next.messages[1], { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'f', args: {}, signature: 'GEMINI-SIG' }] });
  });
});
