/**
 * Generated hostile or malformed requests against every route: wrong types,
 * nesting past the budget, huge arrays within the body limit, invalid UTF-8,
 * wrong content types, truncated JSON, schema bombs and bad $refs, media URLs
 * that point at a loopback server or are broken data: URLs, broken framing.
 * The gateway must never answer 5xx or crash, must answer every framed
 * request in the protocol shape of its path, must fetch nothing from the
 * loopback server, and must give its memory back.
 *
 * Seeded: the seed is printed, and `AGATE_FUZZ_SEED=<n>` (or `random`) with
 * `AGATE_FUZZ_COUNT=<n>` runs another mix or a longer run (10,000 and more).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { MAX_JSON_DEPTH } from '../../../src/core/json-depth';
import { protocolFamilyOf } from '../../../src/core/server/protocol-of-path';
import { schemaBomb } from '../../helpers/schema-bomb';
import { startStack, type Stack } from '../../helpers/stack';
import { assertProtocolError, PROTOCOL_CALLS } from './protocol-calls';

const COUNT = Number(process.env.AGATE_FUZZ_COUNT ?? 1_500);
const SEED = (() => {
  const value = process.env.AGATE_FUZZ_SEED;
  if (value === 'random') return Math.floor(Math.random() * 2 ** 32);
  return value === undefined || value === '' ? 0x5eed : Number(value) >>> 0;
})();
const CONCURRENCY = 24;
const BODY_LIMIT = 4 * 1024 * 1024;

/** mulberry32: a small seeded PRNG, so that a failing request can be generated again. */
function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof prng>;
type Json = Record<string, unknown>;

const GEMINI_PATHS = [
  '/v1beta/models/gemini-3-flash:generateContent',
  '/v1beta/models/gemini-3-flash:streamGenerateContent?alt=sse',
  '/v1beta/models/claude-sonnet-4-6:streamGenerateContent',
  '/v1beta/models/gemini-3-flash:countTokens',
  '/v1/models/gemini-3-flash:generateContent',
];
const POST_PATHS = [
  '/v1/messages',
  '/v1/messages/count_tokens',
  '/v1/chat/completions',
  '/v1/completions',
  '/v1/responses',
  ...GEMINI_PATHS,
  '/v1beta/models/claude-sonnet-4-6:unknownMethod',
];
const GET_PATHS = ['/', '/healthz', '/v1/models', '/v1/models/gemini-3-flash', '/v1beta/models', '/v1beta/models/gemini-3-flash'];
/** Read-only admin routes (auth is off on loopback): queries are fuzzed, nothing changes. */
const ADMIN_GET_PATHS = [
  '/admin/api/gateway',
  '/admin/api/accounts',
  '/admin/api/requests',
  '/admin/api/requests/req_nope',
  '/admin/api/stats',
  '/admin/api/stats.csv',
  '/admin/api/proxy',
  '/dashboard',
];
/** Admin routes that read a body: only bodies that can never be a JSON object reach them, so no setting changes. */
const ADMIN_POST_PATHS = [
  '/admin/api/settings',
  '/admin/api/accounts',
  '/admin/api/accounts/order',
  '/admin/api/keys',
  '/admin/api/call/updateSettings',
  '/admin/api/call/noSuchMethod',
];

const FIELD_NAMES = [
  'model',
  'messages',
  'contents',
  'role',
  'content',
  'parts',
  'text',
  'type',
  'tools',
  'tool_choice',
  'max_tokens',
  'stream',
  'input',
  'prompt',
  'system',
  'systemInstruction',
  'generationConfig',
  'functionDeclarations',
  'image_url',
  'url',
  'source',
  'data',
  'inlineData',
  'thinking',
  'budget_tokens',
  'temperature',
  'n',
  'stop',
  'previous_response_id',
  'functionCall',
  'functionResponse',
  'tool_use_id',
  'id',
  'name',
  'arguments',
  'cache_control',
  '__proto__',
  'constructor',
  '$ref',
  '$defs',
  'allOf',
  'anyOf',
  'properties',
  'items',
  'enum',
  'required',
  'response_format',
  'json_schema',
  'schema',
];
const STRINGS = [
  '',
  'user',
  'assistant',
  'model',
  'tool',
  'function',
  'gemini-3-flash',
  'claude-sonnet-4-6',
  '\u0000',
  '\ud800',
  '💥',
  'data:image/png;base64,@@@',
  'http://169.254.169.254/',
  'file:///etc/passwd',
  '[[sim:words 3]]',
  'NaN',
  '#/$defs/x',
  'object',
  'array',
];

