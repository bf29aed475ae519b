/**
 * JSON built to exhaust the gateway: nesting deep enough to overflow any
 * recursive walk, and tool or response schemas whose $refs fan out into
 * millions of nodes. Each is a 400 in the protocol of the route, and nothing
 * reaches the upstream.
 */
import assert from 'node:assert/strict';
import { MAX_JSON_DEPTH } from '../../../src/core/json-depth';
import { schemaBomb } from '../../helpers/schema-bomb';
import { startStack, type Stack } from '../../helpers/stack';
import { assertProtocolError, type Protocol } from './protocol-calls';

const DEEP = 100_000;
const deepObject = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const deepArray = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;
const deepGeminiSchema = (levels: number) => `${'{"type":"OBJECT","properties":{"a":'.repeat(levels)}{"type":"STRING"}${'}}'.repeat(levels)}`;

const GEMINI = '/v1beta/models/gemini-3-flash';

interface HostileCase {
  name: string;
  protocol: Protocol;
  path: string;
  body: string;
  message: RegExp;
}

/** Bodies around one hostile value: the caller splices raw JSON text in, so that it can be deeper than JSON.stringify goes. */
const anthropicToolUse = (input: string) =>
  `{"model":"claude-sonnet-4-6","max_tokens":32,"tools":[{"name":"f","input_schema":{"type":"object"}}],"messages":[{"role":"user","content":"go"},` +
  `{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"f","input":${input}}]},` +
  `{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"ok"}]}]}`;
const chatToolCall = (args: string) =>
  JSON.stringify({
    model: 'gemini-3-flash',
    messages: [
      { role: 'user', content: 'go' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: args } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
    ],
  });
const responsesFunctionCall = (args: string) =>
  JSON.stringify({
    model: 'gemini-3-flash',
    store: false,
    input: [
      { type: 'message', role: 'user', content: 'go' },
      { type: 'function_call', call_id: 'call_1', name: 'f', arguments: args },
      { type: 'function_call_output', call_id: 'call_1', output: 'ok' },
    ],
  });
const geminiFunctionCall = (args: string) =>
  `{"contents":[{"role":"user","parts":[{"text":"go"}]},{"role":"model","parts":[{"functionCall":{"name":"f","args":${args}}}]},` +
  `{"role":"user","parts":[{"functionResponse":{"name":"f","response":{"ok":true}}}]}]}`;
const geminiText = '"contents":[{"role":"user","parts":[{"text":"go"}]}]';

const BODY_TOO_DEEP = new RegExp(`nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep`);
const ARGUMENTS_TOO_DEEP = new RegExp(`arguments nest more than ${MAX_JSON_DEPTH} levels deep`);

