import assert from 'node:assert/strict';
import { SKIP_SIGNATURE_SENTINEL } from '../../../src/simulator';
import { WEATHER_TOOL, envelope, errorMessage, generate, modelTurn, partsOf, startHarness, user, type Harness, type Json } from './harness';

/** One rule: a request it must refuse, with Google's message, and a fixed twin it must accept. */
interface Rule {
  rule: string;
  bad: (h: Harness) => Json;
  good: (h: Harness) => Json;
  status?: number;
  message: RegExp;
}

const hello = (h: Harness, request: Json = {}, model?: string, overrides: Json = {}) =>
  envelope(h, { contents: [user('hello')], ...request }, model, overrides);

function withoutField(body: Json, field: string): Json {
  const copy = { ...body };
  delete copy[field];
  return copy;
}

function withSchema(property: Json): Json {
  return {
    contents: [user('hello')],
    tools: [{ functionDeclarations: [{ name: 'f', parameters: { type: 'OBJECT', properties: { p: property } } }] }],
  };
}

const UNSUPPORTED_SCHEMA_KEYWORDS: Array<[string, unknown]> = [
  ['additionalProperties', false],
  ['$schema', 'http://json-schema.org/draft-07/schema#'],
  ['anyOf', [{ type: 'STRING' }]],
  ['oneOf', [{ type: 'STRING' }]],
  ['allOf', [{ type: 'STRING' }]],
  ['const', 'x'],
  ['$ref', '#/$defs/x'],
  ['$defs', { x: { type: 'STRING' } }],
  ['default', 'x'],
  ['pattern', '^a'],
  ['examples', ['a']],
  ['minLength', 1],
  ['propertyNames', { type: 'STRING' }],
];

