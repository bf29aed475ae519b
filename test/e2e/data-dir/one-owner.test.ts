/**
 * One gateway, one writer: the gateway serving a data dir owns it, a second
 * one refuses, and the agate commands run beside it change things through its
 * admin API — live, and nothing the owner writes later undoes them. These are
 * the reproductions of what went wrong when every process kept a copy of the
 * data dir and wrote it back whole.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seedDemoAccount, startSimulator, type Simulator } from '../../../src/simulator';
import { CliServer, ensureCliBuilt } from '../foundation/cli-process';
import { adminRest, agate, chat, keyNames, startOwner, type AdminAccountLike, type Owner } from './owner';

describe('data dir: one owner, every change through it', function () {
  this.timeout(180_000);
  let simulator: Simulator;
  let tmp: string;
  const owners: Owner[] = [];
  const own = async (dataDir: string, extra: string[] = []) => {
    const owner = await startOwner(simulator.url, dataDir, extra);
    owners.push(owner);
    return owner;
  };
  const stop = async (owner: Owner) => assert.equal(await owner.server.stop(), 0, owner.server.stderr);
  let dirs = 0;
  const newDataDir = () => path.join(tmp, `data-${++dirs}`);

  before(async function () {
    this.timeout(120_000);
    ensureCliBuilt();
    simulator = await startSimulator({ config: { quotaCostPerRequest: 0 } });
    seedDemoAccount(simulator);
    simulator.addAccount({ email: 'second@agate.local', refreshToken: '1//second-refresh-token', tier: 'g1-pro-tier' });
    simulator.addAccount({ email: 'third@agate.local', refreshToken: '1//third-refresh-token', tier: 'g1-pro-tier' });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-owner-'));
  });
  afterEach(() => {
    for (const owner of owners.splice(0)) owner.server.kill();
  });
  after(async () => {
    await simulator?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('a second gateway on the same data dir refuses, naming the PID and port of the owner; counters hold every request', async () => {
    const dataDir = newDataDir();
    const first = await own(dataDir);
    const second = CliServer.start(['serve', '--data-dir', dataDir, '--port', '0']);
    const code = await new Promise<number | null>((resolve) => second.child.on('close', resolve));
    assert.equal(code, 1, second.stdout);
    assert.match(second.stderr, new RegExp(`PID ${first.server.child.pid}\\b`));
    assert.match(second.stderr, new RegExp(`port ${first.port}\\b`));
    assert.doesNotMatch(second.stdout, /listening/);

    // 150 requests with a client key: its usage and the token stats count all of them, across a restart.
    const { key } = await adminRest<{ key: string }>(first.url, 'POST', 'keys', { name: 'counted' });
    for (let i = 0; i < 150; i++) assert.equal(await chat(first.url, key), 200);
    await stop(first);
    const again = await own(dataDir);
    const listed = await agate(dataDir, ['keys', 'list']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /today: 150 requests/);
    const stats = await adminRest<{ series: Array<{ key: string; total: { requests: number } }> }>(again.url, 'GET', 'stats?groupBy=clientKey');
    assert.equal(stats.series.find((series) => series.key === 'counted')?.total.requests, 150);
  });

  it('12 parallel "agate keys create" and 30 creates through the admin API end with all 42 keys, before and after a restart', async () => {
    const dataDir = newDataDir();
    const owner = await own(dataDir);
    const cli = Array.from({ length: 12 }, (_, i) => agate(dataDir, ['keys', 'create', `cli-${i}`]));
    const api = Array.from({ length: 30 }, (_, i) => adminRest(owner.url, 'POST', 'keys', { name: `api-${i}` }));
    const runs = await Promise.all(cli);
    for (const run of runs) assert.equal(run.code, 0, run.stderr);
    await Promise.all(api);
    const expected = [...Array.from({ length: 12 }, (_, i) => `cli-${i}`), ...Array.from({ length: 30 }, (_, i) => `api-${i}`)].sort();
    assert.deepEqual(await keyNames(owner.url), expected);
    await stop(owner);
    const restarted = await own(dataDir);
    assert.deepEqual(await keyNames(restarted.url), expected);
  });

  it('without an owner, parallel commands take turns on the lock and lose nothing', async () => {
    const dataDir = newDataDir();
    const runs = await Promise.all(Array.from({ length: 6 }, (_, i) => agate(dataDir, ['keys', 'create', `solo-${i}`])));
    for (const run of runs) assert.equal(run.code, 0, run.stderr);
    const listed = await agate(dataDir, ['keys', 'list']);
    for (let i = 0; i < 6; i++) assert.match(listed.stdout, new RegExp(`^solo-${i} `, 'm'));
    assert.equal(fs.existsSync(path.join(dataDir, 'agate.lock')), false, 'every command released the lock');
  });

  it('"keys primary --rotate" beside a running gateway is in force at once and survives later changes and a restart', async () => {
    const dataDir = newDataDir();
    let owner = await own(dataDir, ['--set', 'authMode=strict']);
    const before = await agate(dataDir, ['keys', 'primary']);
    assert.equal(before.code, 0, before.stderr);
    const oldKey = before.stdout.trim();
    const rotated = await agate(dataDir, ['keys', 'primary', '--rotate']);
    assert.equal(rotated.code, 0, rotated.stderr);
    const newKey = /^(sk-agate-\S+)$/m.exec(rotated.stdout)?.[1];
    assert.ok(newKey && newKey !== oldKey, rotated.stdout);
    // Live: the old key is refused, the new one opens the admin API.
    assert.equal((await fetch(`${owner.url}/admin/api/gateway`, { headers: { authorization: `Bearer ${oldKey}` } })).status, 401);
    // Any later change through the owner must not bring the old key back.
    await adminRest(owner.url, 'POST', 'keys', { name: 'after-rotation' }, newKey);
    const created = await agate(dataDir, ['keys', 'create', 'cli-after-rotation']);
    assert.equal(created.code, 0, created.stderr);
    await stop(owner);
    owner = await own(dataDir, ['--set', 'authMode=strict']);
    const after = await agate(dataDir, ['keys', 'primary']);
    assert.equal(after.stdout.trim(), newKey);
    assert.equal((await fetch(`${owner.url}/admin/api/gateway`, { headers: { authorization: `Bearer ${newKey}` } })).status, 200);
    assert.equal((await fetch(`${owner.url}/admin/api/proxy`)).status, 401, 'auth is on: the admin API needs the key');
    assert.deepEqual(await keyNames(owner.url, newKey), ['after-rotation', 'cli-after-rotation']);
  });

  it('"accounts disable" and "accounts remove" beside a running gateway apply at once and survive its later writes and a restart', async () => {
    const dataDir = newDataDir();
    let owner = await own(dataDir);
    await adminRest(owner.url, 'POST', 'accounts', { refreshToken: '1//second-refresh-token' });
    const disabled = await agate(dataDir, ['accounts', 'disable', 'demo@agate.local']);
    assert.equal(disabled.code, 0, disabled.stderr);
    let accounts = await adminRest<AdminAccountLike[]>(owner.url, 'GET', 'accounts');
    assert.equal(accounts.find((account) => account.email === 'demo@agate.local')?.state, 'disabled', 'in force at once');
    // Requests make the owner save the accounts again (last use); the disable must survive those writes.
    for (let i = 0; i < 5; i++) assert.equal(await chat(owner.url), 200);
    const removed = await agate(dataDir, ['accounts', 'remove', 'second@agate.local']);
    assert.equal(removed.code, 0, removed.stderr);
    accounts = await adminRest<AdminAccountLike[]>(owner.url, 'GET', 'accounts');
    assert.deepEqual(
      accounts.map((account) => account.email),
      ['demo@agate.local'],
    );
    const health = (await (await fetch(`${owner.url}/healthz`)).json()) as { accounts: { total: number; usable: number } };
    assert.deepEqual(health.accounts, { total: 1, usable: 0 });
    assert.equal(await chat(owner.url), 503, 'no usable account: refused at once');

    await stop(owner);
    owner = await own(dataDir);
    accounts = await adminRest<AdminAccountLike[]>(owner.url, 'GET', 'accounts');
    assert.deepEqual(
      accounts.map((account) => [account.email, account.state]),
      [['demo@agate.local', 'disabled']],
    );
    const healthAfter = (await (await fetch(`${owner.url}/healthz`)).json()) as { accounts: { total: number; usable: number } };
    assert.deepEqual(healthAfter.accounts, { total: 1, usable: 0 }, '/healthz tells the truth: nothing usable');
    const enabled = await agate(dataDir, ['accounts', 'enable', 'demo@agate.local']);
    assert.equal(enabled.code, 0, enabled.stderr);
    assert.equal(await chat(owner.url), 200, 'enabled again, live');
  });

  it('"config set" beside a running gateway applies aliases and scheduling live, and says what waits for a restart', async () => {
    const dataDir = newDataDir();
    const owner = await own(dataDir);
    const set = await agate(dataDir, ['config', 'set', 'models.aliases.my-model=gemini-3-flash', 'scheduling.mode=balance', 'server.keepAliveMs=20000']);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /models\.aliases\.my-model: saved and in force/);
    assert.match(set.stdout, /scheduling\.mode: saved and in force/);
    assert.match(set.stdout, /server\.keepAliveMs: saved; applies when the gateway starts again/);
    const response = await fetch(`${owner.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'my-model', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(response.status, 200, await response.text());
    const gateway = await adminRest<{ schedulingMode: string }>(owner.url, 'GET', 'gateway');
    assert.equal(gateway.schedulingMode, 'balance');
    const saved = JSON.parse(fs.readFileSync(path.join(dataDir, 'config.json'), 'utf8')) as { models: { aliases: Record<string, string> } };
    assert.equal(saved.models.aliases['my-model'], 'gemini-3-flash');
    const bad = await agate(dataDir, ['config', 'set', 'scheduling.mode=fastest']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /scheduling\.mode/);
  });

  it('"accounts add --sign-in" beside a running gateway signs in through it and waits for the account', async () => {
    const dataDir = newDataDir();
    const owner = await own(dataDir);
    const signIn = CliServer.start(['accounts', 'add', '--sign-in', '--email', 'third@agate.local', '--data-dir', dataDir]);
    try {
      const [, authorizeUrl] = await signIn.waitFor(/^\s+(http\S+oauth\/authorize\S+)$/m);
      // The browser: the consent page redirects to the owner's loopback listener.
      const page = await fetch(authorizeUrl, { redirect: 'follow' });
      assert.equal(page.status, 200, await page.text());
      await signIn.waitFor(/Added third@agate\.local/);
      assert.equal(await new Promise((resolve) => (signIn.child.exitCode !== null ? resolve(signIn.child.exitCode) : signIn.child.once('close', resolve))), 0);
      const accounts = await adminRest<AdminAccountLike[]>(owner.url, 'GET', 'accounts');
      assert.ok(
        accounts.some((account) => account.email === 'third@agate.local' && account.state === 'active'),
        JSON.stringify(accounts),
      );
    } finally {
      signIn.kill();
    }
  });

  it('a lock left by a killed owner is taken over at once', async () => {
    const dataDir = newDataDir();
    const owner = await own(dataDir);
    owner.server.child.kill('SIGKILL');
    await new Promise((resolve) => owner.server.child.once('close', resolve));
    assert.ok(fs.existsSync(path.join(dataDir, 'agate.lock')), 'the killed owner left its lock');
    const run = await agate(dataDir, ['keys', 'create', 'after-crash']);
    assert.equal(run.code, 0, run.stderr);
    const next = await own(dataDir);
    assert.deepEqual(await keyNames(next.url), ['after-crash']);
  });
});
