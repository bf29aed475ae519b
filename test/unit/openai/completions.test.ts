import assert from 'node:assert/strict';
import { CompletionsCodec } from '../../../src/core/protocols/openai';
import { encodeAll, parseSse, throwsGateway, usage } from './helpers';

const ctx = { headers: {}, query: {}, params: {} };
const codec = new CompletionsCodec();
const decode = (body: Record<string, unknown>) => codec.decodeRequest({ model: 'gemini-3-flash', prompt: 'Once upon a time', ...body }, ctx);

describe('openai completions', () => {
  it('sends the prompt (a string or an array of one) as one user message with the sampling knobs', () => {
    const request = decode({ max_tokens: 30, temperature: 0.5, top_p: 0.8, stop: ['\n'], seed: 3, stream: true, user: 'u' });
    assert.deepEqual(request.messages, [{ role: 'user', parts: [{ type: 'text', text: 'Once upon a time' }] }]);
    assert.equal(request.protocol, 'openai-completions');
    assert.equal(request.maxOutputTokens, 30);
    assert.equal(request.temperature, 0.5);
    assert.equal(request.topP, 0.8);
    assert.deepEqual(request.stopSequences, ['\n']);
    assert.equal(request.stream, true);
    assert.equal(request.includeThoughts, false);
    assert.deepEqual(decode({ prompt: ['Only one'] }).messages[0].parts, [{ type: 'text', text: 'Only one' }]);
  });

  describe('refuses with a 400 naming the parameter', () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['several prompts', { prompt: ['a', 'b'] }, 'prompt'],
      ['token-id prompts', { prompt: [1, 2, 3] }, 'prompt'],
      ['a missing prompt', { prompt: undefined }, 'prompt'],
      ['an empty prompt', { prompt: '' }, 'prompt'],
      ['suffix', { suffix: 'end' }, 'suffix'],
      ['echo', { echo: true }, 'echo'],
      ['n > 1', { n: 3 }, 'n'],
      ['best_of > 1', { best_of: 2 }, 'best_of'],
      ['logprobs', { logprobs: 2 }, 'logprobs'],
    ];
    for (const [what, body, param] of cases) it(what, () => throwsGateway(() => decode(body), 'invalid_request', param));
  });

  it('answers with a text_completion object', () => {
    const body = codec.encodeResponse(
      {
        id: 'x',
        model: 'm',
        parts: [
          { type: 'thinking', text: 'hidden' },
          { type: 'text', text: ' there was a fox.' },
        ],
        finishReason: 'stop',
        usage: usage(),
      },
      decode({}),
    ) as any;
    assert.match(body.id, /^cmpl-/);
    assert.equal(body.object, 'text_completion');
    assert.deepEqual(body.choices, [{ text: ' there was a fox.', index: 0, logprobs: null, finish_reason: 'stop' }]);
    assert.equal(body.usage.total_tokens, 125);
  });

  it('streams text chunks, a finish chunk, the usage chunk when asked, and [DONE]', () => {
    const text = encodeAll(codec.createStreamEncoder(decode({ stream: true, stream_options: { include_usage: true } })), [
      { type: 'thinking', text: 'hidden' },
      { type: 'text', text: ' there' },
      { type: 'text', text: ' was' },
      { type: 'finish', reason: 'length', usage: usage() },
    ]);
    const messages = parseSse(text);
    assert.equal(messages.at(-1)!.data, '[DONE]');
    const chunks = messages.slice(0, -1).map((m) => JSON.parse(m.data));
    assert.deepEqual(
      chunks.map((c) => c.choices.map((choice: { text: string; finish_reason: string | null }) => [choice.text, choice.finish_reason])),
      [[[' there', null]], [[' was', null]], [['', 'length']], []],
    );
    assert.ok(chunks.every((c) => c.object === 'text_completion'));
    assert.equal(chunks.at(-1).usage.prompt_tokens, 100);
  });
});
