/**
 * Authorization follows the route that matched, and one route has one spelling.
 *
 * For every admin route and `/dashboard`, spellings a lax router or a string test on the raw path would
 * confuse — changed case, percent-encoded letters and slashes, dot segments, double slashes, a trailing
 * slash, `;` parameters — sent over raw HTTP (so no client normalises them): with a client key, with no
 * key, and with the primary key. None of them may reach an admin handler except the canonical spelling
 * with the primary key.
 */
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../../helpers/stack';
import { assertProtocolError } from './protocol-calls';
import { rawRequest, type RawResponse } from './raw-http';
import type { RouteEntry } from '../../../src/core/server/routes';

/** A concrete path for a route pattern: `:id` → a made-up id. */
const concrete = (pattern: string): string => pattern.replace(/:[A-Za-z]+/g, 'acc-1');

const percent = (ch: string): string => `%${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;

/** Every aliasing trick, applied to the literal segments of a route pattern; parameters become a made-up id. */
export function spellings(pattern: string): string[] {
  const path = concrete(pattern);
  const segments = path.split('/').slice(1);
  const lastIsParameter = pattern.split('/').pop()!.startsWith(':');
  const [first, ...rest] = segments;
  const tail = rest.length ? `/${rest.join('/')}` : '';
  const last = segments[segments.length - 1];
  const init = segments
    .slice(0, -1)
    .map((s) => `/${s}`)
    .join('');
  const letterAt = (text: string) => text.search(/[a-z]/);
  const encodeLetter = (text: string, upperHex = false) => {
    const at = letterAt(text);
    const code = percent(text[at]);
    return text.slice(0, at) + (upperHex ? code.toUpperCase() : code) + text.slice(at + 1);
  };
  const out = [
    // Case
    path.toUpperCase(),
    `/${first[0].toUpperCase()}${first.slice(1)}${tail}`,
    ...(lastIsParameter ? [] : [`${init}/${last.toUpperCase()}`, `${init}/${encodeLetter(last)}`]),
    `/${first.replace(/[a-z]/g, (c, i: number) => (i % 2 ? c.toUpperCase() : c))}${tail}`,
    // Percent-encoded letters (lower- and upper-case hex), in the first and the last segment
    `/${encodeLetter(first)}${tail}`,
    `/${encodeLetter(first, true)}${tail}`,
    `/${[...first].map(percent).join('')}${tail}`,
    // Encoded slashes
    `%2F${first}${tail}`,
    `/${segments.join('%2F')}`,
    `/${segments.join('%2f')}`,
    // Dot segments, plain and encoded
    `/x/../${first}${tail}`,
    `/./${first}${tail}`,
    `/${first}/./${rest.join('/')}`,
    `/${first}/x/..${tail}`,
    `/%2e%2e/${first}${tail}`,
    `/x/%2E%2E/${first}${tail}`,
    `/x/..%2F${first}${tail}`,
    // Double slashes
    `/${path}`,
    `/${first}/${tail}`,
    `${path}//`,
    // Trailing slash
    `${path}/`,
    // Matrix parameters
    `/${first};${tail}`,
    `/${first};x=1${tail}`,
    `${path};`,
    `${path};jsessionid=1`,
    // Mixed
    `/x/../${first.toUpperCase()}${tail}/`,
  ];
  return [...new Set(out)].filter((spelling) => spelling !== path);
}

