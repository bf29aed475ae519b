import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SIM_MODELS, startSimulator, type Simulator } from '../../../src/simulator';
import { gatewayFlagsFor } from '../../../src/simulator/gateway-settings';
import { dbPathOf } from '../../../src/core/ide/installations';
import { decodeTokenInfo, decodeTopic, entryPayload, STATE_KEYS, TOKEN_ENTRY } from '../../../src/core/ide/state-format';
import { buildStateDb, dumpRows, unifiedRows } from '../../helpers/ide-fixtures';
import { cleanEnv, ensureCliBuilt, runCli } from '../foundation/cli-process';
import { runProcess } from '../../helpers/run-process';

const claudeAt = (fraction: number) => Object.fromEntries(SIM_MODELS.filter((m) => m.id.startsWith('claude')).map((m) => [m.id, fraction]));

/** `agate ide status|switch|undo` against the simulator's accounts and a fixture IDE installation (not running). */
describe('CLI: agate ide', function () {
  this.timeout(60_000);
  let sim: Simulator;
  let tmp: string;
  let common: string[];
  let userDataDir: string;

  before(async () => {
    ensureCliBuilt();
    sim = await startSimulator({
      accounts: [
        { email: 'low@example.com', refreshToken: '1//low', quota: claudeAt(0.1) },
        { email: 'high@example.com', refreshToken: '1//high', quota: claudeAt(0.7) },
      ],
    });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-ide-cli-'));
    common = ['--data-dir', path.join(tmp, 'data'), ...Object.entries(gatewayFlagsFor(sim.url)).flatMap(([k, v]) => ['--set', `${k}=${v}`])];
    // The CLI refuses the simulator as an upstream outside "agate demo": the accounts are added in-process.
    const seeded = await runProcess(
      process.execPath,
      ['-r', 'tsx/cjs', path.join(__dirname, 'seed-accounts.ts'), path.join(tmp, 'data'), sim.url, '1//low', '1//high'],
      { env: cleanEnv(), timeoutMs: 30_000 },
    );
    assert.equal(seeded.code, 0, seeded.stderr);
    userDataDir = path.join(tmp, 'Antigravity IDE');
  });

  after(async () => {
    await sim.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('status names the installation, its account and format, and the accounts by score with the explanation', async () => {
    await buildStateDb(dbPathOf(userDataDir), unifiedRows({ email: 'old@example.com' }));
    const run = await runCli(['ide', 'status', '--user-data-dir', userDataDir, '--families', 'claude', ...common]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /signed in as old@example\.com, unified-state format/);
    assert.match(run.stdout, /→ {2}70 {2}high@example\.com {2}Claude 70%\n {3}10 {2}low@example\.com/);
    assert.match(run.stdout, /Score = the quota left/);
  });

  it("switch --best writes the best account's tokens; undo puts the file back exactly", async () => {
    await buildStateDb(dbPathOf(userDataDir), unifiedRows({ email: 'old@example.com' }));
    const original = fs.readFileSync(dbPathOf(userDataDir));
    const run = await runCli(['ide', 'switch', '--best', '--families', 'claude', '--user-data-dir', userDataDir, ...common]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Best account: high@example\.com, score 70/);
    assert.match(run.stdout, /now signed in as high@example\.com \(was old@example\.com\)/);
    const rows = await dumpRows(dbPathOf(userDataDir));
    const token = decodeTokenInfo(entryPayload(decodeTopic(rows.get(STATE_KEYS.oauthToken) as string, 't'), TOKEN_ENTRY, 't') as Uint8Array);
    assert.equal(token.refreshToken, '1//high');
    assert.ok(token.accessToken.length > 0);
    assert.ok((token.expirySeconds as number) * 1000 > Date.now() + 15 * 60_000);

    const undo = await runCli(['ide', 'undo', '--user-data-dir', userDataDir, ...common]);
    assert.equal(undo.code, 0, undo.stderr);
    assert.match(undo.stdout, /signed in as old@example\.com/);
    assert.deepEqual(fs.readFileSync(dbPathOf(userDataDir)), original);
    const again = await runCli(['ide', 'undo', '--user-data-dir', userDataDir, ...common]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /No switch by Agate to undo/);
  });

  it('switch ACCOUNT by email', async () => {
    await buildStateDb(dbPathOf(userDataDir), unifiedRows({ email: 'old@example.com' }));
    const run = await runCli(['ide', 'switch', 'low@example.com', '--user-data-dir', userDataDir, ...common]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /now signed in as low@example\.com/);
  });

  it('bad input is a usage error', async () => {
    const run = await runCli(['ide', 'switch', '--user-data-dir', userDataDir, ...common]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /needs an ACCOUNT/);
    const families = await runCli(['ide', 'status', '--families', 'gpt', ...common]);
    assert.equal(families.code, 2);
    assert.match(families.stderr, /unknown model family gpt/);
  });
});
