import assert from 'node:assert/strict';
import { DEMO_ACCOUNT, seedDemoAccount, startSimulator, type LogEntry, type Simulator } from '../../../src/simulator';
import type { Json } from './harness';

/** Another process (e.g. a harness around `agate simulate`) drives the simulator over /__sim. */
describe('simulator: HTTP control API', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator();
  });
  after(() => sim.close());

  const control = (method: string, path: string, body?: unknown) =>
    fetch(`${sim.url}/__sim/${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });

  async function generate(token: string, project: string, label: string): Promise<Response> {
    return fetch(`${sim.url}/${label}/v1internal:generateContent`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify({
        project,
        model: 'gemini-3-flash',
        requestType: 'agent',
        requestId: 'agent-1',
        userAgent: 'antigravity',
        request: { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] },
      }),
    });
  }

  it('adds an account, issues a token, injects a fault, configures, reads the log and resets', async () => {
    const added = await control('POST', 'accounts', { email: 'cy@example.com', refreshToken: '1//cy', tier: 'g1-ultra-tier' });
    assert.equal(added.status, 201);
    const account = (await added.json()) as Json;
    assert.equal(account.tier, 'g1-ultra-tier');
    const listed = (await (await control('GET', 'accounts')).json()) as Json[];
    assert.ok(listed.some((a) => a.email === 'cy@example.com') && listed.every((a) => !('refreshToken' in a)), 'no tokens listed');

    const { access_token } = (await (await control('POST', `accounts/${encodeURIComponent('cy@example.com')}/token`)).json()) as Json;
    const injected = await control('POST', 'faults', { kind: 'capacity', host: 'daily' });
    assert.equal(injected.status, 201);
    assert.equal(typeof ((await injected.json()) as Json).id, 'number');
    assert.equal(((await (await control('GET', 'faults')).json()) as Json[]).length, 1);
    assert.equal((await generate(access_token, account.projectId, 'daily')).status, 503);

    const configured = (await (await control('POST', 'config', { frameIntervalMs: 5 })).json()) as Json;
    assert.equal(configured.frameIntervalMs, 5);
    assert.equal(sim.config.frameIntervalMs, 5);

    const log = (await (await control('GET', 'log')).json()) as LogEntry[];
    assert.deepEqual(
      log.map((e) => [e.label, e.method, e.status, e.fault]),
      [['daily', 'generateContent', 503, 'capacity']],
    );
    assert.equal((await control('POST', 'reset')).status, 204);
    assert.deepEqual(await (await control('GET', 'log')).json(), []);

    assert.equal((await control('POST', `accounts/${encodeURIComponent('cy@example.com')}/revoke`)).status, 204);
    assert.equal((await generate(access_token, account.projectId, 'prod')).status, 401);
    assert.equal((await control('POST', `accounts/${encodeURIComponent('cy@example.com')}/token`)).status, 409);
  });

  it('refuses bad specs with 400 and unknown routes with 404', async () => {
    assert.equal((await control('POST', 'faults', { kind: 'meteor' })).status, 400);
    assert.equal((await control('POST', 'faults', { kind: 'hang', colour: 'red' })).status, 400);
    assert.equal((await control('POST', 'accounts', { email: 'no-at-sign', refreshToken: 'x' })).status, 400);
    assert.equal((await control('POST', 'config', { framesPerAnswer: 0 })).status, 400);
    assert.equal((await control('POST', 'config', '{not json')).status, 400);
    assert.equal((await control('POST', 'accounts/nobody%40example.com/revoke')).status, 404);
    assert.equal((await control('GET', 'teapot')).status, 404);
  });

  it('the same specs are checked in process', () => {
    assert.throws(() => sim.injectFault({ kind: 'meteor' as never }), /fault kind must be one of/);
    assert.throws(() => sim.configure({ frameIntervalMs: -1 }), /frameIntervalMs/);
  });

  it('seeds the demo account with its known refresh token', async () => {
    const demo = seedDemoAccount(sim);
    assert.equal(demo.email, 'demo@agate.local');
    const res = await fetch(`${sim.url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: DEMO_ACCOUNT.refreshToken, client_id: 'c', client_secret: 's' }),
    });
    const { access_token } = (await res.json()) as Json;
    assert.equal((await generate(access_token, demo.projectId, 'prod')).status, 200);
  });
});