/** A 1×1 PNG: a data: URL that is valid, for the mixes that break only something else. */
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';

function randomJson(rng: Rng, depth = 0): unknown {
  const roll = rng.int(depth > 3 ? 5 : 8);
  switch (roll) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([0, -1, 1e308, -1e-308, 2 ** 53 + 1, 3.5, 1e21, -0]);
    case 3:
      return rng.pick(STRINGS);
    case 4:
      return 'x'.repeat(rng.int(300));
    case 5:
      return Array.from({ length: rng.int(4) }, () => randomJson(rng, depth + 1));
    default: {
      const object: Json = {};
      for (let i = rng.int(5); i > 0; i--) object[rng.pick(FIELD_NAMES)] = randomJson(rng, depth + 1);
      return object;
    }
  }
}

// ---------- valid bodies, each with the slots hostile values go into ----------

type Family = 'anthropic' | 'chat' | 'completions' | 'responses' | 'gemini';

function familyOf(path: string): Family {
  if (path.startsWith('/v1/messages')) return 'anthropic';
  if (path.startsWith('/v1/chat/')) return 'chat';
  if (path.startsWith('/v1/completions')) return 'completions';
  if (path.startsWith('/v1/responses')) return 'responses';
  return 'gemini';
}

/** One valid body per family, with a tool, a tool call and its result, and an image: every slot the mixes aim at. */
function validBody(family: Family, rng: Rng): Json {
  const stream = rng.chance(0.3);
  switch (family) {
    case 'anthropic':
      return {
        model: rng.pick(['claude-sonnet-4-6', 'gemini-3-flash']),
        max_tokens: 64,
        stream,
        tools: [{ name: 'lookup', description: 'Looks up', input_schema: { type: 'object', properties: { q: { type: 'string' } } } }],
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'find it' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } },
            ],
          },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { q: 'x' } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'found' }] },
        ],
      };
    case 'chat':
      return {
        model: 'gemini-3-flash',
        stream,
        tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }],
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'find it' },
              { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } },
            ],
          },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }] },
          { role: 'tool', tool_call_id: 'call_1', content: 'found' },
        ],
      };
    case 'completions':
      return { model: 'gemini-3-flash', stream, prompt: 'Say hi', max_tokens: 16, stop: ['\n'] };
    case 'responses':
      return {
        model: 'gemini-3-flash',
        stream,
        store: rng.chance(0.5),
        tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } }],
        input: [
          {
            type: 'message',
            role: 'user',
            content: [
              { type: 'input_text', text: 'find it' },
              { type: 'input_image', image_url: `data:image/png;base64,${PNG_BASE64}` },
            ],
          },
          { type: 'function_call', call_id: 'call_1', name: 'lookup', arguments: '{"q":"x"}' },
          { type: 'function_call_output', call_id: 'call_1', output: 'found' },
        ],
      };
    case 'gemini':
      return {
        tools: [{ functionDeclarations: [{ name: 'lookup', parametersJsonSchema: { type: 'object', properties: { q: { type: 'string' } } } }] }],
        contents: [
          { role: 'user', parts: [{ text: 'find it' }, { inlineData: { mimeType: 'image/png', data: PNG_BASE64 } }] },
          { role: 'model', parts: [{ functionCall: { name: 'lookup', args: { q: 'x' } } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'lookup', response: { result: 'found' } } }] },
        ],
      };
  }
}

/** A valid body with one field replaced by a value of the wrong kind. */
function mutatedBody(rng: Rng, family: Family): Json {
  const body = validBody(family, rng);
  const paths: Array<[Json | unknown[], string | number]> = [];
  const walk = (node: unknown) => {
    if (node && typeof node === 'object') {
      for (const key of Object.keys(node)) {
        paths.push([node as Json, Array.isArray(node) ? Number(key) : key]);
        walk((node as Json)[key]);
      }
    }
  };
  walk(body);
  for (let n = 1 + rng.int(2); n > 0; n--) {
    const [parent, key] = rng.pick(paths);
    (parent as Record<string | number, unknown>)[key] = randomJson(rng, 2);
  }
  if (rng.chance(0.3)) body[rng.pick(FIELD_NAMES)] = randomJson(rng, 1);
  return body;
}

// ---------- hostile values ----------