describe('security: authorization by the matched route, strict routing', () => {
  let stack: Stack;
  let primary: string;
  let clientKey: string;
  let adminRoutes: RouteEntry[];

  before(async () => {
    stack = await startStack({ flags: { authMode: 'strict' } });
    primary = await stack.agate.security.primaryKey();
    ({ key: clientKey } = await stack.agate.security.keys.create({ name: 'bob' }));
    adminRoutes = stack.agate.routes.filter((route) => route.permission === 'admin');
  });
  after(() => stack.close());

  const send = (method: string, path: string, key?: string): Promise<RawResponse> =>
    rawRequest(stack.url, {
      method,
      path,
      headers: {
        host: new URL(stack.url).host,
        'content-type': 'application/json',
        ...(key ? { authorization: `Bearer ${key}` } : {}),
      },
      body: method === 'POST' ? '{}' : undefined,
    });

  /** An error in the OpenAI shape (what non-protocol paths answer in), never admin data. */
  const assertRefused = (res: RawResponse, allowed: number[], what: string) => {
    assert.ok(allowed.includes(res.status), `${what}: expected ${allowed.join('/')}, got ${res.status} ${res.text.slice(0, 200)}`);
    assertProtocolError('openai', res.status, JSON.parse(res.text));
    assert.ok(!res.text.includes(primary), `${what}: the answer contains the primary key`);
  };

  it('registers the admin API and the dashboard as admin routes', () => {
    const paths = adminRoutes.map((route) => route.path);
    assert.ok(paths.includes('/dashboard'));
    assert.ok(paths.includes('/admin/api/primary-key'));
    assert.ok(paths.includes('/admin/api/settings'));
    assert.ok(paths.includes('/admin/api/events'));
    for (const route of stack.agate.routes) {
      if (route.path.startsWith('/admin') || route.path.startsWith('/dashboard')) assert.equal(route.permission, 'admin', route.path);
    }
  });

  it('the canonical spelling: primary key passes, a client key gets 403, no key 401', async () => {
    const res = await send('POST', '/admin/api/primary-key', primary);
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.text).key, primary);
    assertRefused(await send('POST', '/admin/api/primary-key', clientKey), [403], 'client key');
    assertRefused(await send('POST', '/admin/api/primary-key'), [401], 'no key');
    // The dashboard page answers a refusal with its sign-in form (HTML), never the page itself.
    const page = await send('GET', '/dashboard', clientKey);
    assert.equal(page.status, 403);
    assert.match(page.text, /<form method="get" action="\/dashboard"/);
    assert.doesNotMatch(page.text, /id="app"/);
  });

  it('no spelling of any admin route or /dashboard answers a client key or no key; none aliases for the primary key', async function () {
    this.timeout(120_000);
    let checked = 0;
    for (const route of adminRoutes) {
      const method = route.method === 'HEAD' ? 'GET' : route.method;
      // The event stream answers 200 and stays open: its spellings are checked like the rest, since none may match.
      for (const spelling of spellings(route.path)) {
        const what = `${method} ${spelling}`;
        const [withClient, withoutKey, withPrimary] = await Promise.all([
          send(method, spelling, clientKey),
          send(method, spelling),
          send(method, spelling, primary),
        ]);
        if (!spelling.startsWith('/')) {
          // Not an origin-form request target: refused before routing.
          for (const res of [withClient, withoutKey, withPrimary]) assertRefused(res, [400], what);
          continue;
        }
        // 403 when the spelling reached the admin route's own check, 404 when it matched nothing.
        assertRefused(withClient, [403, 404], `client key, ${what}`);
        assertRefused(withoutKey, [401], `no key, ${what}`);
        // Strict routing: no other spelling reaches a handler. (A changed literal may land on a parameter
        // of a route of another method — `accounts/ORDER` on `DELETE accounts/:id` — which is a 405.)
        assertRefused(withPrimary, [404, 400], `primary key, ${what} (strict routing: one spelling per route)`);
        if (withPrimary.status === 400) assert.match(withPrimary.text, /Method \w+ is not allowed/, what);
        checked++;
      }
    }
    assert.ok(checked > adminRoutes.length * 20, `only ${checked} spellings checked`);
  });

  it('unknown paths answer 401 before 404 when auth is on, so they reveal nothing', async () => {
    assertRefused(await send('GET', '/nothing-here'), [401], 'no key');
    assertRefused(await send('GET', '/nothing-here', clientKey), [404], 'client key');
    // A known admin path with another method: the admin check first, then "method not allowed" (400).
    assertRefused(await send('GET', '/admin/api/primary-key', clientKey), [403], 'client key, wrong method');
    assertRefused(await send('GET', '/admin/api/primary-key'), [401], 'no key, wrong method');
    const wrongMethod = await send('GET', '/admin/api/primary-key', primary);
    assertRefused(wrongMethod, [400], 'primary key, wrong method');
    assert.match(wrongMethod.text, /Method GET is not allowed/);
  });

  it('protocol routes are strict too: /V1/messages and /v1/messages/ are unknown', async () => {
    for (const path of ['/V1/messages', '/v1/messages/', '//v1/messages', '/v1/messages//', '/v1/Messages', '/v1/%6Dessages']) {
      const res = await send('POST', path, clientKey);
      assert.equal(res.status, 404, `${path}: ${res.status}`);
    }
  });

  it('keeps percent-encoding inside a Gemini model id working (the model id is a parameter)', async () => {
    const res = await rawRequest(stack.url, {
      method: 'POST',
      path: '/v1beta/models/gemini%2D3-flash:generateContent',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': clientKey },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    });
    assert.equal(res.status, 200, res.text);
  });
});

describe('security: public routes', () => {
  for (const mode of ['off', 'all_except_health', 'strict'] as const) {
    describe(`authMode ${mode}`, () => {
      let stack: Stack;
      before(async () => {
        stack = await startStack({ flags: { authMode: mode } });
      });
      after(() => stack.close());

      it(`HEAD / and HEAD /api/hello (Claude Code's probes) ${mode === 'strict' ? 'need a key' : 'answer 200 without a key, with no body'}`, async () => {
        for (const path of ['/', '/api/hello']) {
          const res = await rawRequest(stack.url, { method: 'HEAD', path });
          assert.equal(res.status, mode === 'strict' ? 401 : 200, path);
          assert.equal(res.text, '');
        }
        const primary = await stack.agate.security.primaryKey();
        const res = await rawRequest(stack.url, { method: 'HEAD', path: '/api/hello', headers: { authorization: `Bearer ${primary}` } });
        assert.equal(res.status, 200);
      });

      it(`/healthz ${mode === 'strict' ? 'needs a key' : 'is open'}; its other spellings are not`, async () => {
        assert.equal((await rawRequest(stack.url, { path: '/healthz' })).status, mode === 'strict' ? 401 : 200);
        for (const path of ['/HEALTHZ', '/healthz/', '/healthz;x']) {
          assert.equal((await rawRequest(stack.url, { path })).status, mode === 'off' ? 404 : 401, path);
        }
      });

      it(`GET / follows the client permission; /api/hello is a HEAD probe only`, async () => {
        assert.equal((await rawRequest(stack.url, { path: '/' })).status, mode === 'off' ? 200 : 401);
        assert.equal((await rawRequest(stack.url, { path: '/api/hello' })).status, mode === 'off' ? 400 : 401);
      });
    });
  }
});
