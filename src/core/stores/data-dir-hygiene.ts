import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../ports';

/**
 * What `secureDataDir` did, for the host to log. A warning means the data dir
 * stays readable or writable by others and the user should fix it.
 */
export interface DataDirCheck {
  /** The mode the data dir had when it was tightened to 0700. */
  tightenedFrom?: number;
  warning?: string;
  /** Temporary files of interrupted atomic writes that were removed. */
  removedTempFiles: string[];
}

/**
 * An atomic write's temporary file: `<target>.<pid>.<8 hex>.tmp` (stores/atomic-file.ts, the lock's) or
 * `<target>.<pid>.tmp` (the CLI's settings file). The pid tells whether its writer may still be running. The
 * random part is matched first: one that happens to be all digits (1 name in 40) must not be read as the pid,
 * or a starting process would delete a live writer's file and fail its write.
 */
const TEMP_FILE_WITH_RANDOM = /^.+\.(\d+)\.[0-9a-f]{8}\.tmp$/;
const TEMP_FILE_PLAIN = /^.+\.(\d+)\.tmp$/;
const writerPidOf = (name: string): string | undefined => (TEMP_FILE_WITH_RANDOM.exec(name) ?? TEMP_FILE_PLAIN.exec(name))?.[1];
/** No write lasts this long: a temporary file older than this is stale even if its pid now names another process. */
const TEMP_FILE_MAX_AGE_MS = 60 * 60_000;

/**
 * Run at start, before the stores use the data dir: creates it owner-only, tightens an existing one that
 * others can read or write (say a 0777 directory from an old install or a shared `--data-dir`), and removes
 * the temporary files that a killed process (`kill -9`, power loss) left behind in it and its subfolders.
 */
export async function secureDataDir(dir: string, logger: Logger, options: HygieneOptions = {}): Promise<DataDirCheck> {
  const check = await inspectAndClean(dir, options);
  if (check.tightenedFrom !== undefined) {
    logger.warn('the data dir was open to other users: changed to owner-only (0700)', { dir, mode: check.tightenedFrom.toString(8).padStart(4, '0') });
  }
  if (check.warning) logger.warn(check.warning);
  if (check.removedTempFiles.length > 0) logger.info('removed temporary files of interrupted writes', { files: check.removedTempFiles });
  return check;
}

export interface HygieneOptions {
  /** Defaults to the system time; temporary files are judged by their age against it. */
  now?: number;
  /** Defaults to `fs.chmod`. */
  chmod?: (dir: string, mode: number) => Promise<void>;
}

async function inspectAndClean(dir: string, { now = Date.now(), chmod = fs.chmod }: HygieneOptions): Promise<DataDirCheck> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const check: DataDirCheck = { removedTempFiles: [] };
  // Windows has no POSIX modes; the profile folder's ACLs apply there.
  if (process.platform !== 'win32') {
    const mode = (await fs.stat(dir)).mode & 0o777;
    if (mode & 0o077) {
      try {
        await chmod(dir, 0o700);
        check.tightenedFrom = mode;
      } catch (err) {
        const reason = (err as NodeJS.ErrnoException).code ?? String(err);
        check.warning =
          `the data dir ${dir} has mode ${mode.toString(8).padStart(4, '0')}, so other users can ` +
          `${mode & 0o022 ? 'change' : 'read'} its files, and it could not be changed to 0700 (${reason}); run: chmod 700 '${dir}'`;
      }
    }
  }
  const folders = [dir];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) folders.push(path.join(dir, entry.name));
  }
  for (const folder of folders) {
    for (const name of await fs.readdir(folder).catch(() => [] as string[])) {
      const pid = writerPidOf(name);
      if (pid === undefined) continue;
      const file = path.join(folder, name);
      const stat = await fs.lstat(file).catch(() => undefined);
      if (!stat?.isFile()) continue;
      if (processAlive(Number(pid)) && now - stat.mtimeMs < TEMP_FILE_MAX_AGE_MS) continue;
      await fs.rm(file, { force: true });
      check.removedTempFiles.push(file);
    }
  }
  return check;
}

function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
