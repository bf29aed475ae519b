import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import type { Clock } from '../ports';
import { productOfExecutable, sameDir, userDataDirArg, type IdeInstallation } from './installations';

/**
 * The processes of one IDE installation: found by the `--user-data-dir` on
 * their command line (or, without one, by the installation's executable),
 * plus all their descendants (Electron helpers, language servers). Another
 * installation's processes never match: a different data dir or a different
 * product ("Antigravity" is not "Antigravity IDE").
 */

export interface ProcessInfo {
  pid: number;
  ppid: number;
  executable: string;
  /** Exact on Linux and Windows; on macOS `ps` gives one string, split on spaces. */
  argv: string[];
  command: string;
}

export interface ProcessTable {
  list(): Promise<ProcessInfo[]>;
  /** Asks the process to quit the way a user's "Quit" would; never a kill. */
  requestQuit(pid: number): Promise<void>;
  /** Starts a program detached from us, so it outlives Agate. */
  launch(command: string, args: string[]): void;
}

const run = promisify(execFile);

async function listLinux(): Promise<ProcessInfo[]> {
  const out: ProcessInfo[] = [];
  for (const name of await fs.promises.readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const [cmdline, stat] = await Promise.all([fs.promises.readFile(`/proc/${name}/cmdline`, 'utf8'), fs.promises.readFile(`/proc/${name}/stat`, 'utf8')]);
      const argv = cmdline.split('\0');
      if (argv.at(-1) === '') argv.pop();
      if (argv.length === 0) continue; // kernel thread
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.push({ pid: Number(name), ppid, executable: argv[0], argv, command: argv.join(' ') });
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return out;
}

async function listDarwin(): Promise<ProcessInfo[]> {
  const { stdout } = await run('ps', ['-axww', '-o', 'pid=,ppid=,command='], { maxBuffer: 32 * 1024 * 1024 });
  return stdout.split('\n').flatMap((line) => {
    const match = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (!match) return [];
    const command = match[3];
    // The executable is the path up to the first option (paths hold spaces: "Antigravity IDE.app").
    const executable = command.split(/ (?=--?\w)/)[0];
    const argv = [
      executable,
      ...command
        .slice(executable.length)
        .trim()
        .split(/ (?=--?\w)/)
        .filter(Boolean),
    ];
    return [{ pid: Number(match[1]), ppid: Number(match[2]), executable, argv, command }];
  });
}

/** CommandLineToArgvW's rules, enough for Electron command lines. */
export function splitWindowsCommandLine(line: string): string[] {
  const args: string[] = [];
  let current = '';
  let quoted = false;
  let any = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '\\') {
      let slashes = 0;
      while (line[i] === '\\') {
        slashes++;
        i++;
      }
      if (line[i] === '"') {
        current += '\\'.repeat(Math.floor(slashes / 2));
        if (slashes % 2 === 1) current += '"';
        else quoted = !quoted;
      } else {
        current += '\\'.repeat(slashes);
        i--;
      }
      any = true;
    } else if (ch === '"') {
      quoted = !quoted;
      any = true;
    } else if ((ch === ' ' || ch === '\t') && !quoted) {
      if (any) args.push(current);
      current = '';
      any = false;
    } else {
      current += ch;
      any = true;
    }
  }
  if (any) args.push(current);
  return args;
}

async function listWindows(): Promise<ProcessInfo[]> {
  const script = 'Get-CimInstance Win32_Process | Select-Object ProcessId,ParentProcessId,ExecutablePath,CommandLine | ConvertTo-Json -Compress';
  const { stdout } = await run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', script], { maxBuffer: 64 * 1024 * 1024, windowsHide: true });
  const rows = JSON.parse(stdout) as Array<{ ProcessId: number; ParentProcessId: number; ExecutablePath: string | null; CommandLine: string | null }>;
  return (Array.isArray(rows) ? rows : [rows]).map((row) => {
    const command = row.CommandLine ?? '';
    const argv = splitWindowsCommandLine(command);
    return { pid: row.ProcessId, ppid: row.ParentProcessId, executable: row.ExecutablePath ?? argv[0] ?? '', argv, command };
  });
}

