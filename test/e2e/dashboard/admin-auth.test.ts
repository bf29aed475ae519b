// With auth on, the admin API, its event stream and the dashboard page open only to the primary key.
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../../helpers/stack';
import { admin, openEvents } from './admin-client';
import { dashboardBundle } from './bundle';

describe('dashboard: admin key when auth is strict', () => {
  let stack: Stack;
  let primary: string;
  let clientKey: string;
  before(async () => {
    stack = await startStack({ flags: { authMode: 'strict' }, host: { dashboardDir: await dashboardBundle() } });
    primary = await stack.agate.security.primaryKey();
    ({ key: clientKey } = await stack.agate.security.keys.create({ name: 'team' }));
  });
  after(() => stack.close());

  const paths = ['/admin/api/gateway', '/admin/api/accounts', '/admin/api/requests', '/admin/api/stats', '/admin/api/stats.csv'];

  for (const path of paths) {
    it(`${path}: 401 without a key, 403 with a client key, 200 with the primary key`, async () => {
      assert.equal((await admin(stack.url, path)).status, 401);
      const refused = await admin<{ error: { message: string } }>(stack.url, path, { key: clientKey });
      assert.equal(refused.status, 403);
      assert.match(refused.body.error.message, /primary Agate key/);
      assert.equal((await admin(stack.url, path, { key: primary })).status, 200);
    });
  }

  it('/dashboard: a sign-in form without a key (401) and for a client key (403), the page with the primary key', async () => {
    const anonymous = await admin<string>(stack.url, '/dashboard');
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get('content-type') ?? '', /text\/html/);
    assert.match(anonymous.body, /<form method="get" action="\/dashboard"/);
    const refused = await admin<string>(stack.url, '/dashboard', { key: clientKey });
    assert.equal(refused.status, 403);
    assert.match(refused.body, /primary Agate key/);
    const page = await admin<string>(stack.url, '/dashboard', { key: primary });
    assert.equal(page.status, 200);
    assert.match(page.body, /id="app"/);
  });

  it('refuses account actions to a client key before they run', async () => {
    const [account] = stack.agate.pool.list();
    assert.equal((await admin(stack.url, `/admin/api/accounts/${account.id}/disable`, { method: 'POST', key: clientKey })).status, 403);
    assert.equal(stack.agate.pool.get(account.id)?.state, 'active');
  });

  it('opens the event stream to the primary key only', async () => {
    const anonymous = await openEvents(stack.url);
    assert.equal(anonymous.status, 401);
    const client = await openEvents(stack.url, clientKey);
    assert.equal(client.status, 403);
    const events = await openEvents(stack.url, primary);
    try {
      assert.equal(events.status, 200);
      const response = await fetch(`${stack.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gemini-3-flash', messages: [{ role: 'user', content: 'seen by the admin' }] }),
      });
      assert.equal(response.status, 200);
      const id = response.headers.get('x-request-id');
      const finished = await events.next((event) => event.type === 'request-finished' && event.record.id === id);
      assert.equal(finished.type === 'request-finished' && finished.record.clientKey, 'team');
    } finally {
      events.close();
    }
  });

  it('accepts the key once in ?key= for the page, and never logs it', async () => {
    const response = await fetch(`${stack.url}/dashboard?key=${encodeURIComponent(primary)}`, { redirect: 'manual' });
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/dashboard');
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
    assert.ok(stack.logs.length > 0);
    assert.ok(stack.logs.every((line) => !line.includes(primary)));
  });
});