/** JSON text nested `levels` deep: beyond what JSON.stringify can build without recursion trouble. */
const nestedText = (levels: number, rng: Rng) =>
  rng.chance(0.5) ? `${'['.repeat(levels)}1${']'.repeat(levels)}` : `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

function hostileSchema(rng: Rng, loopback: string): unknown {
  switch (rng.int(9)) {
    case 0:
      return schemaBomb(6 + rng.int(10), 2 + rng.int(4));
    case 1: {
      const defs: Json = { a0: { type: 'object', properties: { x: { type: 'string' } } } };
      for (let level = 1; level <= 12; level++) {
        const ref = { $ref: `#/$defs/a${level - 1}` };
        defs[`a${level}`] = { allOf: [ref, ref, ref] };
      }
      return { $defs: defs, $ref: '#/$defs/a12' };
    }
    case 2:
      return {
        type: 'object',
        properties: {
          x: {
            $ref: rng.pick([
              '#/nope',
              '#',
              '#/properties',
              '#/%ZZ',
              `#/${'a/'.repeat(3000)}`,
              '#/properties/x/items/0',
              `${loopback}/schema.json`,
              `${loopback}/schema.json#/a`,
            ]),
          },
        },
      };
    case 3:
      return { $ref: '#/$defs/a', $defs: { a: { $ref: '#/$defs/b' }, b: { allOf: [{ $ref: '#/$defs/a' }], properties: { y: { $ref: '#/$defs/b' } } } } };
    case 4:
      return {
        type: 'object',
        properties: {
          x: rng.pick([
            { $ref: 42 },
            { type: 7 },
            { type: ['string', 5] },
            { properties: [] },
            { required: 'x' },
            { enum: {} },
            { items: [[[]]] },
            { anyOf: 'x' },
            { anyOf: [] },
            { allOf: [1, null] },
            { oneOf: [true, false] },
            { const: { deep: [1, [2]] } },
          ]),
        },
      };
    case 5:
      return { type: 'object', properties: { x: { type: 'string', enum: Array.from({ length: 20_000 + rng.int(30_000) }, (_, i) => `v${i}`) } } };
    case 6:
      return { type: 'object', properties: Object.fromEntries(Array.from({ length: 2_000 + rng.int(8_000) }, (_, i) => [`p${i}`, { type: 'string' }])) };
    case 7:
      return {
        type: 'object',
        properties: {
          x: {
            anyOf: Array.from({ length: 500 + rng.int(2_000) }, (_, i) => ({ type: 'object', properties: { [`k${i}`]: { const: i } }, required: [`k${i}`] })),
          },
        },
      };
    default: {
      // Nested within the body budget (two JSON levels per schema level), or not.
      const levels = rng.chance(0.5) ? 20 + rng.int(40) : MAX_JSON_DEPTH + rng.int(200);
      let schema: Json = { type: 'string' };
      for (let i = 0; i < levels; i++) schema = { type: 'object', properties: { n: schema } };
      return schema;
    }
  }
}

function hostileMediaUrl(rng: Rng, loopback: string): string {
  const port = new URL(loopback).port;
  return rng.pick([
    `${loopback}/image.png`,
    `http://localhost:${port}/image.png`,
    `http://[::1]:${port}/image.png`,
    `http://0x7f000001:${port}/image.png`,
    `http://[::ffff:127.0.0.1]:${port}/image.png`,
    `http://user:secret@127.0.0.1:${port}/image.png`,
    'data:image/png;base64,@@@@',
    'data:image/png;base64',
    'data:;base64,AAAA',
    'data:text/html,<script>alert(1)</script>',
    `data:image/png,${'A'.repeat(100_000)}`,
    'data:image/svg+xml;utf8,<svg xmlns="http://www.w3.org/2000/svg"/>',
    `data:image/png;base64,${'QUFB'.repeat(200_000 + rng.int(300_000))}`,
    'data:',
    'file:///etc/passwd',
    'ftp://127.0.0.1/x.png',
    'javascript:alert(1)',
    'not a url',
    '',
  ]);
}

function hostileArguments(rng: Rng): unknown {
  return rng.pick<() => unknown>([
    () => nestedText(MAX_JSON_DEPTH + 1 + rng.int(100_000), rng),
    () => '{"q":',
    () => '[]',
    () => 'null',
    () => '1e999',
    () => `{"q":"${'x'.repeat(200_000)}"}`,
    () => 42,
    () => ({ q: 'an object, not JSON text' }),
    () => '{"__proto__":{"polluted":true}}',
    () => '\ud800',
  ])();
}