const RULES: Rule[] = [
  ...['project', 'model', 'requestType', 'requestId', 'userAgent', 'request'].map((field): Rule => ({
    rule: `envelope field ${field} is required`,
    bad: (h) => withoutField(hello(h), field),
    good: (h) => hello(h),
    message: new RegExp(field),
  })),
  {
    rule: 'the project must be the caller’s',
    bad: (h) => hello(h, {}, undefined, { project: 'someone-elses-project' }),
    good: (h) => hello(h),
    message: /someone-elses-project/,
  },
  {
    rule: 'the model must exist (404 like the real service)',
    bad: (h) => hello(h, {}, 'claude-sonnet-4-5'),
    good: (h) => hello(h, {}, 'claude-sonnet-4-6'),
    status: 404,
    message: /Requested entity was not found/,
  },
  {
    rule: 'requestType is agent, web_search or image_gen',
    bad: (h) => hello(h, {}, undefined, { requestType: 'chat' }),
    good: (h) => hello(h, {}, undefined, { requestType: 'web_search' }),
    message: /requestType/,
  },
  {
    rule: 'the request takes only GenerateContentRequest fields',
    bad: (h) => hello(h, { messages: [] }),
    good: (h) => hello(h, { sessionId: '-123' }),
    message: /Unknown name "messages"/,
  },
  {
    rule: 'contents must not be empty',
    bad: (h) => envelope(h, { contents: [] }),
    good: (h) => hello(h),
    message: /contents is not specified/,
  },
  {
    rule: 'roles are user or model',
    bad: (h) => envelope(h, { contents: [{ role: 'assistant', parts: [{ text: 'hi' }] }] }),
    good: (h) => envelope(h, { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    message: /valid role: user, model/,
  },
  {
    rule: 'parts must not be empty',
    bad: (h) => envelope(h, { contents: [{ role: 'user', parts: [] }] }),
    good: (h) => hello(h),
    message: /parts must not be empty/,
  },
  {
    rule: 'parts take only Part fields (no Anthropic-style blocks)',
    bad: (h) => envelope(h, { contents: [{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }] }),
    good: (h) => envelope(h, { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    message: /Unknown name "type"/,
  },
  {
    rule: 'a part needs data',
    bad: (h) => envelope(h, { contents: [{ role: 'user', parts: [{ thought: true }] }] }),
    good: (h) => hello(h),
    message: /oneof field 'data'/,
  },
  {
    rule: 'a part holds one kind of data',
    bad: (h) => envelope(h, { contents: [{ role: 'user', parts: [{ text: 'hi', inlineData: { mimeType: 'image/png', data: 'AAAA' } }] }] }),
    good: (h) => envelope(h, { contents: [{ role: 'user', parts: [{ text: 'hi' }, { inlineData: { mimeType: 'image/png', data: 'AAAA' } }] }] }),
    message: /Oneof field 'data' is already set/,
  },
  {
    rule: 'text must not be empty',
    bad: (h) => envelope(h, { contents: [user('')] }),
    good: (h) => envelope(h, { contents: [user(' ')] }),
    message: /empty text parameter/,
  },
  {
    rule: 'turns alternate between user and model',
    bad: (h) => envelope(h, { contents: [user('a'), user('b')] }),
    good: (h) => envelope(h, { contents: [user('a'), modelTurn({ text: 'ok' }), user('b')] }),
    message: /alternate between user and model/,
  },
  {
    rule: 'the conversation starts with a user turn',
    bad: (h) => envelope(h, { contents: [modelTurn({ text: 'hi' }), user('b')] }),
    good: (h) => envelope(h, { contents: [user('a'), modelTurn({ text: 'hi' }), user('b')] }),
    message: /start with a user turn/,
  },
  {
    rule: 'functionResponse.response is an object',
    bad: (h) => toolTurns(h, 'claude-sonnet-4-6', { response: 'sunny' }),
    good: (h) => toolTurns(h, 'claude-sonnet-4-6', { response: { result: 'sunny' } }),
    message: /google.protobuf.Struct/,
  },
  {
    rule: 'functionResponse ids match a call of the previous model turn',
    bad: (h) => toolTurns(h, 'claude-sonnet-4-6', { id: 'toolu_unknown' }),
    good: (h) => toolTurns(h, 'claude-sonnet-4-6', { id: 'call-1' }),
    message: /toolu_unknown.*matches no function call/,
  },
  {
    rule: 'every function call of a turn gets a response in the next turn',
    bad: (h) => ({
      ...toolTurns(h, 'claude-sonnet-4-6', {}),
      request: {
        tools: [WEATHER_TOOL],
        contents: [user('weather?'), modelTurn(weatherCall('call-1'), weatherCall('call-2')), { role: 'user', parts: [weatherResult('call-1')] }],
      },
    }),
    good: (h) => ({
      ...toolTurns(h, 'claude-sonnet-4-6', {}),
      request: {
        tools: [WEATHER_TOOL],
        contents: [
          user('weather?'),
          modelTurn(weatherCall('call-1'), weatherCall('call-2')),
          { role: 'user', parts: [weatherResult('call-1'), weatherResult('call-2')] },
        ],
      },
    }),
    message: /number of function response parts is equal to the number of function call parts/,
  },
  {
    rule: 'Claude needs tools declared when the history holds tool turns',
    bad: (h) => withoutTools(toolTurns(h, 'claude-sonnet-4-6', {})),
    good: (h) => toolTurns(h, 'claude-sonnet-4-6', {}),
    message: /must define tools/,
  },
  ...UNSUPPORTED_SCHEMA_KEYWORDS.map(([keyword, value]): Rule => ({
    rule: `function schemas refuse ${keyword}`,
    bad: (h) => envelope(h, withSchema({ type: 'STRING', [keyword]: value })),
    good: (h) => envelope(h, withSchema({ type: 'STRING', description: `was ${keyword}` })),
    message: new RegExp(`Unknown name "${keyword.replace('$', '\\$')}"`),
  })),
  {
    rule: 'function schemas refuse an array-valued type',
    bad: (h) => envelope(h, withSchema({ type: ['STRING', 'null'] })),
    good: (h) => envelope(h, withSchema({ type: 'STRING', nullable: true })),
    message: /Proto field is not repeating/,
  },
  {
    rule: 'an OBJECT schema needs properties',
    bad: (h) => envelope(h, withSchema({ type: 'OBJECT', properties: {} })),
    good: (h) => envelope(h, withSchema({ type: 'OBJECT', properties: { q: { type: 'INTEGER' } } })),
    message: /should be non-empty for OBJECT type/,
  },
  {
    rule: 'required names declared properties',
    bad: (h) => envelope(h, withSchema({ type: 'OBJECT', properties: { q: { type: 'STRING' } }, required: ['r'] })),
    good: (h) => envelope(h, withSchema({ type: 'OBJECT', properties: { q: { type: 'STRING' } }, required: ['q'] })),
    message: /required\[0\]: property is not defined/,
  },
  {
    rule: 'an ARRAY schema needs items',
    bad: (h) => envelope(h, withSchema({ type: 'ARRAY' })),
    good: (h) => envelope(h, withSchema({ type: 'ARRAY', items: { type: 'STRING' } })),
    message: /items: missing field/,
  },
  {
    rule: 'enum is for strings',
    bad: (h) => envelope(h, withSchema({ type: 'INTEGER', enum: ['1', '2'] })),
    good: (h) => envelope(h, withSchema({ type: 'STRING', enum: ['1', '2'] })),
    message: /only allowed for STRING type/,
  },
  {
    rule: 'string formats are enum or date-time',
    bad: (h) => envelope(h, withSchema({ type: 'STRING', format: 'uri' })),
    good: (h) => envelope(h, withSchema({ type: 'STRING', format: 'date-time' })),
    message: /'enum' and 'date-time'/,
  },
  {
    rule: 'function names are unique',
    bad: (h) => envelope(h, { contents: [user('hi')], tools: [WEATHER_TOOL, WEATHER_TOOL] }),
    good: (h) => envelope(h, { contents: [user('hi')], tools: [WEATHER_TOOL] }),
    message: /Duplicate function declaration found: get_weather/,
  },
  {
    rule: 'function names are identifiers',
    bad: (h) => envelope(h, { contents: [user('hi')], tools: [{ functionDeclarations: [{ name: 'get weather' }] }] }),
    good: (h) => envelope(h, { contents: [user('hi')], tools: [{ functionDeclarations: [{ name: 'get_weather' }] }] }),
    message: /Invalid function name/,
  },
  {
    rule: 'declarations take no JSON-Schema parameters field',
    bad: (h) => envelope(h, { contents: [user('hi')], tools: [{ functionDeclarations: [{ name: 'f', parametersJsonSchema: { type: 'object' } }] }] }),
    good: (h) => envelope(h, { contents: [user('hi')], tools: [{ functionDeclarations: [{ name: 'f' }] }] }),
    message: /Unknown name "parametersJsonSchema"/,
  },
  {
    rule: 'search is never mixed with function declarations',
    bad: (h) => envelope(h, { contents: [user('hi')], tools: [{ googleSearch: {} }, WEATHER_TOOL] }),
    good: (h) => envelope(h, { contents: [user('hi')], tools: [{ googleSearch: {} }] }),
    message: /all search tools/,
  },
  {
    rule: 'function calling modes are Google’s',
    bad: (h) => envelope(h, { contents: [user('hi')], tools: [WEATHER_TOOL], toolConfig: { functionCallingConfig: { mode: 'required' } } }),
    good: (h) => envelope(h, { contents: [user('hi')], tools: [WEATHER_TOOL], toolConfig: { functionCallingConfig: { mode: 'VALIDATED' } } }),
    message: /FunctionCallingConfig.Mode/,
  },
  {
    rule: 'maxOutputTokens must be above thinkingBudget',
    bad: (h) =>
      hello(h, { generationConfig: { maxOutputTokens: 1024, thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 } } }, 'claude-opus-4-6-thinking'),
    good: (h) =>
      hello(h, { generationConfig: { maxOutputTokens: 1025, thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 } } }, 'claude-opus-4-6-thinking'),
    message: /must be greater than `thinking.budget_tokens`/,
  },
  {
    rule: 'maxOutputTokens must not exceed the model’s maximum',
    bad: (h) => hello(h, { generationConfig: { maxOutputTokens: 64001 } }, 'claude-sonnet-4-6'),
    good: (h) => hello(h, { generationConfig: { maxOutputTokens: 64000 } }, 'claude-sonnet-4-6'),
    message: /maxOutputTokens value of 64001 .* to 64001 \(exclusive\)/,
  },
  {
    rule: 'thinkingBudget and thinkingLevel exclude each other',
    bad: (h) => hello(h, { generationConfig: { thinkingConfig: { thinkingBudget: 1024, thinkingLevel: 'high' } } }),
    good: (h) => hello(h, { generationConfig: { thinkingConfig: { thinkingLevel: 'high' } } }),
    message: /only one of thinking budget and thinking level/,
  },
  {
    rule: 'temperature stays within 0..2',
    bad: (h) => hello(h, { generationConfig: { temperature: 3 } }),
    good: (h) => hello(h, { generationConfig: { temperature: 2 } }),
    message: /temperature value of 3/,
  },
  {
    rule: 'generationConfig takes only its own fields',
    bad: (h) => hello(h, { generationConfig: { max_tokens: 100 } }),
    good: (h) => hello(h, { generationConfig: { maxOutputTokens: 100 } }),
    message: /Unknown name "max_tokens"/,
  },
  {
    rule: 'a model can only call declared functions',
    bad: (h) => envelope(h, { contents: [user('[[sim:call launch_rocket {}]]')], tools: [WEATHER_TOOL] }),
    good: (h) => envelope(h, { contents: [user('[[sim:call get_weather {"city":"Nice"}]]')], tools: [WEATHER_TOOL] }),
    message: /launch_rocket.*does not declare/,
  },
  {
    rule: 'directives must be well-formed',
    bad: (h) => envelope(h, { contents: [user('[[sim:words many]]')] }),
    good: (h) => envelope(h, { contents: [user('[[sim:words 3]]')] }),
    message: /Invalid simulator directive \[\[sim:words many\]\]/,
  },
];

function weatherCall(id: string, thoughtSignature?: string): Json {
  const part: Json = { functionCall: { name: 'get_weather', args: { city: 'Paris' }, id } };
  if (thoughtSignature !== undefined) part.thoughtSignature = thoughtSignature;
  return part;
}

function weatherResult(id: string): Json {
  return { functionResponse: { name: 'get_weather', id, response: { result: 'sunny' } } };
}

/** user → model calls get_weather (call-1) → user answers it, with `response` overrides. */
function toolTurns(h: Harness, model: string, response: Json, signature?: string): Json {
  return envelope(
    h,
    {
      tools: [WEATHER_TOOL],
      contents: [
        user('weather?'),
        modelTurn(weatherCall('call-1', signature)),
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', id: 'call-1', response: { result: 'sunny' }, ...response } }] },
      ],
    },
    model,
  );
}

function withoutTools(body: Json): Json {
  const request = { ...body.request };
  delete request.tools;
  return { ...body, request };
}

describe('simulator: strict validation', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.sim.close());

  for (const rule of RULES) {
    it(`${rule.rule}`, async () => {
      const bad = await generate(h, rule.bad(h));
      assert.equal(bad.status, rule.status ?? 400);
      const body = (await bad.json()) as Json;
      assert.equal(body.error.code, rule.status ?? 400);
      assert.equal(body.error.status, rule.status === 404 ? 'NOT_FOUND' : 'INVALID_ARGUMENT');
      assert.match(body.error.message, rule.message);
      const good = await generate(h, rule.good(h));
      assert.equal(good.status, 200, await good.clone().text());
    });
  }

  it('refuses a body that is not JSON', async () => {
    const res = await generate(h, '{"project":' as unknown as Json);
    assert.equal(res.status, 400);
    assert.match(await errorMessage(res), /Invalid JSON payload received/);
  });

  describe('thought signatures', () => {
    /** A gemini-3 call with its signature, and a Claude thought signature, both issued by this simulator. */
    let geminiCall: Json;
    let claudeThought: Json;
    before(async () => {
      const gemini = (await (
        await generate(h, envelope(h, { contents: [user('[[sim:call get_weather {"city":"Paris"}]]')], tools: [WEATHER_TOOL] }, 'gemini-3-flash'))
      ).json()) as Json;
      geminiCall = partsOf(gemini).find((part) => part.functionCall)!;
      const claude = (await (
        await generate(
          h,
          envelope(
            h,
            { contents: [user('think')], generationConfig: { thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 }, maxOutputTokens: 2048 } },
            'claude-opus-4-6-thinking',
          ),
        )
      ).json()) as Json;
      claudeThought = partsOf(claude).find((part) => part.thought)!;
    });

    function replay(model: string, call: Json, thought?: Json): Json {
      const modelParts = thought ? [thought, call] : [call];
      return envelope(
        h,
        {
          tools: [WEATHER_TOOL],
          contents: [
            user('[[sim:call get_weather {"city":"Paris"}]]'),
            modelTurn(...modelParts),
            { role: 'user', parts: [weatherResult(call.functionCall.id)] },
          ],
        },
        model,
      );
    }

    it('gemini-3 accepts a replayed call with its own signature', async () => {
      assert.equal((await generate(h, replay('gemini-3-flash', geminiCall))).status, 200);
    });

    it('gemini-3 refuses a replayed call without a signature, and accepts the skip sentinel', async () => {
      const bare = { functionCall: geminiCall.functionCall };
      const refused = await generate(h, replay('gemini-3.1-pro-high', bare));
      assert.equal(refused.status, 400);
      assert.match(await errorMessage(refused), /missing a `thought_signature`/);
      const sentinel = { ...bare, thoughtSignature: SKIP_SIGNATURE_SENTINEL };
      assert.equal((await generate(h, replay('gemini-3.1-pro-high', sentinel))).status, 200);
    });

    it('models that do not need call signatures accept a call without one', async () => {
      assert.equal((await generate(h, replay('gemini-2.5-flash', { functionCall: geminiCall.functionCall }))).status, 200);
    });

    it('refuses a forged signature', async () => {
      const forged = { ...geminiCall, thoughtSignature: `${geminiCall.thoughtSignature.slice(0, -4)}AAAA` };
      const res = await generate(h, replay('gemini-3-flash', forged));
      assert.equal(res.status, 400);
      assert.match(await errorMessage(res), /Thought signature is not valid/);
    });

    it('refuses a signature moved onto another call', async () => {
      const moved = { ...geminiCall, functionCall: { ...geminiCall.functionCall, id: 'sim-call-999-1' } };
      assert.equal((await generate(h, replay('gemini-3-flash', moved))).status, 400);
    });

    it('refuses a Gemini signature sent to Claude and a Claude signature sent to Gemini', async () => {
      const toClaude = await generate(h, replay('claude-opus-4-6-thinking', geminiCall));
      assert.equal(toClaude.status, 400);
      assert.match(await errorMessage(toClaude), /Invalid `signature`/);
      const claudeSigned = { ...geminiCall, thoughtSignature: claudeThought.thoughtSignature };
      const toGemini = await generate(h, replay('gemini-3-flash', claudeSigned));
      assert.equal(toGemini.status, 400);
    });

    it('Claude accepts its own thought signature replayed on a thought part', async () => {
      const call = { functionCall: geminiCall.functionCall };
      assert.equal((await generate(h, replay('claude-opus-4-6-thinking', call, claudeThought))).status, 200);
      const foreignThought = { ...claudeThought, thoughtSignature: geminiCall.thoughtSignature };
      assert.equal((await generate(h, replay('claude-opus-4-6-thinking', call, foreignThought))).status, 400);
    });
  });
});
