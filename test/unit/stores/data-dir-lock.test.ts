import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Clock } from '../../../src/core/ports';
import { DataDirBusyError, DataDirLock, LOCK_FILE, ownerAlive, readOwner, type OwnerRecord } from '../../../src/core/stores/data-dir-lock';

/** A pid that no process has: one that has just exited. */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', '0']).pid;
  assert.ok(pid);
  return pid;
}

const record = (fields: Partial<OwnerRecord>): OwnerRecord => ({
  pid: process.pid,
  hostname: os.hostname(),
  role: 'serve',
  startedAt: Date.now(),
  dataDir: '/somewhere',
  version: '0.0.0',
  ...fields,
});

/** A clock whose waits run `onSleep` instead of passing time. */
function steppingClock(onSleep: () => void): Clock & { slept: number } {
  let now = 0;
  const clock = {
    slept: 0,
    now: () => now,
    sleep: async (ms: number) => {
      clock.slept++;
      now += ms;
      onSleep();
    },
  };
  return clock;
}

describe('stores: the data dir lock', () => {
  let dir: string;
  const lockFile = () => path.join(dir, LOCK_FILE);
  const writeLock = (owner: OwnerRecord | string, mtime?: Date) => {
    fs.writeFileSync(lockFile(), typeof owner === 'string' ? owner : JSON.stringify(owner));
    if (mtime) fs.utimesSync(lockFile(), mtime, mtime);
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-lock-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is held by one owner at a time, names it, and is gone after release', async () => {
    const lock = await DataDirLock.acquire(dir, { role: 'serve', version: '1.2.3' });
    assert.equal(readOwner(dir)?.pid, process.pid);
    lock.publish({ url: 'http://127.0.0.1:8045', port: 8045 });
    assert.deepEqual([readOwner(dir)?.url, readOwner(dir)?.port, readOwner(dir)?.role], ['http://127.0.0.1:8045', 8045, 'serve']);
    await assert.rejects(DataDirLock.acquire(dir, { role: 'serve', version: '1.2.3' }), (err: unknown) => {
      assert.ok(err instanceof DataDirBusyError);
      assert.match(err.message, new RegExp(`"agate serve" \\(PID ${process.pid}, port 8045\\)`));
      return true;
    });
    lock.publish(undefined);
    assert.equal(readOwner(dir)?.url, undefined);
    lock.release();
    assert.equal(fs.existsSync(lockFile()), false);
    assert.equal(readOwner(dir), undefined);
  });

  it('breaks the lock of a process that is gone, at once', async () => {
    writeLock(record({ pid: deadPid(), role: 'vscode' }));
    assert.equal(readOwner(dir), undefined);
    const lock = await DataDirLock.acquire(dir, { role: 'serve', version: '1' });
    assert.equal(readOwner(dir)?.pid, process.pid);
    lock.release();
  });

  it('breaks a lock written before the machine booted, whatever process has its pid now', async () => {
    const bootedAt = Date.now() - os.uptime() * 1000;
    writeLock(record({ pid: 1, startedAt: bootedAt - 3_600_000 }));
    assert.equal(readOwner(dir), undefined);
    (await DataDirLock.acquire(dir, { role: 'serve', version: '1' })).release();
  });

  it('counts a lock of another machine (a shared data dir) as held', async () => {
    const other = record({ pid: deadPid(), hostname: `not-${os.hostname()}` });
    assert.equal(ownerAlive(other), true);
    writeLock(other);
    await assert.rejects(DataDirLock.acquire(dir, { role: 'serve', version: '1' }), DataDirBusyError);
  });

  it('waits while a command holds the data dir, and gives up at once on a holder the caller does not wait for', async () => {
    const held = await DataDirLock.acquire(dir, { role: 'cli', version: '1' });
    // The holder finishes during the first wait.
    const clock = steppingClock(() => held.release());
    const lock = await DataDirLock.acquire(dir, { role: 'serve', version: '1', waitMs: 10_000, clock });
    assert.equal(clock.slept, 1);
    lock.publish({ url: 'http://127.0.0.1:1', port: 1 });
    const never = steppingClock(() => assert.fail('must not wait for a serving owner'));
    await assert.rejects(
      DataDirLock.acquire(dir, { role: 'cli', version: '1', waitMs: 10_000, clock: never, giveUp: (owner) => owner.url !== undefined }),
      DataDirBusyError,
    );
    lock.release();
  });

  it('breaks a lock left empty by a process killed while creating it, once it is old', async () => {
    writeLock('', new Date(Date.now() - 60_000));
    (await DataDirLock.acquire(dir, { role: 'serve', version: '1' })).release();
    writeLock('');
    await assert.rejects(DataDirLock.acquire(dir, { role: 'serve', version: '1' }), /being created/);
  });

  it('release leaves a lock that another process took over alone', async () => {
    const lock = await DataDirLock.acquire(dir, { role: 'serve', version: '1' });
    writeLock(record({ pid: process.pid + 1, startedAt: 1 }));
    lock.release();
    assert.equal(fs.existsSync(lockFile()), true);
  });
});