/** Where each family keeps a tool schema, a response schema, a media URL and tool-call arguments. */
function plant(body: Json, family: Family, slot: 'tool-schema' | 'response-schema' | 'media' | 'arguments', value: unknown, rng: Rng): void {
  const tools = body.tools as Json[] | undefined;
  switch (`${family}:${slot}`) {
    case 'anthropic:tool-schema':
      (tools![0] as Json).input_schema = value;
      break;
    case 'chat:tool-schema':
      ((tools![0] as Json).function as Json).parameters = value;
      break;
    case 'responses:tool-schema':
      (tools![0] as Json).parameters = value;
      break;
    case 'gemini:tool-schema':
      ((tools![0] as Json).functionDeclarations as Json[])[0] = rng.chance(0.5)
        ? { name: 'lookup', parametersJsonSchema: value }
        : { name: 'lookup', parameters: value };
      break;
    case 'anthropic:response-schema':
      body.output_format = { type: 'json_schema', schema: value };
      break;
    case 'chat:response-schema':
      body.response_format = { type: 'json_schema', json_schema: { name: 'out', schema: value } };
      break;
    case 'responses:response-schema':
      body.text = { format: { type: 'json_schema', name: 'out', schema: value } };
      break;
    case 'gemini:response-schema':
      body.generationConfig = { responseMimeType: 'application/json', [rng.pick(['responseJsonSchema', 'responseSchema'])]: value };
      break;
    case 'anthropic:media':
      ((body.messages as Json[])[0].content as Json[])[1] = {
        type: 'image',
        source: rng.chance(0.7) ? { type: 'url', url: value } : { type: 'base64', media_type: rng.pick(['image/png', 'image/x-evil', '', 7]), data: value },
      };
      break;
    case 'chat:media':
      ((body.messages as Json[])[0].content as Json[])[1] = { type: 'image_url', image_url: { url: value, detail: rng.pick(['auto', 'high', 'weird']) } };
      break;
    case 'responses:media':
      ((body.input as Json[])[0].content as Json[])[1] = { type: 'input_image', image_url: value };
      break;
    case 'gemini:media':
      ((body.contents as Json[])[0].parts as Json[])[1] = rng.chance(0.6)
        ? { fileData: { mimeType: rng.pick(['image/png', 'text/html', '']), fileUri: value } }
        : { inlineData: { mimeType: rng.pick(['image/png', 'application/x-evil']), data: value } };
      break;
    case 'anthropic:arguments':
      ((body.messages as Json[])[1].content as Json[])[0] = {
        type: 'tool_use',
        id: 'toolu_1',
        name: 'lookup',
        input: typeof value === 'string' ? { q: value } : value,
      };
      break;
    case 'chat:arguments':
      ((((body.messages as Json[])[1].tool_calls as Json[])[0] as Json).function as Json).arguments = value;
      break;
    case 'responses:arguments':
      (body.input as Json[])[1].arguments = value;
      break;
    case 'gemini:arguments':
      (((body.contents as Json[])[1].parts as Json[])[0].functionCall as Json).args = value;
      break;
    default:
      body.prompt = value; // completions: no tools, schemas or media
  }
}

/** A body at the size limit's scale: many messages, parts, tools, stop sequences or enum values. */
function hugeArrays(rng: Rng, family: Family): Json {
  const body = validBody(family, rng);
  const n = 2_000 + rng.int(18_000);
  const many = <T>(make: (i: number) => T) => Array.from({ length: n }, (_, i) => make(i));
  switch (rng.int(4)) {
    case 0:
      if (family === 'gemini') body.contents = many((i) => ({ role: i % 2 ? 'model' : 'user', parts: [{ text: `turn ${i}` }] }));
      else if (family === 'responses') body.input = many((i) => ({ type: 'message', role: i % 2 ? 'assistant' : 'user', content: `turn ${i}` }));
      else if (family === 'completions') body.prompt = many((i) => `prompt ${i}`);
      else body.messages = many((i) => ({ role: i % 2 ? 'assistant' : 'user', content: `turn ${i}` }));
      break;
    case 1:
      if (family === 'gemini')
        body.tools = [
          { functionDeclarations: many((i) => ({ name: `f${i}`, parametersJsonSchema: { type: 'object', properties: { q: { type: 'string' } } } })) },
        ];
      else if (family === 'anthropic') body.tools = many((i) => ({ name: `f${i}`, input_schema: { type: 'object', properties: { q: { type: 'string' } } } }));
      else if (family === 'chat') body.tools = many((i) => ({ type: 'function', function: { name: `f${i}`, parameters: { type: 'object' } } }));
      else if (family === 'responses') body.tools = many((i) => ({ type: 'function', name: `f${i}`, parameters: { type: 'object' } }));
      else body.prompt = many((i) => i);
      break;
    case 2:
      if (family === 'gemini') body.generationConfig = { stopSequences: many((i) => `s${i}`) };
      else if (family === 'anthropic') body.stop_sequences = many((i) => `s${i}`);
      else body.stop = many((i) => `s${i}`);
      break;
    default:
      plant(body, family, rng.pick(['tool-schema', 'response-schema'] as const), { type: 'string', enum: many((i) => `v${i}`) }, rng);
  }
  return body;
}

