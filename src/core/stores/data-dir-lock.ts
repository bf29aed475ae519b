import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { coreMessage, englishOf, type CoreMessage } from '../messages';
import type { Clock } from '../ports';
import { systemClock } from '../ports';

/**
 * One owner per data dir: the process that holds `agate.lock` is the only one
 * that writes the data dir's stores. Everyone else either goes through the
 * owner's admin API (when it serves) or waits for the lock.
 *
 * The lock is a file created atomically with its content (a hard link of a
 * finished temp file, which fails when the name exists), holding who owns it:
 * pid, host name, process start, and once the owner listens, its URL. A lock
 * whose process is gone (`kill(pid, 0)` says ESRCH) or that predates the last
 * boot is stale and is broken — under a second, short-lived guard file, so two
 * processes never both break and re-take it. A dead owner is noticed at once,
 * unlike a heartbeat lock, which makes takeover after a crash immediate.
 */

export const LOCK_FILE = 'agate.lock';
const GUARD_SUFFIX = '.break';
/** A guard older than this was left by a process that died while breaking a stale lock. */
const GUARD_STALE_MS = 5_000;
/** A lock without readable content this old was left by a process that died while creating it. */
const UNREADABLE_STALE_MS = 5_000;
const RETRY_MS = 100;
/** Two readings of this process's start time differ by rounding and clock steps; another process's start by more. */
const SAME_PROCESS_SLACK_MS = 2_000;

/** What runs the owner: `serve`/`demo` (the CLI gateway), `vscode` (an editor window's gateway), `cli` (a command writing directly). */
export type OwnerRole = 'serve' | 'demo' | 'vscode' | 'cli';

export interface OwnerRecord {
  pid: number;
  hostname: string;
  role: OwnerRole;
  /** Epoch ms the owning process started (stale-lock detection after a reboot). */
  startedAt: number;
  dataDir: string;
  version: string;
  /** The owner's gateway base URL while it listens. */
  url?: string;
  /** The listening port, for messages. */
  port?: number;
}

/** Someone else holds the data dir. */
export class DataDirBusyError extends Error {
  /** The refusal, for the host to word (`message` is its English). */
  readonly detail: CoreMessage;

  constructor(
    readonly owner: OwnerRecord,
    detail?: CoreMessage,
  ) {
    const said = detail ?? coreMessage('dataDir.owned', { owner: describeOwner(owner), dataDir: owner.dataDir });
    super(englishOf(said));
    this.detail = said;
    this.name = 'DataDirBusyError';
  }
}

/** The lock file is there but not yet written (another process is creating it) after the whole wait. */
export class DataDirLockPendingError extends Error {
  constructor(
    /** For the host to word (`message` is its English). */
    readonly detail: CoreMessage,
  ) {
    super(englishOf(detail));
    this.name = 'DataDirLockPendingError';
  }
}

const ROLE_NAMES = {
  serve: 'owner.role.serve',
  demo: 'owner.role.demo',
  vscode: 'owner.role.vscode',
  cli: 'owner.role.cli',
} as const satisfies Record<OwnerRole, CoreMessage['code']>;

/** `"agate serve" (PID 123, port 8045)`: who owns a data dir, for messages the host words. */
export function describeOwner(owner: OwnerRecord): CoreMessage {
  const role = (ROLE_NAMES as Record<string, CoreMessage['code'] | undefined>)[owner.role];
  return coreMessage('owner.describe', {
    role: role ? coreMessage(role) : String(owner.role),
    pid: owner.pid,
    port: owner.port !== undefined ? coreMessage('owner.port', { port: owner.port }) : '',
    host: owner.hostname !== os.hostname() ? coreMessage('owner.host', { host: owner.hostname }) : '',
  });
}

const processStartedAt = (): number => Math.round(Date.now() - process.uptime() * 1000);

function parseOwner(text: string): OwnerRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<OwnerRecord>;
    if (typeof value !== 'object' || value === null) return undefined;
    if (!Number.isSafeInteger(value.pid) || typeof value.hostname !== 'string' || typeof value.startedAt !== 'number') return undefined;
    return value as OwnerRecord;
  } catch {
    return undefined;
  }
}

/**
 * Whether the recorded owner still runs. A process of another machine (a data
 * dir on a network share) cannot be checked and counts as running.
 */
export function ownerAlive(owner: OwnerRecord): boolean {
  if (owner.hostname !== os.hostname()) return true;
  // This process (possibly another bundle of this module in it, which computed the start a moment apart), or an
  // earlier process that had the same pid.
  if (owner.pid === process.pid) return Math.abs(owner.startedAt - processStartedAtOnce) < SAME_PROCESS_SLACK_MS;
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    // EPERM: the process exists but belongs to another user.
  }
  // A pid recorded before the last boot belongs to a process that no longer exists, whatever runs under it now.
  const bootedAt = Date.now() - os.uptime() * 1000;
  return owner.startedAt >= bootedAt - 60_000;
}

