/**
 * The dashboard's sign-in cookie, over raw HTTP: `/dashboard?key=…` sets it and redirects to the clean URL,
 * a reload keeps working, "Sign out" ends it, and the cookie is worth something only on admin routes.
 */
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../../helpers/stack';
import { dashboardBundle } from '../dashboard/bundle';
import { assertProtocolError } from './protocol-calls';
import { rawRequest, type RawResponse } from './raw-http';

describe('security: dashboard sign-in cookie', () => {
  let stack: Stack;
  let primary: string;
  let clientKey: string;
  let host: string;
  before(async () => {
    stack = await startStack({ flags: { authMode: 'strict' }, host: { dashboardDir: await dashboardBundle() } });
    primary = await stack.agate.security.primaryKey();
    ({ key: clientKey } = await stack.agate.security.keys.create({ name: 'browser-guest' }));
    host = new URL(stack.url).host;
  });
  after(() => stack.close());

  const request = (method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<RawResponse> =>
    rawRequest(stack.url, { method, path, headers: { host, ...headers }, body });

  const setCookies = (res: RawResponse): string[] => res.headers['set-cookie'] ?? [];
  /** The `name=value` a browser would send back, from the Set-Cookie headers. */
  const cookieOf = (res: RawResponse): string => {
    const [first] = setCookies(res);
    assert.ok(first, 'a Set-Cookie header');
    return first.split(';')[0];
  };
  const signIn = async (): Promise<string> => cookieOf(await request('GET', `/dashboard?key=${encodeURIComponent(primary)}`));

  it('/dashboard?key=<primary> sets an HttpOnly, SameSite=Strict cookie for the dashboard and the admin API, then redirects to the clean URL', async () => {
    const res = await request('GET', `/dashboard?key=${encodeURIComponent(primary)}`);
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/dashboard');
    assert.equal(res.headers['cache-control'], 'no-store');
    const cookies = setCookies(res);
    assert.equal(cookies.length, 2, cookies.join('\n'));
    const paths = cookies.map((cookie) => /;\s*path=([^;]+)/i.exec(cookie)?.[1]).sort();
    assert.deepEqual(paths, ['/admin', '/dashboard']);
    for (const cookie of cookies) {
      assert.match(cookie, /;\s*httponly/i);
      assert.match(cookie, /;\s*samesite=strict/i);
      assert.match(cookie, /^agate_session_\d+=/);
      assert.ok(!cookie.includes(primary), 'the cookie is not the key');
    }
  });

  it('a reload with the cookie serves the dashboard (with a Sign out form), and the admin API answers', async () => {
    const cookie = await signIn();
    for (let reload = 0; reload < 2; reload++) {
      const page = await request('GET', '/dashboard', { cookie });
      assert.equal(page.status, 200);
      assert.match(page.text, /id="app"/);
      assert.match(page.text, /<form class="agate-sign-out" method="post" action="\/dashboard\/sign-out">/);
      assert.match(String(page.headers['content-security-policy']), /form-action 'self'/);
    }
    const accounts = await request('GET', '/admin/api/accounts', { cookie });
    assert.equal(accounts.status, 200);
    assert.ok(Array.isArray(JSON.parse(accounts.text)));
  });

  it('the cookie is no key for client routes, and no key for a client key on admin routes', async () => {
    const cookie = await signIn();
    const chat = await request(
      'POST',
      '/v1/chat/completions',
      { cookie, 'content-type': 'application/json' },
      JSON.stringify({ model: 'gemini-3-flash', messages: [{ role: 'user', content: 'hi' }] }),
    );
    assert.equal(chat.status, 401);
    assertProtocolError('openai', 401, JSON.parse(chat.text));
    assert.equal((await request('GET', '/v1/models', { cookie })).status, 401);
    assert.equal((await request('GET', '/healthz', { cookie })).status, 401);
    // A key sent with the request speaks for itself: a client key is refused even beside a valid cookie.
    const mixed = await request('POST', '/admin/api/primary-key', { cookie, authorization: `Bearer ${clientKey}` });
    assert.equal(mixed.status, 403);
  });

  it('keeps the browser guards: a foreign origin or host is refused even with the cookie', async () => {
    const cookie = await signIn();
    const foreignOrigin = await request(
      'POST',
      '/admin/api/settings',
      { cookie, origin: 'https://evil.example', 'content-type': 'application/json' },
      '{"changes":{"authMode":"off"}}',
    );
    assert.equal(foreignOrigin.status, 403);
    assert.match(foreignOrigin.text, /origin/);
    const rebound = await rawRequest(stack.url, { path: '/admin/api/accounts', headers: { host: 'evil.example', cookie } });
    assert.equal(rebound.status, 403);
    const ownOrigin = await request('GET', '/admin/api/gateway', { cookie, origin: `http://${host}` });
    assert.equal(ownOrigin.status, 200);
  });

  it('without a sign-in, /dashboard shows a key prompt page, not JSON; a client key or a wrong key says why', async () => {
    const prompt = await request('GET', '/dashboard');
    assert.equal(prompt.status, 401);
    assert.match(String(prompt.headers['content-type']), /^text\/html/);
    assert.match(prompt.text, /<input id="key" name="key" type="password"/);
    assert.equal(prompt.headers['x-frame-options'], 'DENY');
    assert.deepEqual(setCookies(prompt), []);
    const client = await request('GET', `/dashboard?key=${encodeURIComponent(clientKey)}`);
    assert.equal(client.status, 403);
    assert.match(client.text, /client key/);
    assert.deepEqual(setCookies(client), [], 'a client key signs nobody in');
    const wrong = await request('GET', '/dashboard?key=sk-agate-wrong');
    assert.equal(wrong.status, 401);
    assert.match(wrong.text, /not valid/);
    assert.ok(!wrong.text.includes('sk-agate-wrong'), 'the page does not echo the key');
    const forged = await request('GET', '/dashboard', { cookie: `agate_session_${new URL(stack.url).port}=forged` });
    assert.equal(forged.status, 401);
    assert.equal((await request('GET', '/admin/api/accounts', { cookie: `agate_session_${new URL(stack.url).port}=forged` })).status, 401);
  });

  it('"Sign out" ends the session and clears the cookie; the old cookie opens nothing', async () => {
    const cookie = await signIn();
    const out = await request('POST', '/dashboard/sign-out', { cookie, origin: `http://${host}` });
    assert.equal(out.status, 303);
    assert.equal(out.headers.location, '/dashboard');
    const cleared = setCookies(out);
    assert.equal(cleared.length, 2);
    for (const header of cleared) assert.match(header, /expires=Thu, 01 Jan 1970|max-age=0/i);
    assert.equal((await request('GET', '/dashboard', { cookie })).status, 401);
    assert.equal((await request('GET', '/admin/api/accounts', { cookie })).status, 401);
    // Signing out again (an expired tab) ends the same way.
    assert.equal((await request('POST', '/dashboard/sign-out', { cookie })).status, 303);
  });

  it('a new primary key ends every sign-in', async () => {
    const cookie = await signIn();
    assert.equal((await request('GET', '/admin/api/gateway', { cookie })).status, 200);
    primary = await stack.agate.security.rotatePrimaryKey();
    assert.equal((await request('GET', '/admin/api/gateway', { cookie })).status, 401);
  });
});