// ---------- requests ----------

interface FuzzRequest {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

const KINDS = [
  'random-json',
  'mutated',
  'mutated',
  'truncated',
  'invalid-utf8',
  'content-type',
  'empty',
  'schema',
  'schema',
  'media',
  'media',
  'arguments',
  'path',
  'method',
  'query',
  'admin',
] as const;

function generate(rng: Rng, loopback: string): FuzzRequest {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' };
  if (rng.chance(0.2))
    headers[rng.pick(['authorization', 'x-api-key', 'x-goog-api-key'])] = rng.pick([
      'Bearer',
      'Bearer ',
      'sk-agate-',
      `sk-agate-${'0'.repeat(16)}_${'f'.repeat(48)}`,
      'x'.repeat(2000),
    ]);
  if (rng.chance(0.2)) headers['anthropic-beta'] = rng.pick(['', ',,,', 'x'.repeat(500), 'interleaved-thinking-2025-05-14,bogus']);
  let path = rng.pick(POST_PATHS);
  const family = familyOf(path);
  // Huge and deeply nested bodies cost the most per request: a few percent of the mix each.
  const kind = rng.chance(0.02) ? 'huge-string' : rng.chance(0.02) ? 'huge-array' : rng.chance(0.04) ? 'deep' : rng.pick(KINDS);
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  const post = (body: Buffer | undefined) => ({ kind, method: 'POST', path, headers, body });
  switch (kind) {
    case 'random-json':
      return post(json(randomJson(rng)));
    case 'mutated':
      return post(json(mutatedBody(rng, family)));
    case 'truncated': {
      const text = JSON.stringify(mutatedBody(rng, family));
      return post(Buffer.from(text.slice(0, rng.int(text.length))));
    }
    case 'invalid-utf8': {
      const text = json(validBody(family, rng));
      const at = rng.int(text.length);
      return post(
        Buffer.concat([
          text.subarray(0, at),
          Buffer.from(
            rng.pick([
              [0xff, 0xfe],
              [0xc0, 0x80],
              [0xed, 0xa0, 0x80],
              [0xf4, 0x90, 0x80, 0x80],
              [0xe2, 0x82],
            ]),
          ),
          text.subarray(at),
        ]),
      );
    }
    case 'content-type': {
      const type = rng.pick([
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        '',
        'application/json; charset=utf-16',
        'application/xml',
        undefined,
      ]);
      if (type === undefined) delete headers['content-type'];
      else headers['content-type'] = type;
      if (rng.chance(0.3)) headers['content-encoding'] = rng.pick(['gzip', 'br', 'identity, gzip']);
      const body = json(validBody(family, rng));
      return post(rng.chance(0.3) ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body);
    }
    case 'deep': {
      const levels = MAX_JSON_DEPTH + 1 + rng.int(100_000);
      if (rng.chance(0.3)) return post(Buffer.from(`{"model":"gemini-3-flash","messages":${nestedText(levels, rng)}}`));
      // Deep inside an otherwise valid body: spliced in as text, beyond what JSON.stringify would build.
      const body = validBody(family, rng);
      body[rng.pick(['tools', 'metadata', 'someFutureField', 'generationConfig', 'contents', 'input'])] = '@@DEEP@@';
      return post(Buffer.from(JSON.stringify(body).replace('"@@DEEP@@"', nestedText(levels, rng))));
    }
    case 'huge-string': {
      const body = validBody(family, rng);
      body[rng.pick(['model', 'system', 'prompt', 'input', 'instructions'])] = rng
        .pick(['a', '\u00e9', '[[sim:words 2]]', '"', '\\'])
        .repeat(100_000 + rng.int(300_000));
      return post(json(body));
    }
    case 'huge-array':
      return post(json(hugeArrays(rng, family)));
    case 'empty':
      return post(Buffer.alloc(0));
    case 'schema': {
      const body = validBody(family, rng);
      plant(body, family, rng.chance(0.7) ? 'tool-schema' : 'response-schema', hostileSchema(rng, loopback), rng);
      return post(json(body));
    }
    case 'media': {
      const body = validBody(family, rng);
      plant(body, family, 'media', hostileMediaUrl(rng, loopback), rng);
      return post(json(body));
    }
    case 'arguments': {
      const body = validBody(family, rng);
      const value = hostileArguments(rng);
      plant(body, family, 'arguments', value, rng);
      const text = JSON.stringify(body);
      // Deep JSON text as a *value* (not a string) where a protocol takes objects.
      return post(
        Buffer.from(
          family !== 'chat' && family !== 'responses' && typeof value === 'string' && /^[[{]{200}/.test(value)
            ? text.replace(JSON.stringify(value), value)
            : text,
        ),
      );
    }
    case 'path': {
      path = rng.pick([
        `/v1/${'a/'.repeat(rng.int(2000))}`,
        '/v1beta/models/%E0%A4%A:generateContent',
        '/v1beta/models/:generateContent',
        '/v1beta/models/%00%ff:countTokens',
        '/v1/models/../../etc/passwd',
        `/v1/messages/${'%2e%2e/'.repeat(20)}`,
        '/v1beta/models/a:b:c:streamGenerateContent',
        '/V1/MESSAGES',
        '/v1//chat/completions',
        '/v1/responses;x=1',
        `/${rng.pick(['admin', 'dashboard', 'v2', 'v1beta'])}/${'x'.repeat(rng.int(4000))}`,
      ]);
      const method = rng.pick(['GET', 'POST']);
      return { kind, method, path, headers, body: method === 'POST' ? json(randomJson(rng)) : undefined };
    }
    case 'method':
      return {
        kind,
        method: rng.pick(['PUT', 'DELETE', 'PATCH', 'GET', 'OPTIONS', 'HEAD']),
        path: rng.pick([...POST_PATHS, ...GET_PATHS]),
        headers,
        body: undefined,
      };
    case 'admin': {
      if (rng.chance(0.5)) {
        const query = rng.pick(['', '?limit=-1', '?limit=1e9', '?since=abc', '?from=%zz', `?q=${'q'.repeat(3000)}`, '?key=a&key=b', '?__proto__[x]=1']);
        return { kind, method: 'GET', path: rng.pick(ADMIN_GET_PATHS) + query, headers, body: undefined };
      }
      // Never a JSON object and never empty, so that no admin call runs.
      const body = rng.pick<() => Buffer>([
        () => json(randomJson(rng, 5)),
        () => json([randomJson(rng)]),
        () => Buffer.from(nestedText(MAX_JSON_DEPTH + 1 + rng.int(50_000), { ...rng, chance: () => true })),
        () => Buffer.from('{"changes":'),
        () => Buffer.from([0xff, 0xfe, 0x7b]),
      ])();
      return { kind, method: 'POST', path: rng.pick(ADMIN_POST_PATHS), headers, body };
    }
    default: {
      const query = rng.pick(['?key=', '?key=a&key=b', '?alt=json&alt=sse', '?%zz=1', `?key=${'k'.repeat(3000)}`, '?__proto__[x]=1', '?alt=xml']);
      const method = rng.pick(['GET', 'POST']);
      const base = rng.pick(method === 'GET' ? GET_PATHS : POST_PATHS);
      return { kind: 'query', method, path: base.split('?')[0] + query, headers, body: method === 'POST' ? json(mutatedBody(rng, familyOf(base))) : undefined };
    }
  }
}

// ---------- transport ----------

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

function sendOverHttp(agent: http.Agent, base: URL, request: FuzzRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, host: base.hostname, port: base.port, method: request.method, path: request.path, headers: request.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(request.body);
  });
}

/** Writes raw bytes (optionally in slow chunks) and collects whatever comes back until the server closes. */
function sendRaw(base: URL, chunks: Buffer[], gapMs = 0): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(base.port), base.hostname);
    const received: Buffer[] = [];
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(received).toString('latin1')));
    socket.setTimeout(10_000, () => socket.destroy());
    void (async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        socket.write(chunk);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    })();
  });
}