/** Fixed once per process, so that `ownerAlive` can recognise this process's own lock. */
const processStartedAtOnce = processStartedAt();

interface LockRead {
  text: string;
  owner: OwnerRecord | undefined;
  mtimeMs: number;
}

function readLock(file: string): LockRead | undefined {
  try {
    const text = fs.readFileSync(file, 'utf8');
    const mtimeMs = fs.statSync(file).mtimeMs;
    return { text, owner: parseOwner(text), mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The live owner of a data dir, if any (stale locks count as none). */
export function readOwner(dataDir: string): OwnerRecord | undefined {
  const read = readLock(path.join(dataDir, LOCK_FILE));
  return read?.owner && ownerAlive(read.owner) ? read.owner : undefined;
}

/** Creates `file` with `text` only if it does not exist, never leaving it half-written. */
function createExclusive(file: string, text: string): boolean {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(temp, text, { mode: 0o600 });
  try {
    fs.linkSync(temp, file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // File systems without hard links: an exclusive create; a reader may briefly see it empty (handled as "being created").
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') {
      try {
        fs.writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
        return true;
      } catch (inner) {
        if ((inner as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw inner;
      }
    }
    throw err;
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

/** Removes a stale lock unless someone else is already breaking it; the caller then tries to create it again. */
function breakStale(file: string, staleText: string, now: number): void {
  const guard = file + GUARD_SUFFIX;
  if (!createExclusive(guard, JSON.stringify({ pid: process.pid }))) {
    try {
      if (now - fs.statSync(guard).mtimeMs > GUARD_STALE_MS) fs.rmSync(guard, { force: true });
    } catch {
      // gone meanwhile
    }
    return;
  }
  try {
    // Read and remove back to back, under the guard: only the stale content we judged is ever removed.
    let current: string | undefined;
    try {
      current = fs.readFileSync(file, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === staleText) fs.rmSync(file, { force: true });
  } finally {
    fs.rmSync(guard, { force: true });
  }
}

export interface AcquireOptions {
  role: OwnerRole;
  version: string;
  /** How long to wait while another holder's lock is held; 0 answers at once. */
  waitMs?: number;
  /**
   * Called while waiting, with the live holder: return true to stop waiting
   * (and get a DataDirBusyError), e.g. because the holder serves.
   */
  giveUp?: (owner: OwnerRecord) => boolean;
  clock?: Clock;
}

/** The data dir's lock, held by this process until `release`. */
export class DataDirLock {
  private released = false;

  private constructor(
    readonly file: string,
    private record: OwnerRecord,
  ) {}

  get owner(): OwnerRecord {
    return this.record;
  }

  /**
   * Takes the data dir's lock, breaking a stale one; waits up to `waitMs` for
   * a live holder; else throws DataDirBusyError naming the holder.
   */
  static async acquire(dataDir: string, options: AcquireOptions): Promise<DataDirLock> {
    const clock = options.clock ?? systemClock;
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const file = path.join(dataDir, LOCK_FILE);
    const record: OwnerRecord = {
      pid: process.pid,
      hostname: os.hostname(),
      role: options.role,
      startedAt: processStartedAtOnce,
      dataDir,
      version: options.version,
    };
    const text = JSON.stringify(record);
    const deadline = clock.now() + (options.waitMs ?? 0);
    for (;;) {
      if (createExclusive(file, text)) return new DataDirLock(file, record);
      const held = readLock(file);
      if (held) {
        const now = Date.now();
        const stale = held.owner ? !ownerAlive(held.owner) : now - held.mtimeMs > UNREADABLE_STALE_MS;
        if (stale) {
          breakStale(file, held.text, now);
          continue;
        }
        if (held.owner && (options.giveUp?.(held.owner) || clock.now() >= deadline)) throw new DataDirBusyError(held.owner);
      }
      if (clock.now() >= deadline && !held?.owner && held) {
        throw new DataDirLockPendingError(coreMessage('dataDir.lockPending', { file }));
      }
      await clock.sleep(RETRY_MS);
    }
  }

  /** Records where the owner listens (or that it stopped listening), for other processes to find it. */
  publish(endpoint: { url: string; port: number } | undefined): void {
    if (this.released) return;
    const { url: _url, port: _port, ...rest } = this.record;
    this.record = endpoint ? { ...rest, url: endpoint.url, port: endpoint.port } : rest;
    // Replaced by a rename: the lock name always exists and readers see one whole record.
    const temp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(temp, JSON.stringify(this.record), { mode: 0o600 });
    fs.renameSync(temp, this.file);
  }

  /** Gives the data dir up; only removes the lock if it is still this process's. */
  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      const current = parseOwner(fs.readFileSync(this.file, 'utf8'));
      if (current?.pid === this.record.pid && current.startedAt === this.record.startedAt && current.hostname === this.record.hostname) {
        fs.rmSync(this.file, { force: true });
      }
    } catch {
      // already gone
    }
  }
}
