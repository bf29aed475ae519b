import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { systemClock } from '../../../src/core/ports';
import { dbPathOf, type IdeInstallation } from '../../../src/core/ide/installations';
import { IdeProcessError, processesOf, systemProcessTable } from '../../../src/core/ide/processes';
import {
  IDE_OAUTH_CLIENT_ID,
  IdeSwitchError,
  inspectInstallation,
  prepareDeferredSwitch,
  runDeferredSwitch,
  switchIdeAccount,
  type IdeCredentials,
} from '../../../src/core/ide/switcher';
import { buildStateDb, unifiedRows } from '../../helpers/ide-fixtures';
import { waitUntil } from '../../helpers/wait-until';

/**
 * Process handling against a stand-in IDE (a Node process holding the state
 * database open under its --user-data-dir, with a helper child): the switch
 * refuses while it runs, closes it only when the user agrees, never touches
 * another installation's process, and starts it again.
 */

const STAND_IN = path.join(__dirname, '..', '..', 'fixtures', 'ide', 'stand-in-ide.cjs');

const credentials = (): IdeCredentials => ({
  email: 'new@example.com',
  accessToken: 'ya29.new',
  expiresAt: Date.now() + 3_600_000,
  refreshToken: '1//new',
  clientId: IDE_OAUTH_CLIENT_ID,
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

(process.platform === 'linux' ? describe : describe.skip)('Antigravity IDE switch with a running (stand-in) IDE', function () {
  this.timeout(60_000);
  let dir: string;
  const started: ChildProcess[] = [];

  const installationAt = (name: string): IdeInstallation => {
    const userDataDir = path.join(dir, name);
    return { product: 'Antigravity IDE', userDataDir, dbPath: dbPathOf(userDataDir), source: 'given' };
  };

  /** Starts a stand-in on `installation` and waits until it runs with its helper. */
  async function startIde(installation: IdeInstallation, extra: string[] = []): Promise<{ pid: number; helper: number }> {
    const child = spawn(process.execPath, [STAND_IN, '--user-data-dir', installation.userDataDir, ...extra], { stdio: 'ignore' });
    started.push(child);
    const log = path.join(installation.userDataDir, 'started.log');
    let line: string | undefined;
    await waitUntil(
      () =>
        (line = fs.existsSync(log)
          ? fs
              .readFileSync(log, 'utf8')
              .split('\n')
              .find((l) => l.startsWith(`${child.pid} `))
          : undefined) !== undefined,
      'the stand-in IDE to start',
    );
    const [pid, helper] = (line as string).split(' ').map(Number);
    return { pid, helper };
  }

  /** Every process ever started on `installation` (the relaunched one too), from its log. */
  const startedOn = (installation: IdeInstallation) =>
    fs.existsSync(path.join(installation.userDataDir, 'started.log'))
      ? fs
          .readFileSync(path.join(installation.userDataDir, 'started.log'), 'utf8')
          .trim()
          .split('\n')
          .flatMap((l) => l.split(' ').map(Number))
      : [];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-ide-proc-'));
  });

  afterEach(() => {
    for (const name of fs.readdirSync(dir)) {
      const installation = installationAt(name);
      for (const pid of startedOn(installation)) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    started.length = 0;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finds the instance and its helper, and nothing of another installation', async () => {
    const a = installationAt('A');
    const b = installationAt('B');
    await buildStateDb(a.dbPath, unifiedRows());
    await buildStateDb(b.dbPath, unifiedRows());
    const ideA = await startIde(a);
    const ideB = await startIde(b);
    const found = processesOf(a, await systemProcessTable.list());
    assert.deepEqual(
      found.mains.map((p) => p.pid),
      [ideA.pid],
    );
    assert.deepEqual(found.all.map((p) => p.pid).sort(), [ideA.pid, ideA.helper].sort());
    const report = await inspectInstallation(a, { table: systemProcessTable });
    assert.equal(report.hostsUs, false);
    assert.ok(!report.running.includes(ideB.pid) && !report.running.includes(ideB.helper));
  });

  it('refuses while the IDE runs unless the user agrees; nothing changes', async () => {
    const a = installationAt('A');
    await buildStateDb(a.dbPath, unifiedRows());
    const before = fs.readFileSync(a.dbPath);
    const ide = await startIde(a);
    let asked: number[] = [];
    await assert.rejects(
      switchIdeAccount({
        installation: a,
        credentials: credentials(),
        table: systemProcessTable,
        clock: systemClock,
        confirmClose: async ({ running }) => ((asked = running), false),
      }),
      (err: unknown) => err instanceof IdeSwitchError && err.kind === 'declined' && /is running/.test(err.message),
    );
    assert.deepEqual(asked.sort(), [ide.pid, ide.helper].sort());
    assert.ok(alive(ide.pid) && alive(ide.helper));
    assert.deepEqual(fs.readFileSync(a.dbPath), before);
  });

  it('on confirmation: closes it gracefully, waits until every process is gone, writes, starts it again; the other installation runs on', async () => {
    const a = installationAt('A');
    const b = installationAt('B');
    await buildStateDb(a.dbPath, unifiedRows());
    await buildStateDb(b.dbPath, unifiedRows());
    const ideA = await startIde(a);
    const ideB = await startIde(b);
    const result = await switchIdeAccount({
      installation: a,
      credentials: credentials(),
      table: systemProcessTable,
      clock: systemClock,
      confirmClose: async () => true,
    });
    assert.equal(result.closed, true);
    assert.equal(result.relaunched, true);
    // Gone before the write (the switch waited), and it quit by itself rather than being killed.
    assert.ok(!alive(ideA.pid) && !alive(ideA.helper));
    assert.equal(fs.readFileSync(path.join(a.userDataDir, 'quit.log'), 'utf8').trim(), String(ideA.pid));
    assert.equal((await inspectInstallation(a, { table: systemProcessTable })).signIn?.email, 'new@example.com');
    assert.ok(alive(ideB.pid) && alive(ideB.helper), "another installation's IDE is never touched");
    assert.equal(fs.existsSync(path.join(b.userDataDir, 'quit.log')), false);
    // Started again with the same command line.
    await waitUntil(() => startedOn(a).length === 4, 'the IDE to be started again');
    const relaunched = startedOn(a)[2];
    assert.ok(processesOf(a, await systemProcessTable.list()).mains.some((p) => p.pid === relaunched));
  });

  it('an IDE that does not quit is reported, never killed, and nothing is written', async () => {
    const a = installationAt('A');
    await buildStateDb(a.dbPath, unifiedRows());
    const before = fs.readFileSync(a.dbPath);
    const ide = await startIde(a, ['--stubborn']);
    await assert.rejects(
      switchIdeAccount({
        installation: a,
        credentials: credentials(),
        table: systemProcessTable,
        clock: systemClock,
        closeTimeoutMs: 1_000,
        confirmClose: async () => true,
      }),
      (err: unknown) => err instanceof IdeProcessError && err.pids.includes(ide.pid) && /did not quit in time/.test(err.message),
    );
    assert.ok(alive(ide.pid));
    assert.deepEqual(fs.readFileSync(a.dbPath), before);
  });

  it('Agate inside the IDE: the switch is left to a helper that waits until the IDE has quit, then writes and starts it again', async () => {
    const a = installationAt('A');
    await buildStateDb(a.dbPath, unifiedRows());
    const ide = await startIde(a);
    // The stand-in's helper child plays Agate's extension host.
    await assert.rejects(
      switchIdeAccount({
        installation: a,
        credentials: credentials(),
        table: systemProcessTable,
        clock: systemClock,
        hostPid: ide.helper,
        confirmClose: async () => true,
      }),
      (err: unknown) => err instanceof IdeSwitchError && err.kind === 'hosts-us',
    );
    const job = await prepareDeferredSwitch(a, credentials(), { table: systemProcessTable, waitMs: 30_000 });
    assert.equal(job.relaunches.length, 1);
    let looks = 0;
    const counting = { ...systemProcessTable, list: () => (looks++, systemProcessTable.list()) };
    const done = runDeferredSwitch(job, { table: counting, clock: systemClock });
    let settled = false;
    void done.finally(() => (settled = true)).catch(() => undefined);
    await waitUntil(() => looks >= 3, 'the helper to look at the processes a few times');
    assert.equal(settled, false, 'it waits while the IDE runs');
    assert.equal((await inspectInstallation(a, { table: systemProcessTable })).signIn?.email, 'old@example.com');
    process.kill(ide.pid, 'SIGTERM'); // the user quits the IDE
    const result = await done;
    assert.equal(result.email, 'new@example.com');
    assert.equal((await inspectInstallation(a, { table: systemProcessTable })).signIn?.email, 'new@example.com');
    await waitUntil(() => startedOn(a).length === 4, 'the IDE to be started again');
  });
});