function parseRawAnswer(raw: string): Answer | undefined {
  const match = /^HTTP\/1\.1 (\d{3})[^\r]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(raw);
  if (!match) return undefined;
  const contentType = /^content-type:\s*(.*)$/im.exec(match[2])?.[1] ?? '';
  return { status: Number(match[1]), contentType, text: Buffer.from(match[3], 'latin1').toString('utf8') };
}

const gc: () => void = (() => {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
})();

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const mb = (bytes: number, sign = true) => `${sign && bytes >= 0 ? '+' : ''}${(bytes / 1e6).toFixed(1)} MB`;

describe('security: fuzzing every route with hostile requests', function () {
  this.timeout(Math.max(240_000, COUNT * 100));
  let stack: Stack;
  let loopback: http.Server;
  let loopbackUrl: string;
  let loopbackHits = 0;
  before(async () => {
    stack = await startStack({ flags: { 'monitor.ringSize': '50', 'server.requestTimeoutMs': '5000', 'server.bodyLimitBytes': String(BODY_LIMIT) } });
    // The media URLs and remote $refs of the mix point here: the gateway must never connect.
    loopback = http.createServer((_req, res) => {
      loopbackHits++;
      res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from(PNG_BASE64, 'base64'));
    });
    await new Promise<void>((resolve) => loopback.listen(0, '127.0.0.1', resolve));
    loopbackUrl = `http://127.0.0.1:${(loopback.address() as AddressInfo).port}`;
  });
  after(async () => {
    loopback.close();
    await stack.close();
  });

  it(`${COUNT} requests (seed ${SEED}): no 5xx, no crash, every error in its protocol's shape, nothing fetched from loopback, memory given back`, async () => {
    console.log(`      fuzz seed ${SEED} (AGATE_FUZZ_SEED=${SEED} AGATE_FUZZ_COUNT=${COUNT} repeats this run)`);
    const base = new URL(stack.url);
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const rng = prng(SEED);
    const byKind = new Map<string, number>();
    const byStatus = new Map<number, number>();
    const timeByKind = new Map<string, number>();
    const count = (label: string) => byKind.set(label, (byKind.get(label) ?? 0) + 1);
    const problems: string[] = [];
    const check = (label: string, request: Pick<FuzzRequest, 'method' | 'path'>, answer: Answer | undefined): void => {
      const where = `${label} ${request.method} ${request.path.slice(0, 100)}`;
      if (!answer) {
        count(`${label}: closed without an answer`);
        return;
      }
      count(`${label}: ${answer.status}`);
      byStatus.set(answer.status, (byStatus.get(answer.status) ?? 0) + 1);
      if (answer.status >= 500) problems.push(`${where}: ${answer.status} ${answer.text.slice(0, 300)}`);
      else if (answer.text.includes('Internal gateway error'))
        problems.push(`${where}: ${answer.status} with an internal error inside: ${answer.text.slice(0, 300)}`);
      if (request.method === 'HEAD') return; // answers without a body
      if (answer.status < 400) {
        // Redirects (the dashboard moving a ?key= out of the address bar) carry Koa's short text.
        const expected = answer.status >= 300 || /json|event-stream|html|csv/.test(answer.contentType) || answer.text === '';
        if (!expected) problems.push(`${where}: ${answer.status} ${answer.contentType}`);
        return;
      }
      try {
        assert.match(answer.contentType, /json/);
        assertProtocolError(protocolFamilyOf(request.path.split('?')[0]), answer.status, JSON.parse(answer.text));
      } catch (err) {
        problems.push(`${where}: ${answer.status} ${(err as Error).message.slice(0, 300)}`);
      }
    };

    // Warm up (code paths, caches, the monitor ring) before measuring the baseline.
    for (let i = 0; i < 200; i++) await sendOverHttp(agent, base, { ...generate(prng(i), loopbackUrl), kind: 'warmup' }).catch(() => undefined);
    stack.sim.reset(); // the simulator's request log keeps bodies; it is not the gateway's memory
    const baseline = heapAfterGc();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
    // Reported, not asserted (timing belongs to the benchmark): a request that holds the event loop shows here.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const started = performance.now();

    let sent = 0;
    const rawShare = Math.min(200, Math.floor(COUNT / 10));
    let middle = 0;
    const worker = async () => {
      while (sent < COUNT - rawShare) {
        if (sent === (COUNT - rawShare) >> 1) middle = heapAfterGc();
        // The simulator's request log keeps whole bodies: it is this process's memory, not the gateway's.
        if (sent % 100 === 0) stack.sim.reset();
        sent++;
        const request = generate(rng, loopbackUrl);
        const requestStarted = performance.now();
        try {
          check(request.kind, request, await sendOverHttp(agent, base, request));
          timeByKind.set(request.kind, (timeByKind.get(request.kind) ?? 0) + performance.now() - requestStarted);
        } catch (err) {
          problems.push(`${request.kind} ${request.method} ${request.path.slice(0, 80)}: transport ${(err as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    // Framing a client library will not produce: raw sockets.
    const body = Buffer.from(JSON.stringify(PROTOCOL_CALLS[0].body));
    const raw: Array<() => Promise<void>> = [];
    for (let i = 0; i < rawShare / 4; i++) {
      raw.push(async () =>
        check(
          'raw: garbage request line',
          { method: '?', path: '/' },
          parseRawAnswer(await sendRaw(base, [Buffer.from(`${'\u0001GARBAGE '.repeat(1 + rng.int(5))}\r\n\r\n`)])),
        ),
      );
      raw.push(async () =>
        check(
          'raw: oversized headers',
          { method: 'POST', path: '/v1/messages' },
          parseRawAnswer(await sendRaw(base, [Buffer.from(`POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-junk: ${'j'.repeat(40_000)}\r\n\r\n`)])),
        ),
      );
      raw.push(async () => {
        // Content-Length promises more than arrives, then the client half-closes.
        const head = `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length + 100}\r\nConnection: close\r\n\r\n`;
        const answer = await sendRaw(base, [Buffer.from(head), body.subarray(0, rng.int(body.length))]);
        check('raw: truncated transfer', { method: 'POST', path: '/v1/chat/completions' }, answer ? parseRawAnswer(answer) : undefined);
      });
      raw.push(async () => {
        // Slowloris within bounds: a bad body dribbled in 8 pieces well inside the request timeout.
        const bad = Buffer.from('{"model": 12, "contents": "slow"');
        const head = Buffer.from(
          `POST /v1beta/models/gemini-3-flash:generateContent HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${bad.length}\r\nConnection: close\r\n\r\n`,
        );
        const pieces = Array.from({ length: 8 }, (_, k) => bad.subarray(Math.floor((k * bad.length) / 8), Math.floor(((k + 1) * bad.length) / 8)));
        check('raw: slow body', { method: 'POST', path: '/v1beta/models/x:generateContent' }, parseRawAnswer(await sendRaw(base, [head, ...pieces], 60)));
      });
    }
    await Promise.all(raw.map((run) => run()));
    // Beyond bounds: a body that never completes is cut at the request timeout with a 408 in protocol shape.
    await Promise.all(
      ['/v1/messages', '/v1/chat/completions', '/v1beta/models/gemini-3-flash:generateContent'].map(async (path) => {
        const stalled = await sendRaw(base, [
          Buffer.from(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"model":`),
        ]);
        check('raw: stalled body', { method: 'POST', path }, parseRawAnswer(stalled));
      }),
    );
    agent.destroy();
    clearInterval(sampler);
    loopDelay.disable();
    const seconds = (performance.now() - started) / 1000;

    stack.sim.reset();
    const health = await fetch(`${stack.url}/healthz`);
    assert.equal(health.status, 200, 'the gateway still answers');
    const end = heapAfterGc();
    const rssAfter = process.memoryUsage().rss;
    const total = sent + raw.length + 3;
    const statuses = [...byStatus.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${status} ×${n}`)
      .join(', ');
    console.log(
      `      fuzz: seed ${SEED}, ${total} requests in ${seconds.toFixed(1)} s; statuses: ${statuses}\n` +
        `        RSS ${mb(rssBefore, false)} before, ${mb(rssPeak, false)} at peak (${mb(rssPeak - rssBefore)}), ${mb(rssAfter, false)} after; ` +
        `heap after GC vs. baseline: ${mb(middle - baseline)} at half-time, ${mb(end - baseline)} at the end; loopback fetches: ${loopbackHits}\n` +
        `        event-loop delay (gateway, simulator and this client together): p99 ${(loopDelay.percentile(99) / 1e6).toFixed(0)} ms, max ${(loopDelay.max / 1e6).toFixed(0)} ms\n` +
        `        time in flight by kind: ${[...timeByKind.entries()]
          .sort(([, a], [, b]) => b - a)
          .map(([kind, ms]) => `${kind} ${(ms / 1000).toFixed(1)} s`)
          .join(', ')}\n` +
        `        ${[...byKind.entries()]
          .sort()
          .map(([label, n]) => `${label} ×${n}`)
          .join('\n        ')}`,
    );
    assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problems (seed ${SEED})`);
    assert.equal(loopbackHits, 0, 'media URLs and $refs pointing at loopback were fetched');
    assert.equal(byKind.get('raw: stalled body: 408'), 3);
    // Bounded caches (Responses conversations, monitor ring, token stats) fill during the first half;
    // the second half must not add to them: a leak grows with the number of requests.
    assert.ok(end - middle < 16e6, `heap grew by ${mb(end - middle)} over the second half`);
    assert.ok(end - baseline < 64e6, `heap grew by ${mb(end - baseline)}`);
    // The stack, the simulator and this client share the process: peak RSS covers their buffers for
    // 24 requests in flight of up to 4 MB each, three times over, plus the media cap.
    assert.ok(rssPeak - rssBefore < 1_000e6, `RSS peaked ${mb(rssPeak - rssBefore)} above the baseline`);
  });
});