function deepCases(): HostileCase[] {
  return [
    { name: 'Anthropic tool_use.input', protocol: 'anthropic', path: '/v1/messages', body: anthropicToolUse(deepObject(DEEP)), message: BODY_TOO_DEEP },
    {
      name: 'Anthropic tool_use.input, counting tokens',
      protocol: 'anthropic',
      path: '/v1/messages/count_tokens',
      body: anthropicToolUse(deepArray(DEEP)),
      message: BODY_TOO_DEEP,
    },
    {
      name: 'Anthropic tool input_schema',
      protocol: 'anthropic',
      path: '/v1/messages',
      body: `{"model":"claude-sonnet-4-6","max_tokens":32,"messages":[{"role":"user","content":"go"}],"tools":[{"name":"f","input_schema":${deepObject(DEEP)}}]}`,
      message: BODY_TOO_DEEP,
    },
    {
      name: 'Chat Completions tool-call arguments (JSON text)',
      protocol: 'openai',
      path: '/v1/chat/completions',
      body: chatToolCall(deepObject(DEEP)),
      message: ARGUMENTS_TOO_DEEP,
    },
    {
      name: 'Chat Completions tool-call arguments just past the budget',
      protocol: 'openai',
      path: '/v1/chat/completions',
      body: chatToolCall(deepObject(MAX_JSON_DEPTH + 1)),
      message: ARGUMENTS_TOO_DEEP,
    },
    {
      name: 'Chat Completions response_format schema',
      protocol: 'openai',
      path: '/v1/chat/completions',
      body: `{"model":"gemini-3-flash","messages":[{"role":"user","content":"go"}],"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":${deepObject(DEEP)}}}}`,
      message: BODY_TOO_DEEP,
    },
    {
      name: 'Responses function_call arguments (JSON text)',
      protocol: 'openai',
      path: '/v1/responses',
      body: responsesFunctionCall(deepObject(DEEP)),
      message: ARGUMENTS_TOO_DEEP,
    },
    {
      name: 'Responses input',
      protocol: 'openai',
      path: '/v1/responses',
      body: `{"model":"gemini-3-flash","input":${deepArray(DEEP)}}`,
      message: BODY_TOO_DEEP,
    },
    {
      name: 'Completions prompt',
      protocol: 'openai',
      path: '/v1/completions',
      body: `{"model":"gemini-3-flash","prompt":${deepArray(DEEP)}}`,
      message: BODY_TOO_DEEP,
    },
    {
      name: 'Gemini responseSchema',
      protocol: 'gemini',
      path: `${GEMINI}:generateContent`,
      body: `{${geminiText},"generationConfig":{"responseMimeType":"application/json","responseSchema":${deepGeminiSchema(DEEP)}}}`,
      message: BODY_TOO_DEEP,
    },
    {
      name: 'Gemini functionDeclarations parameters',
      protocol: 'gemini',
      path: `${GEMINI}:generateContent`,
      body: `{${geminiText},"tools":[{"functionDeclarations":[{"name":"f","parameters":${deepGeminiSchema(DEEP)}}]}]}`,
      message: BODY_TOO_DEEP,
    },
    {
      name: 'Gemini functionCall.args',
      protocol: 'gemini',
      path: `${GEMINI}:generateContent`,
      body: geminiFunctionCall(deepObject(DEEP)),
      message: BODY_TOO_DEEP,
    },
    {
      name: 'Gemini functionCall.args, streaming',
      protocol: 'gemini',
      path: `${GEMINI}:streamGenerateContent?alt=sse`,
      body: geminiFunctionCall(deepArray(DEEP)),
      message: BODY_TOO_DEEP,
    },
    {
      name: 'Gemini unknown field',
      protocol: 'gemini',
      path: `${GEMINI}:generateContent`,
      body: `{${geminiText},"someFutureField":${deepObject(DEEP)}}`,
      message: BODY_TOO_DEEP,
    },
    {
      name: 'Gemini unknown field, nested arrays',
      protocol: 'gemini',
      path: `${GEMINI}:generateContent`,
      body: `{${geminiText},"someFutureField":${deepArray(DEEP)}}`,
      message: BODY_TOO_DEEP,
    },
    {
      name: 'Gemini unknown field, counting tokens',
      protocol: 'gemini',
      path: `${GEMINI}:countTokens`,
      body: `{${geminiText},"someFutureField":${deepObject(DEEP)}}`,
      message: BODY_TOO_DEEP,
    },
  ];
}

