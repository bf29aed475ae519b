import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { DeferredSwitchJob } from './switcher';

/**
 * When Agate runs inside the IDE it is switching (its extension host, or a
 * terminal of the IDE), it cannot close the IDE without ending itself: a
 * detached helper process takes the prepared job, waits until the IDE has
 * quit, writes and starts the IDE again. The job holds tokens, so its file is
 * owner-only and the helper deletes it as soon as it has read it.
 */

export interface HelperLaunch {
  /** The Node (or Electron-as-Node) binary to run the helper with. */
  execPath: string;
  /** The helper script (dist/ide-helper.js). */
  script: string;
  /** Where the job file and the helper's log go. */
  dir?: string;
}

export interface StartedHelper {
  pid: number | undefined;
  /** One line per step, for the user to read when something goes wrong. */
  logFile: string;
}

export function startDeferredSwitch(job: DeferredSwitchJob, launch: HelperLaunch): StartedHelper {
  const dir = launch.dir ?? os.tmpdir();
  fs.mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `agate-ide-switch-${randomBytes(6).toString('hex')}`);
  const jobFile = `${base}.json`;
  const logFile = `${base}.log`;
  fs.writeFileSync(jobFile, JSON.stringify(job), { mode: 0o600 });
  const child = spawn(launch.execPath, [launch.script, jobFile, logFile], {
    detached: true,
    stdio: 'ignore',
    windowsHide: true,
    // Inside an Electron host, execPath is the editor itself: this makes it a plain Node.
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  child.on('error', () => undefined);
  child.unref();
  return { pid: child.pid, logFile };
}

/** The helper's side: the job, read once and removed. */
export function takeJob(jobFile: string): DeferredSwitchJob {
  try {
    return JSON.parse(fs.readFileSync(jobFile, 'utf8')) as DeferredSwitchJob;
  } finally {
    fs.rmSync(jobFile, { force: true });
  }
}
