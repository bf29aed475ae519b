/**
 * The foundation's HTTP surface, driven over the wire: health, the root probe,
 * unknown routes, malformed JSON, the body limit and the request id — every
 * failure in the shape of the protocol its path belongs to.
 */
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../../helpers/stack';
import { rawRequest } from '../../e2e/security/raw-http';
import { assertErrorShape, GENERATION_PATHS, type Family } from './protocol-shapes';

const FAMILIES: Family[] = ['anthropic', 'openai', 'gemini'];
const BODY_LIMIT = 4096;

const generations = (stack: Stack) => stack.sim.log.filter((entry) => /generateContent$/i.test(entry.method));

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('foundation: HTTP surface', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ flags: { 'server.bodyLimitBytes': String(BODY_LIMIT) } });
  });
  after(() => stack.close());

  it('GET /healthz reports status, version, uptime and the pool', async () => {
    const res = await fetch(`${stack.url}/healthz`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['accounts', 'status', 'uptimeSeconds', 'version']);
    assert.equal(body.status, 'ok');
    assert.equal(body.version, '0.0.0-test');
    assert.ok(Number.isInteger(body.uptimeSeconds) && (body.uptimeSeconds as number) >= 0);
    assert.deepEqual(body.accounts, { total: 1, usable: 1 });
  });

  it('HEAD / and GET / answer 200 (Claude Code probes HEAD / at start)', async () => {
    const head = await fetch(`${stack.url}/`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    const get = await fetch(`${stack.url}/`);
    assert.equal(get.status, 200);
    assert.equal(((await get.json()) as { name: string }).name, 'agate');
  });

  describe('unknown routes answer 404 in the shape of their protocol', () => {
    const cases: Array<[Family, string, string]> = [
      ['anthropic', 'POST', '/v1/messages/nope'],
      ['openai', 'POST', '/v1/nope'],
      ['openai', 'GET', '/nope'],
      ['gemini', 'POST', '/v1beta/nope'],
      ['gemini', 'POST', '/v1beta/models/gemini-3-flash:nope'],
    ];
    for (const [family, method, path] of cases) {
      it(`${method} ${path} → ${family} 404`, async () => {
        const res = await fetch(`${stack.url}${path}`, {
          method,
          headers: method === 'POST' ? { 'content-type': 'application/json' } : {},
          body: method === 'POST' ? '{}' : undefined,
        });
        assert.equal(res.status, 404);
        assert.match(res.headers.get('content-type') ?? '', /application\/json/);
        const body = await res.json();
        assertErrorShape(family, 404, body);
        if (family === 'anthropic') assert.equal((body as any).error.type, 'not_found_error');
        if (family === 'gemini') assert.equal((body as any).error.status, 'NOT_FOUND');
      });
    }

    it("a wrong method on a known route is refused in the route's protocol, not with an HTML page", async () => {
      const res = await fetch(`${stack.url}/v1/messages`);
      assert.equal(res.status, 400);
      assert.match(assertErrorShape('anthropic', 400, await res.json()), /Method GET is not allowed on \/v1\/messages/);
    });
  });

  describe('malformed JSON answers 400 in the shape of its protocol', () => {
    for (const family of FAMILIES) {
      it(family, async () => {
        const res = await post(`${stack.url}${GENERATION_PATHS[family]}`, '{"model": "x", "messages": [', { 'anthropic-version': '2023-06-01' });
        assert.equal(res.status, 400);
        const body = await res.json();
        const message = assertErrorShape(family, 400, body);
        assert.match(message, /not valid JSON/);
        if (family === 'anthropic') assert.equal((body as any).error.type, 'invalid_request_error');
        if (family === 'openai') assert.equal((body as any).error.type, 'invalid_request_error');
        if (family === 'gemini') assert.equal((body as any).error.status, 'INVALID_ARGUMENT');
      });
    }

    it('an empty body is refused, not parsed as an empty request', async () => {
      const res = await post(`${stack.url}/v1/messages`, '');
      assert.equal(res.status, 400);
      assert.match(assertErrorShape('anthropic', 400, await res.json()), /empty/);
    });
  });

  describe('body-size limit (server.bodyLimitBytes)', () => {
    const oversized = JSON.stringify({ model: 'gemini-3-flash', messages: [{ role: 'user', content: 'x'.repeat(BODY_LIMIT) }] });

    // Google answers an oversized payload with 400 INVALID_ARGUMENT; Anthropic and OpenAI with 413.
    const statusOf: Record<Family, number> = { anthropic: 413, openai: 413, gemini: 400 };
    for (const family of FAMILIES) {
      it(`${family}: a declared length over the limit → ${statusOf[family]} in the protocol's shape`, async () => {
        const res = await post(`${stack.url}${GENERATION_PATHS[family]}`, oversized);
        assert.equal(res.status, statusOf[family]);
        assert.match(assertErrorShape(family, statusOf[family], await res.json()), new RegExp(`limit of ${BODY_LIMIT} bytes`));
        assert.equal(generations(stack).length, 0, 'nothing reached the upstream');
      });
    }

    it('a chunked body that grows over the limit → 413 too', async () => {
      const chunks = [oversized.slice(0, 1000), oversized.slice(1000)];
      const res = await fetch(`${stack.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: new ReadableStream({
          pull(controller) {
            const next = chunks.shift();
            if (next === undefined) controller.close();
            else controller.enqueue(new TextEncoder().encode(next));
          },
        }),
        duplex: 'half',
      } as RequestInit);
      assert.equal(res.status, 413);
      assertErrorShape('anthropic', 413, await res.json());
    });

    it('a body under the limit goes through, and the server stays healthy after refusals', async () => {
      const res = await post(
        `${stack.url}/v1/messages`,
        JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 64, messages: [{ role: 'user', content: 'small' }] }),
        { 'anthropic-version': '2023-06-01' },
      );
      assert.equal(res.status, 200);
      assert.equal((await fetch(`${stack.url}/healthz`)).status, 200);
    });
  });

  describe('request id', () => {
    it('every answer carries a distinct x-request-id, also on errors, and the access log names it', async () => {
      const ok = await fetch(`${stack.url}/healthz`);
      const notFound = await fetch(`${stack.url}/v1/nope`);
      const bad = await post(`${stack.url}/v1/messages`, '{');
      const ids = [ok, notFound, bad].map((res) => res.headers.get('x-request-id'));
      for (const id of ids) assert.match(id ?? '', /\S{8,}/);
      assert.equal(new Set(ids).size, 3);
      const line = stack.logs.find((entry) => entry.includes(ids[2]!));
      assert.ok(line, 'the access log names the request id');
      assert.match(line!, /\/v1\/messages/);
    });

    it("a request Node itself rejects (malformed HTTP) still answers JSON in the path's protocol", async () => {
      const res = await rawRequest(stack.url, {
        method: 'POST',
        path: '/v1/messages',
        headers: { 'content-type': 'application/json', 'content-length': 'abc' },
        body: '{}',
      }).catch((err: Error) => err);
      if (res instanceof Error) return assert.fail(`the gateway dropped the connection: ${res.message}`);
      assert.equal(res.status, 400);
      assertErrorShape('anthropic', 400, JSON.parse(res.text));
    });
  });
});

describe('foundation: no usable account', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ accounts: [] });
  });
  after(() => stack.close());

  it('starts anyway; /healthz says degraded with an empty pool', async () => {
    const res = await fetch(`${stack.url}/healthz`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { status: string; accounts: unknown };
    assert.equal(body.status, 'degraded');
    assert.deepEqual(body.accounts, { total: 0, usable: 0 });
  });

  const bodies: Record<Family, unknown> = {
    anthropic: { model: 'claude-sonnet-4-6', max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] },
    openai: { model: 'gemini-3-flash', messages: [{ role: 'user', content: 'hi' }] },
    gemini: { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] },
  };
  for (const family of FAMILIES) {
    it(`${family}: generation answers 503 saying how to add an account`, async () => {
      const res = await post(`${stack.url}${GENERATION_PATHS[family]}`, JSON.stringify(bodies[family]), { 'anthropic-version': '2023-06-01' });
      assert.equal(res.status, 503);
      const message = assertErrorShape(family, 503, await res.json());
      assert.match(message, /accounts add/);
      assert.equal(generations(stack).length, 0, 'nothing reached the upstream');
    });
  }
});