function bombCases(): HostileCase[] {
  const bomb = schemaBomb(13, 3);
  const toolMessage = /The schema of tool 'bomb' takes this request's tool and response schemas past 10,000 nodes once every \$ref and allOf is written out/;
  const formatMessage = /The schema of the response format 'bomb' takes this request's/;
  const user = [{ role: 'user', content: 'go' }];
  return [
    {
      name: 'Anthropic tool',
      protocol: 'anthropic',
      path: '/v1/messages',
      body: JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 32, messages: user, tools: [{ name: 'bomb', input_schema: bomb }] }),
      message: toolMessage,
    },
    {
      name: 'Anthropic tool, streaming',
      protocol: 'anthropic',
      path: '/v1/messages',
      body: JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 32, stream: true, messages: user, tools: [{ name: 'bomb', input_schema: bomb }] }),
      message: toolMessage,
    },
    {
      name: 'Anthropic tool, counting tokens',
      protocol: 'anthropic',
      path: '/v1/messages/count_tokens',
      body: JSON.stringify({ model: 'claude-sonnet-4-6', messages: user, tools: [{ name: 'bomb', input_schema: bomb }] }),
      message: toolMessage,
    },
    {
      name: 'Chat Completions function',
      protocol: 'openai',
      path: '/v1/chat/completions',
      body: JSON.stringify({ model: 'gemini-3-flash', messages: user, tools: [{ type: 'function', function: { name: 'bomb', parameters: bomb } }] }),
      message: toolMessage,
    },
    {
      name: 'Chat Completions response_format',
      protocol: 'openai',
      path: '/v1/chat/completions',
      body: JSON.stringify({ model: 'gemini-3-flash', messages: user, response_format: { type: 'json_schema', json_schema: { name: 'bomb', schema: bomb } } }),
      message: formatMessage,
    },
    {
      name: 'Responses function',
      protocol: 'openai',
      path: '/v1/responses',
      body: JSON.stringify({ model: 'gemini-3-flash', input: 'go', store: false, tools: [{ type: 'function', name: 'bomb', parameters: bomb }] }),
      message: toolMessage,
    },
    {
      name: 'Responses text.format',
      protocol: 'openai',
      path: '/v1/responses',
      body: JSON.stringify({ model: 'gemini-3-flash', input: 'go', store: false, text: { format: { type: 'json_schema', name: 'bomb', schema: bomb } } }),
      message: formatMessage,
    },
    {
      name: 'Gemini parametersJsonSchema',
      protocol: 'gemini',
      path: `${GEMINI}:generateContent`,
      body: JSON.stringify({
        contents: [{ role: 'user', parts: [{ text: 'go' }] }],
        tools: [{ functionDeclarations: [{ name: 'bomb', parametersJsonSchema: bomb }] }],
      }),
      message: toolMessage,
    },
    {
      name: 'Gemini parametersJsonSchema, counting tokens',
      protocol: 'gemini',
      path: `${GEMINI}:countTokens`,
      body: JSON.stringify({
        contents: [{ role: 'user', parts: [{ text: 'go' }] }],
        tools: [{ functionDeclarations: [{ name: 'bomb', parametersJsonSchema: bomb }] }],
      }),
      message: toolMessage,
    },
    {
      name: 'Gemini responseJsonSchema',
      protocol: 'gemini',
      path: `${GEMINI}:generateContent`,
      body: JSON.stringify({
        contents: [{ role: 'user', parts: [{ text: 'go' }] }],
        generationConfig: { responseMimeType: 'application/json', responseJsonSchema: bomb },
      }),
      message: /The schema of the response format takes this request's/,
    },
  ];
}

describe('security: hostile JSON (deep nesting, schema bombs) on every endpoint', function () {
  this.timeout(60_000);
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  const post = (path: string, body: string) =>
    fetch(`${stack.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body });
  const generations = () => stack.sim.log.filter((entry) => /generateContent|countTokens/i.test(entry.method)).length;

  async function expectRefused(hostile: HostileCase): Promise<void> {
    const before = generations();
    const res = await post(hostile.path, hostile.body);
    const text = await res.text();
    assert.equal(res.status, 400, `${hostile.name}: ${res.status} ${text.slice(0, 300)}`);
    assert.match(res.headers.get('content-type') ?? '', /json/, hostile.name);
    const message = assertProtocolError(hostile.protocol, 400, JSON.parse(text));
    assert.match(message, hostile.message, hostile.name);
    assert.equal(generations(), before, `${hostile.name}: nothing goes upstream`);
  }

  describe(`nesting past ${MAX_JSON_DEPTH} levels: 400, not a stack overflow`, () => {
    for (const hostile of deepCases()) it(hostile.name, () => expectRefused(hostile));

    it('nesting within the budget is served', async () => {
      const res = await post('/v1/messages', anthropicToolUse(deepObject(60)));
      assert.equal(res.status, 200, await res.text());
      const chat = await post('/v1/chat/completions', chatToolCall(deepObject(60)));
      assert.equal(chat.status, 200, await chat.text());
      const gemini = await post(`${GEMINI}:generateContent`, geminiFunctionCall(deepObject(60)));
      assert.equal(gemini.status, 200, await gemini.text());
    });
  });

  describe('$ref fan-out (13 levels of 3 in 1.8 KB): 400 naming the tool or response format', () => {
    for (const hostile of bombCases()) it(hostile.name, () => expectRefused(hostile));

    it('a schema sharing definitions the ordinary way is served, and the gateway still answers', async () => {
      const address = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
      const parameters = { type: 'object', properties: { from: { $ref: '#/$defs/a' }, to: { $ref: '#/$defs/a' } }, $defs: { a: address } };
      const res = await post(
        '/v1/chat/completions',
        JSON.stringify({
          model: 'gemini-3-flash',
          messages: [{ role: 'user', content: 'go' }],
          tools: [{ type: 'function', function: { name: 'route', parameters } }],
        }),
      );
      assert.equal(res.status, 200, await res.text());
      const sent = stack.sim.log.at(-1);
      assert.match(sent?.method ?? '', /generateContent/i);
      assert.equal((await fetch(`${stack.url}/healthz`)).status, 200);
    });
  });
});
