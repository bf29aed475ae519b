/**
 * One rule for built-in web search on every protocol: declared beside
 * function tools (Cline, Codex) it is dropped with a note and the functions
 * reach the upstream; declared alone it becomes `googleSearch`.
 */
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../../helpers/stack';

type UpstreamTools = Array<Record<string, unknown> & { functionDeclarations?: Array<{ name: string }> }>;

const FUNCTION = { name: 'read_files', description: 'Read files', schema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } };

/** The same request in each protocol, with web search and (or without) one function tool. */
const requests: Record<string, { path: string; body: (withFunction: boolean) => Record<string, unknown> }> = {
  '/v1/messages': {
    path: '/v1/messages',
    body: (withFunction) => ({
      model: 'gemini-3-flash',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'hello' }],
      tools: [
        { type: 'web_search_20250305', name: 'web_search', max_uses: 5 },
        ...(withFunction ? [{ name: FUNCTION.name, description: FUNCTION.description, input_schema: FUNCTION.schema }] : []),
      ],
    }),
  },
  '/v1/chat/completions': {
    path: '/v1/chat/completions',
    body: (withFunction) => ({
      model: 'gemini-3-flash',
      messages: [{ role: 'user', content: 'hello' }],
      web_search_options: {},
      ...(withFunction
        ? { tools: [{ type: 'function', function: { name: FUNCTION.name, description: FUNCTION.description, parameters: FUNCTION.schema } }] }
        : {}),
    }),
  },
  '/v1/responses': {
    path: '/v1/responses',
    body: (withFunction) => ({
      model: 'gemini-3-flash',
      input: 'hello',
      tools: [
        { type: 'web_search' },
        ...(withFunction ? [{ type: 'function', name: FUNCTION.name, description: FUNCTION.description, parameters: FUNCTION.schema }] : []),
      ],
    }),
  },
};

describe('web search beside function tools, on every protocol', function () {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());
  beforeEach(() => stack.sim.reset());

  async function send(path: string, body: Record<string, unknown>): Promise<UpstreamTools> {
    const res = await fetch(stack.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 200, await res.clone().text());
    await res.text();
    const generation = stack.sim.log.filter((e) => e.method === 'generateContent' || e.method === 'streamGenerateContent').at(-1);
    assert.ok(generation, 'the upstream was called');
    return ((generation.body as { request: { tools?: UpstreamTools } }).request.tools ?? []) as UpstreamTools;
  }

  for (const [name, { path, body }] of Object.entries(requests)) {
    it(`${name}: the function tools reach the upstream, search is dropped with a note in the log and the monitor`, async () => {
      const tools = await send(path, body(true));
      assert.deepEqual(
        tools.flatMap((t) => (t.functionDeclarations ?? []).map((d) => d.name)),
        [FUNCTION.name],
      );
      assert.ok(!tools.some((t) => 'googleSearch' in t), JSON.stringify(tools));

      const record = stack.agate.observability!.monitor.list().find((r) => r.path === path);
      assert.ok(record, 'the request is in the monitor');
      assert.equal(record.status, 200);
      assert.match(record.notes?.join('\n') ?? '', /dropped .*web.search.*cannot be combined with function tools, and 1 function tool is declared/);
      assert.ok(stack.logs.some((line) => line.includes(record.id) && /cannot be combined with function tools/.test(line)));
    });

    it(`${name}: web search alone becomes googleSearch`, async () => {
      const tools = await send(path, body(false));
      assert.deepEqual(tools, [{ googleSearch: {} }]);
    });
  }
});
