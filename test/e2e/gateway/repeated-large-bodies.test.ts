/**
 * An agent resends the same large tools, system text and earlier turns with every request, and the gateway reuses
 * what it parsed before (deeply frozen, src/core/json-reuse.ts). Every protocol's decoder and the upstream encoder
 * must then read those values without changing them: the same body sent again and again is answered every time,
 * and the upstream gets the same tools, system text and turns each time.
 */
import assert from 'node:assert/strict';
import type { LogEntry } from '../../../src/simulator';
import { startStack, type Stack } from '../../helpers/stack';

const MODEL = 'claude-sonnet-4-6';
const prose = (label: string, words: number) => `${label}: ${Array.from({ length: words }, (_, i) => `wörd${i % 97}`).join(' ')} — naïve café 😀`;

/** JSON Schema features that the upstream encoder cleans or rewrites: refs, unions, nullable types, formats, bounds. */
const schemaOf = (i: number) => ({
  type: 'object',
  $defs: { Point: { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } }, required: ['x', 'y'], additionalProperties: false } },
  properties: {
    path: { type: 'string', description: prose(`path ${i}`, 30), format: 'uri', minLength: 1 },
    where: { $ref: '#/$defs/Point' },
    mode: { anyOf: [{ type: 'string', enum: ['a', 'b'] }, { type: 'null' }], default: null },
    count: { type: ['integer', 'null'], minimum: 0, exclusiveMaximum: 100 },
    tags: { type: 'array', items: { type: 'string' }, uniqueItems: true, maxItems: 5 },
    extra: { type: 'object', additionalProperties: { type: 'string' } },
  },
  required: ['path'],
  additionalProperties: false,
});
const TOOLS = Array.from({ length: 40 }, (_, i) => ({ name: `tool_${i}`, description: prose(`tool ${i}`, 60), schema: schemaOf(i) }));
const SYSTEM = prose('system', 6000);
const turns = (count: number) => Array.from({ length: count }, (_, i) => ({ user: i % 2 === 0, text: prose(`turn ${i}`, 400) }));

interface Protocol {
  name: string;
  path: string;
  body(turnCount: number): unknown;
}

const PROTOCOLS: Protocol[] = [
  {
    name: 'Anthropic Messages',
    path: '/v1/messages',
    body: (n) => ({
      model: MODEL,
      max_tokens: 1024,
      system: [{ type: 'text', text: SYSTEM, cache_control: { type: 'ephemeral' } }],
      tools: TOOLS.map((tool) => ({ name: tool.name, description: tool.description, input_schema: tool.schema })),
      messages: turns(n).map((turn) => ({ role: turn.user ? 'user' : 'assistant', content: [{ type: 'text', text: turn.text }] })),
    }),
  },
  {
    name: 'OpenAI Chat Completions',
    path: '/v1/chat/completions',
    body: (n) => ({
      model: MODEL,
      messages: [{ role: 'system', content: SYSTEM }, ...turns(n).map((turn) => ({ role: turn.user ? 'user' : 'assistant', content: turn.text }))],
      tools: TOOLS.map((tool) => ({ type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.schema } })),
    }),
  },
  {
    name: 'OpenAI Responses',
    path: '/v1/responses',
    body: (n) => ({
      model: MODEL,
      instructions: SYSTEM,
      input: turns(n).map((turn) => ({ role: turn.user ? 'user' : 'assistant', content: turn.text })),
      tools: TOOLS.map((tool) => ({ type: 'function', name: tool.name, description: tool.description, parameters: tool.schema })),
    }),
  },
  {
    name: 'Gemini generateContent',
    path: `/v1beta/models/${MODEL}:generateContent`,
    body: (n) => ({
      systemInstruction: { parts: [{ text: SYSTEM }] },
      contents: turns(n).map((turn) => ({ role: turn.user ? 'user' : 'model', parts: [{ text: turn.text }] })),
      tools: [{ functionDeclarations: TOOLS.map((tool) => ({ name: tool.name, description: tool.description, parametersJsonSchema: tool.schema })) }],
    }),
  },
];

const isGeneration = (entry: LogEntry) => entry.method === 'streamGenerateContent' || entry.method === 'generateContent';
type UpstreamRequest = { tools?: unknown; systemInstruction?: unknown; contents: unknown[] };

describe('the same large request parts sent again and again', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  it('a large malformed body is a 400 in the client protocol, worded by JSON.parse of the body as sent', async () => {
    // Past its non-ASCII text: a position counted in the escaped text would be another.
    const body = `${JSON.stringify(PROTOCOLS[0].body(3))} x`;
    let expected = '';
    try {
      JSON.parse(body);
    } catch (err) {
      expected = (err as Error).message;
    }
    const res = await fetch(`${stack.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body,
    });
    assert.equal(res.status, 400);
    const answer = (await res.json()) as { type: string; error: { type: string; message: string } };
    assert.equal(answer.error.type, 'invalid_request_error');
    assert.equal(answer.error.message, `The request body is not valid JSON: ${expected}`);
  });

  for (const protocol of PROTOCOLS) {
    it(`${protocol.name}: answered every time, the upstream getting the same tools, system text and turns`, async () => {
      const upstream: UpstreamRequest[] = [];
      // Odd counts end on a user turn; each conversation repeats the last one's turns and adds two.
      for (const turnCount of [3, 3, 5, 5, 7]) {
        const body = JSON.stringify(protocol.body(turnCount));
        assert.ok(body.length > 64 * 1024, `${body.length} bytes: large enough to be split`);
        const before = stack.sim.log.length;
        const res = await fetch(stack.url + protocol.path, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
          body,
        });
        const text = await res.text();
        assert.equal(res.status, 200, text.slice(0, 500));
        const sent = stack.sim.log.slice(before).filter(isGeneration);
        assert.equal(sent.length, 1);
        upstream.push((sent[0].body as { request: UpstreamRequest }).request);
      }
      const [first, ...rest] = upstream;
      assert.ok(Array.isArray(first.tools) && first.systemInstruction !== undefined);
      for (const later of rest) {
        assert.deepEqual(later.tools, first.tools);
        assert.deepEqual(later.systemInstruction, first.systemInstruction);
        assert.deepEqual(later.contents.slice(0, first.contents.length), first.contents);
      }
      assert.deepEqual(upstream[4].contents.slice(0, upstream[2].contents.length), upstream[2].contents);
    });
  }
});