export const systemProcessTable: ProcessTable = {
  list: () => (process.platform === 'win32' ? listWindows() : process.platform === 'darwin' ? listDarwin() : listLinux()),
  async requestQuit(pid) {
    // Windows: taskkill without /F posts WM_CLOSE, the window's own close; elsewhere SIGTERM, which Electron treats as Quit.
    if (process.platform === 'win32') await run('taskkill', ['/PID', String(pid)], { windowsHide: true }).catch(() => undefined);
    else {
      try {
        process.kill(pid, 'SIGTERM');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
    }
  },
  launch(command, args) {
    const child = spawn(command, args, { detached: true, stdio: 'ignore', windowsHide: false });
    child.on('error', () => undefined);
    child.unref();
  },
};

const isHelper = (p: ProcessInfo) => p.argv.some((a) => a.startsWith('--type='));

/** The process's `--user-data-dir`, from its argv or (macOS, where argv is a guess) its command text. */
function dataDirOf(p: ProcessInfo): string | undefined {
  const fromArgv = userDataDirArg(p.argv);
  if (fromArgv) return fromArgv;
  return /--user-data-dir[= ](.+?)(?= --?\w|$)/.exec(p.command)?.[1];
}

export interface InstallationProcesses {
  /** The instances' main processes (what a Quit is sent to). */
  mains: ProcessInfo[];
  /** Everything of the installation: mains, helpers, descendants. */
  all: ProcessInfo[];
}

/** The processes of `installation` among `table`; `exclude` (e.g. our own PID) never counts. */
export function processesOf(installation: IdeInstallation, table: readonly ProcessInfo[], exclude: ReadonlySet<number> = new Set()): InstallationProcesses {
  const owns = (p: ProcessInfo): boolean => {
    const dir = dataDirOf(p);
    if (dir) return sameDir(dir, installation.userDataDir);
    // No flag: the instance uses its executable's own data dir — the default one, or the portable one beside it.
    const product = productOfExecutable(p.executable);
    if (product !== installation.product) return false;
    if (installation.source === 'portable') return installation.executable !== undefined && sameDir(p.executable, installation.executable);
    return installation.source === 'default';
  };
  const matched = new Map<number, ProcessInfo>();
  for (const p of table) if (!exclude.has(p.pid) && owns(p)) matched.set(p.pid, p);
  // Descendants: helpers and language servers do not always repeat the flag.
  for (let grew = true; grew;) {
    grew = false;
    for (const p of table) {
      if (!matched.has(p.pid) && !exclude.has(p.pid) && matched.has(p.ppid)) {
        matched.set(p.pid, p);
        grew = true;
      }
    }
  }
  const all = [...matched.values()];
  const mains = all.filter((p) => !isHelper(p) && !matched.has(p.ppid));
  return { mains, all };
}

export class IdeProcessError extends Error {
  constructor(
    message: string,
    readonly pids: number[],
  ) {
    super(message);
    this.name = 'IdeProcessError';
  }
}

export interface Relaunch {
  command: string;
  args: string[];
}

/** How to start the instance `main` again, as it was started. */
export function relaunchOf(main: ProcessInfo, installation: IdeInstallation, platform: NodeJS.Platform = process.platform): Relaunch {
  if (platform === 'darwin') {
    const at = main.executable.indexOf('.app/');
    if (at > 0) {
      const bundle = main.executable.slice(0, at + 4);
      const flag = dataDirOf(main);
      return { command: 'open', args: ['-n', '-a', bundle, ...(flag ? ['--args', `--user-data-dir=${installation.userDataDir}`] : [])] };
    }
  }
  return { command: main.executable, args: main.argv.slice(1) };
}

export interface CloseOptions {
  table: ProcessTable;
  clock: Clock;
  /** How long the IDE gets to quit (it flushes its state on the way out). */
  timeoutMs?: number;
  exclude?: ReadonlySet<number>;
  signal?: AbortSignal;
}

const POLL_MS = 250;

/**
 * Sends Quit to every main process of the installation and waits until none
 * of its processes (helpers included) is left. Never kills: an IDE that does
 * not quit in time is reported, with the PIDs still alive.
 */
export async function closeInstallation(installation: IdeInstallation, options: CloseOptions): Promise<Relaunch[]> {
  const { table } = options;
  const exclude = options.exclude ?? new Set<number>();
  const first = processesOf(installation, await table.list(), exclude);
  const relaunches = first.mains.map((main) => relaunchOf(main, installation));
  for (const main of first.mains) await table.requestQuit(main.pid);
  await waitUntilGone(installation, { ...options, exclude });
  return relaunches;
}

export async function waitUntilGone(installation: IdeInstallation, options: CloseOptions): Promise<void> {
  const { table, clock } = options;
  const deadline = clock.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const left = processesOf(installation, await table.list(), options.exclude).all;
    if (left.length === 0) return;
    if (clock.now() >= deadline) {
      throw new IdeProcessError(
        `${installation.product} (${installation.userDataDir}) did not quit in time; still running: ${left.map((p) => p.pid).join(', ')}. Quit it yourself and try again.`,
        left.map((p) => p.pid),
      );
    }
    await clock.sleep(POLL_MS, options.signal);
  }
}
