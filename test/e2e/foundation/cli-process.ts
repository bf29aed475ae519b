/** Runs the built `agate` CLI (dist/cli.js) as a child process, the way users and harnesses run it. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runProcess, type ProcessRun } from '../../helpers/run-process';

const ROOT = path.resolve(__dirname, '../../..');
export const CLI = path.join(ROOT, 'dist/cli.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** `npm test` builds first; a run of this file alone rebuilds when the bundle is missing or older than the sources. */
export function ensureCliBuilt(): void {
  const sources = newestMtime(path.join(ROOT, 'src'));
  const fresh = () => fs.existsSync(CLI) && fs.statSync(CLI).mtimeMs >= sources;
  if (fresh()) return;
  try {
    execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'pipe' });
  } catch (err) {
    // Another bundle (the webview) may fail while the CLI bundle was written: only the CLI matters here.
    if (!fresh()) throw err;
  }
}

/** The environment of a child: no AGATE_* settings nor the locale of the machine running the tests leak in (English). */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('AGATE_') && !['LANG', 'LC_ALL', 'LC_MESSAGES'].includes(name)),
  );
  return { ...env, ...extra };
}

export type CliRun = ProcessRun;

/** Runs a command that ends by itself. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = cleanEnv(), timeoutMs = 15_000): Promise<CliRun> {
  return runProcess(process.execPath, [CLI, ...args], { env, timeoutMs });
}

/** A long-running command (serve, demo, simulate), read until its output matches. */
export class CliServer {
  stdout = '';
  stderr = '';
  private readonly exited: Promise<number | null>;

  private constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk) => (this.stdout += chunk));
    child.stderr!.on('data', (chunk) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  }

  static start(args: string[], env: NodeJS.ProcessEnv = cleanEnv()): CliServer {
    return new CliServer(spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  /** Resolves with the first match of `pattern` in stdout. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.stdout.match(pattern);
      if (match) return match;
      if (this.child.exitCode !== null) throw new Error(`exited with ${this.child.exitCode} before printing ${pattern}\n${this.stdout}\n${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms\n${this.stdout}\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Sends SIGTERM and resolves with the exit code; SIGKILL after `timeoutMs` makes the wait fail. */
  async stop(timeoutMs = 10_000): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(new Error(`did not exit within ${timeoutMs} ms of SIGTERM\n${this.stderr}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, killed]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** For after-hooks: never leaves a child behind. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
