/**
 * The Responses API through the gateway with the official openai SDK:
 * text, the streamed event sequence, function call round trips (stored
 * history via previous_response_id, and stateless full replay as Codex does
 * it), reasoning items, structured output and refusals.
 */
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { FunctionTool, ResponseInputItem, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { startStack, type Stack } from '../../helpers/stack';
import { CLAUDE, clientFor, collect, GEMINI, lastUpstream, PNG_1PX } from './helpers';

const LOOKUP: FunctionTool = {
  type: 'function',
  name: 'lookup',
  description: 'Looks a word up',
  parameters: { type: 'object', properties: { word: { type: 'string' } }, required: ['word'], additionalProperties: false },
  strict: true,
};

type UpstreamContents = Array<{ role: string; parts: Array<Record<string, any>> }>;

describe('openai SDK → Responses', () => {
  let stack: Stack;
  let client: OpenAI;
  before(async () => {
    stack = await startStack();
    client = clientFor(stack);
  });
  after(() => stack.close());

  it('answers a string input without streaming, instructions as the system prompt', async () => {
    const response = await client.responses.create({ model: GEMINI, input: 'ping', instructions: 'Be terse.' });
    assert.equal(response.object, 'response');
    assert.match(response.id, /^resp_/);
    assert.equal(response.status, 'completed');
    assert.equal(response.output_text, `Hello from ${GEMINI}. You said: ping`);
    const message = response.output.find((item) => item.type === 'message');
    assert.equal(message?.type === 'message' && message.role, 'assistant');
    assert.ok(response.usage && response.usage.input_tokens > 0 && response.usage.output_tokens > 0);
    assert.equal(response.usage.total_tokens, response.usage.input_tokens + response.usage.output_tokens);
    assert.deepEqual(lastUpstream(stack).body.request.systemInstruction.parts, [{ text: 'Be terse.' }]);
  });

  it('streams events in order with sequence numbers, from response.created to response.completed', async () => {
    const stream = await client.responses.create({ model: CLAUDE, input: '[[sim:words 9]]', stream: true });
    const events = await collect(stream);
    assert.deepEqual(
      events.map((e) => e.sequence_number),
      events.map((_, i) => i),
    );
    const types = events.map((e) => e.type);
    const collapsed = types.filter((t, i) => t !== types[i - 1]);
    assert.deepEqual(collapsed, [
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    assert.ok(types.filter((t) => t === 'response.output_text.delta').length > 1);
    const deltas = events.flatMap((e) => (e.type === 'response.output_text.delta' ? [e.delta] : []));
    const completed = events.at(-1) as Extract<ResponseStreamEvent, { type: 'response.completed' }>;
    assert.equal(deltas.join(''), Array.from({ length: 9 }, (_, i) => `word${i + 1}`).join(' '));
    assert.equal(completed.response.output_text ?? textOf(completed.response), deltas.join(''));
    assert.ok((completed.response.usage?.output_tokens ?? 0) > 0);
  });

  it('.stream() helper gives the final response', async () => {
    const runner = client.responses.stream({ model: GEMINI, input: [{ role: 'user', content: 'helper' }] });
    const deltas: string[] = [];
    runner.on('response.output_text.delta', (e) => deltas.push(e.delta));
    const final = await runner.finalResponse();
    assert.equal(final.output_text, `Hello from ${GEMINI}. You said: helper`);
    assert.equal(deltas.join(''), final.output_text);
  });

  for (const model of [GEMINI, CLAUDE]) {
    it(`${model}: function call round trip through previous_response_id`, async () => {
      const first = await client.responses.create({
        model,
        input: 'Define agate. [[sim:call lookup {"word":"agate"}]]',
        tools: [LOOKUP],
      });
      const call = first.output.find((item) => item.type === 'function_call');
      assert.ok(call && call.type === 'function_call');
      assert.equal(call.name, 'lookup');
      assert.deepEqual(JSON.parse(call.arguments), { word: 'agate' });
      assert.match(call.call_id, /\S/);

      const second = await client.responses.create({
        model,
        previous_response_id: first.id,
        input: [{ type: 'function_call_output', call_id: call.call_id, output: 'a banded chalcedony' }],
        tools: [LOOKUP],
      });
      assert.equal(second.status, 'completed');
      assert.equal(second.output_text, 'Tool lookup returned: {"output":"a banded chalcedony"}');
      assert.equal(second.previous_response_id, first.id);
      const contents = lastUpstream(stack).body.request.contents as UpstreamContents;
      assert.deepEqual(
        contents.map((c) => c.role),
        ['user', 'model', 'user'],
      );
      const callPart = contents[1].parts.find((p) => p.functionCall);
      if (model === GEMINI) assert.match(callPart?.thoughtSignature ?? '', /\S{16,}/);
    });

    it(`${model}: function call round trip by replaying the whole input (store: false, streamed)`, async () => {
      const input: ResponseInputItem[] = [{ role: 'user', content: '[[sim:call lookup {"word":"onyx"}]]' }];
      const stream = await client.responses.create({ model, input, tools: [LOOKUP], store: false, stream: true });
      const events = await collect(stream);
      const types = events.map((e) => e.type);
      assert.ok(types.includes('response.function_call_arguments.delta'));
      const argsDone = events.find((e) => e.type === 'response.function_call_arguments.done');
      assert.deepEqual(JSON.parse(argsDone?.type === 'response.function_call_arguments.done' ? argsDone.arguments : ''), { word: 'onyx' });
      const completed = events.at(-1);
      assert.equal(completed?.type, 'response.completed');
      const output = completed.type === 'response.completed' ? completed.response.output : [];
      const call = output.find((item) => item.type === 'function_call');
      assert.ok(call && call.type === 'function_call');

      // Replay only the call itself (no reasoning item): the gateway must restore a Gemini 3 signature on its own.
      input.push(
        { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments },
        { type: 'function_call_output', call_id: call.call_id, output: '{"hardness":7}' },
      );
      const second = await client.responses.create({ model, input, tools: [LOOKUP], store: false });
      assert.equal(second.output_text, 'Tool lookup returned: {"output":"{\\"hardness\\":7}"}');
      const callPart = (lastUpstream(stack).body.request.contents as UpstreamContents)[1].parts.find((p) => p.functionCall);
      if (model === GEMINI) assert.match(callPart?.thoughtSignature ?? '', /\S{16,}/, 'restored from the signature cache');
    });
  }

  it('a stored response can be continued with a new user turn; a store: false one cannot', async () => {
    const first = await client.responses.create({ model: CLAUDE, input: 'first turn' });
    const second = await client.responses.create({ model: CLAUDE, previous_response_id: first.id, input: 'second turn' });
    assert.equal(second.output_text, `Hello from ${CLAUDE}. You said: second turn`);
    const contents = lastUpstream(stack).body.request.contents as UpstreamContents;
    assert.deepEqual(
      contents.map((c) => [c.role, c.parts.map((p) => p.text).join('')]),
      [
        ['user', 'first turn'],
        ['model', `Hello from ${CLAUDE}. You said: first turn`],
        ['user', 'second turn'],
      ],
    );

    const unstored = await client.responses.create({ model: CLAUDE, input: 'forget me', store: false });
    const err = await client.responses.create({ model: CLAUDE, previous_response_id: unstored.id, input: 'again' }).catch((e: unknown) => e);
    assert.ok(err instanceof OpenAI.NotFoundError, String(err));
    assert.equal(err.code, 'previous_response_not_found');
    assert.equal(err.param, 'previous_response_id');
    assert.match(err.message, new RegExp(unstored.id));
  });

  it('reasoning: summary items, streamed summary deltas, signatures as encrypted_content when asked', async () => {
    const response = await client.responses.create({
      model: GEMINI,
      input: 'think it over',
      reasoning: { effort: 'medium', summary: 'auto' },
      include: ['reasoning.encrypted_content'],
    });
    const reasoning = response.output.find((item) => item.type === 'reasoning');
    assert.ok(reasoning && reasoning.type === 'reasoning');
    assert.match(reasoning.summary[0]?.text ?? '', /\S/);
    assert.match(reasoning.encrypted_content ?? '', /\S{16,}/);
    assert.ok((response.usage?.output_tokens_details.reasoning_tokens ?? 0) > 0);
    assert.equal(response.output.at(-1)?.type, 'message');
    const thinking = lastUpstream(stack).body.request.generationConfig.thinkingConfig;
    assert.equal(thinking.includeThoughts, true);

    const events = await collect(
      await client.responses.create({ model: GEMINI, input: 'think again', reasoning: { effort: 'low', summary: 'auto' }, stream: true }),
    );
    const types = events.map((e) => e.type);
    const firstSummary = types.indexOf('response.reasoning_summary_text.delta');
    assert.ok(firstSummary > 0 && firstSummary < types.indexOf('response.output_text.delta'));

    // Carrying the reasoning item back (as Codex does) is accepted and replayed to the upstream.
    const followUp = await client.responses.create({
      model: GEMINI,
      store: false,
      reasoning: { effort: 'medium', summary: 'auto' },
      input: [
        { role: 'user', content: 'think it over' },
        { type: 'reasoning', id: reasoning.id, summary: reasoning.summary, encrypted_content: reasoning.encrypted_content },
        { role: 'assistant', content: response.output_text },
        { role: 'user', content: 'and then?' },
      ] as ResponseInputItem[],
    });
    assert.equal(followUp.output_text, `Hello from ${GEMINI}. You said: and then?`);
    const modelTurn = (lastUpstream(stack).body.request.contents as UpstreamContents)[1];
    assert.ok(modelTurn.parts.some((p) => p.thought === true && p.thoughtSignature === reasoning.encrypted_content));
  });

  it('text.format json_schema → responseMimeType + responseSchema upstream', async () => {
    await client.responses.create({
      model: GEMINI,
      input: 'a gem as JSON',
      text: {
        format: {
          type: 'json_schema',
          name: 'gem',
          strict: true,
          schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false },
        },
      },
    });
    const config = lastUpstream(stack).body.request.generationConfig;
    assert.equal(config.responseMimeType, 'application/json');
    assert.deepEqual(config.responseSchema.required, ['name']);
    assert.equal(config.responseSchema.additionalProperties, undefined);
  });

  it('input_image with a data: URL', async () => {
    const response = await client.responses.create({
      model: CLAUDE,
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'describe' },
            { type: 'input_image', image_url: `data:image/png;base64,${PNG_1PX}`, detail: 'auto' },
          ],
        },
      ],
    });
    assert.equal(response.output_text, `Hello from ${CLAUDE}. You said: describe`);
    const parts = lastUpstream(stack).body.request.contents[0].parts as Array<Record<string, any>>;
    assert.deepEqual(parts[1], { inlineData: { mimeType: 'image/png', data: PNG_1PX } });
  });

  it('max_output_tokens cuts the answer: status incomplete', async () => {
    const response = await client.responses.create({ model: CLAUDE, input: '[[sim:words 300]]', max_output_tokens: 16 });
    assert.equal(response.status, 'incomplete');
    assert.equal(response.incomplete_details?.reason, 'max_output_tokens');
    const events = await collect(await client.responses.create({ model: CLAUDE, input: '[[sim:words 300]]', max_output_tokens: 16, stream: true }));
    assert.equal(events.at(-1)?.type, 'response.incomplete');
  });

  it('a failure before the answer: an OpenAI error; mid-stream: response.failed', async () => {
    stack.sim.injectFault({ kind: 'bad_request', message: 'upstream says no' });
    const err = await client.responses.create({ model: CLAUDE, input: 'x' }).catch((e: unknown) => e);
    assert.ok(err instanceof OpenAI.APIError && !(err instanceof OpenAI.APIConnectionError), String(err));
    assert.match(err.message, /upstream says no/);

    stack.sim.injectFault({ kind: 'reset_after', frames: 2 });
    const events = await collect(await client.responses.create({ model: CLAUDE, input: '[[sim:words 40]]', stream: true }));
    assert.ok(
      events.some((e) => e.type === 'response.output_text.delta'),
      'text was streamed before the cut',
    );
    const failed = events.at(-1);
    assert.equal(failed?.type, 'response.failed');
    assert.equal(failed.type === 'response.failed' && failed.response.status, 'failed');
    assert.match((failed.type === 'response.failed' && failed.response.error?.message) || '', /\S/);
    assert.deepEqual(stack.sim.faults(), [], 'every injected fault was used');
  });

  describe('bad input → precise 400s', () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['a wrong role', { input: [{ role: 'robot', content: 'hi' }] }, 'input[0].role'],
      ['a function_call_output with an unknown call_id', { input: [{ type: 'function_call_output', call_id: 'call_zz', output: 'x' }] }, 'input[0].call_id'],
      ['a bad reasoning effort', { input: 'hi', reasoning: { effort: 'extreme' } }, 'reasoning.effort'],
      ['a text.format schema that is not an object', { input: 'hi', text: { format: { type: 'json_schema', name: 'x', schema: 42 } } }, 'text.format.schema'],
      ['an invalid text.format schema', { input: 'hi', text: { format: { type: 'json_schema', name: 'x', schema: { type: 'wat' } } } }, 'text.format.schema'],
      [
        'an invalid function schema',
        { input: 'hi', tools: [{ type: 'function', name: 'f', parameters: { type: 'object', properties: 5 } }] },
        'tools[0].parameters',
      ],
    ];
    for (const [title, patch, param] of cases) {
      it(title, async () => {
        const err = await client.responses.create({ model: GEMINI, ...patch } as OpenAI.Responses.ResponseCreateParamsNonStreaming).catch((e: unknown) => e);
        assert.ok(err instanceof OpenAI.BadRequestError, String(err));
        assert.equal(err.type, 'invalid_request_error');
        assert.equal(err.param, param);
      });
    }
  });
});

function textOf(response: { output: Array<{ type: string; content?: Array<{ type: string; text?: string }> }> }): string {
  return response.output
    .flatMap((item) => (item.type === 'message' ? (item.content ?? []) : []))
    .map((c) => c.text ?? '')
    .join('');
}
