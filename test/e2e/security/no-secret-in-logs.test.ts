/**
 * No secret in any log line, monitor row, stats file or /healthz: refresh
 * tokens, access tokens, the primary key and client keys.
 *
 * Every stack of the run appends its log lines to LOG_CAPTURE_FILE, so when
 * this file runs after the other e2e tests it checks all of them; it also
 * starts its own stack and uses every secret it knows in every place a
 * client can put one, so it proves something when run alone too.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_ACCOUNT, LOG_CAPTURE_FILE, startStack, type Stack } from '../../helpers/stack';
import { DEMO_ACCOUNT } from '../../../src/simulator';
import type { RouteTable } from '../../../src/core/server/routes';
import { KEY_LOCATIONS, PROTOCOL_CALLS, send } from './protocol-calls';

/** Shapes of secrets: an unredacted match anywhere is a leak whoever wrote it. */
const SECRET_SHAPES: RegExp[] = [
  /ya29\.[A-Za-z0-9_\-.]{8,}/, // Google (and simulator) access tokens
  /1\/\/[A-Za-z0-9_-]{8,}/, // Google refresh tokens
  /sk-agate-[0-9a-f]{8,}/, // Agate keys
];

/** Every refresh token literal the test suite hands to a simulator or a gateway. */
function refreshTokensInTestSources(): string[] {
  const found = new Set<string>([DEFAULT_ACCOUNT.refreshToken, DEMO_ACCOUNT.refreshToken]);
  const visit = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(file);
      else if (file.endsWith('.ts')) {
        for (const match of fs.readFileSync(file, 'utf8').matchAll(/refreshToken:\s*'([^']{8,})'/g)) found.add(match[1]);
      }
    }
  };
  visit(path.resolve('test'));
  return [...found];
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(file) : [file];
  });
}

function leaksIn(where: string, text: string, secrets: string[]): string[] {
  const leaks = secrets.filter((secret) => text.includes(secret)).map((secret) => `${where}: ${secret.slice(0, 12)}…`);
  for (const shape of SECRET_SHAPES) {
    const match = shape.exec(text);
    if (match) leaks.push(`${where}: matches ${shape} (${match[0].slice(0, 12)}…)`);
  }
  return leaks;
}

describe('security: no secret in logs, monitor rows, stats or /healthz', () => {
  let stack: Stack;
  const secrets: string[] = [];
  const accounts = [1, 2].map((n) => ({
    email: `secret-holder-${n}@example.com`,
    refreshToken: `1//leak-check-${randomBytes(18).toString('base64url')}`,
  }));

  before(async function () {
    this.timeout(30_000);
    stack = await startStack({
      accounts,
      flags: { authMode: 'strict' },
      host: { extraRoutes: (routes: RouteTable) => routes.get('/admin/echo', 'admin', (ctx) => void (ctx.body = { ok: true })) },
    });
    const primary = await stack.agate.security.primaryKey();
    const { key: clientKey } = await stack.agate.security.keys.create({ name: 'leak-check', allowedModels: ['gemini-*'] });
    const { id: rotatedId } = await stack.agate.security.keys.create({ name: 'leak-check-rotated' });
    const { key: rotated } = await stack.agate.security.keys.rotate(rotatedId);
    secrets.push(primary, clientKey, rotated, ...accounts.map((account) => account.refreshToken));
    for (const email of accounts.map((account) => account.email)) secrets.push(stack.sim.issueAccessToken(email));

    // Every key in every location, on every protocol, succeeding and failing.
    for (const call of PROTOCOL_CALLS) {
      for (const location of KEY_LOCATIONS) {
        for (const key of [primary, clientKey, rotated, `${clientKey}x`, 'sk-agate-0123456789abcdef_deadbeef']) await send(stack.url, call, key, location);
      }
    }
    await fetch(`${stack.url}/v1beta/models?key=${clientKey}`);
    await fetch(`${stack.url}/admin/echo?key=${clientKey}`);
    await fetch(`${stack.url}/admin/echo`, { headers: { authorization: `Bearer ${primary}` } });
    // Upstream trouble makes the gateway refresh, retry and log: tokens must stay out of all of it.
    stack.sim.injectFault({ kind: 'unauthorized', times: 2 });
    await send(stack.url, PROTOCOL_CALLS[1], primary);
    stack.sim.revoke(accounts[0].email);
    stack.sim.injectFault({ kind: 'unauthorized', account: accounts[0].email });
    await send(stack.url, PROTOCOL_CALLS[2], primary);
    await send(stack.url, PROTOCOL_CALLS[0], primary);
    await stack.agate.observability?.monitor.flush();
    await stack.agate.observability?.stats.flush();
  });
  after(() => stack.close());

  it('the log lines of this stack hold none of the secrets it used', () => {
    assert.ok(stack.logs.length > 20, 'the scenario produced log lines');
    assert.deepEqual(leaksIn('stack log', stack.logs.join('\n'), secrets), []);
  });

  it('the log lines of every stack in this run hold no secret', () => {
    const text = fs.readFileSync(LOG_CAPTURE_FILE, 'utf8');
    assert.deepEqual(leaksIn(LOG_CAPTURE_FILE, text, [...secrets, ...refreshTokensInTestSources()]), []);
  });

  it('monitor rows, request-log and stats files hold no secret', () => {
    const rows = JSON.stringify(stack.agate.observability!.monitor.list());
    assert.ok(rows.includes('leak-check'), 'rows name the client key');
    const leaks = leaksIn('monitor rows', rows, secrets);
    for (const file of filesUnder(stack.dataDir)) {
      if (/monitor|stats/.test(file)) leaks.push(...leaksIn(file, fs.readFileSync(file, 'utf8'), secrets));
    }
    assert.deepEqual(leaks, []);
  });

  it('/healthz holds no secret', async () => {
    const primary = await stack.agate.security.primaryKey();
    const text = await (await fetch(`${stack.url}/healthz?key=${primary}`)).text();
    assert.match(text, /"status"/);
    assert.deepEqual(leaksIn('/healthz', text, secrets), []);
  });

  it('an error answer does not echo the key it refused', async () => {
    const wrong = `sk-agate-${'a'.repeat(16)}_${'b'.repeat(48)}`;
    for (const call of PROTOCOL_CALLS) {
      const text = await (await send(stack.url, call, wrong, 'query')).text();
      assert.ok(!text.includes(wrong), text);
    }
  });
});
