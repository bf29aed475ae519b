import path from 'node:path';

/**
 * Where an Antigravity IDE keeps its state: `<userData>/User/globalStorage/state.vscdb`,
 * with `<userData>` found the way VS Code (which the IDE forks) finds it.
 */

/** "Antigravity IDE" since the 2.0 split; "Antigravity" before it (on a machine not yet updated). */
export type IdeProduct = 'Antigravity IDE' | 'Antigravity';
export const IDE_PRODUCTS: readonly IdeProduct[] = ['Antigravity IDE', 'Antigravity'];

export type InstallationSource =
  /** `--user-data-dir` given to us (CLI flag, command argument). */
  | 'given'
  /** `--user-data-dir` on the command line of a running instance. */
  | 'running'
  | 'VSCODE_PORTABLE'
  | 'VSCODE_APPDATA'
  | 'portable'
  | 'default';

export interface IdeInstallation {
  product: IdeProduct;
  userDataDir: string;
  dbPath: string;
  source: InstallationSource;
  /** The executable, when known (a running instance, a portable install). */
  executable?: string;
}

export interface LocateEnvironment {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  home: string;
  /** Explicit data dirs (a `--user-data-dir` the user named). */
  given?: string[];
  /** `--user-data-dir` values and executables of running IDE instances. */
  running?: Array<{ product: IdeProduct; userDataDir?: string; executable?: string }>;
  /** Executables of known installs, for a portable `data/` folder next to them. */
  executables?: Array<{ product: IdeProduct; path: string }>;
  exists(file: string): boolean;
}

const pathApi = (platform: NodeJS.Platform) => (platform === 'win32' ? path.win32 : path.posix);

export const dbPathOf = (userDataDir: string, platform: NodeJS.Platform = process.platform): string =>
  pathApi(platform).join(userDataDir, 'User', 'globalStorage', 'state.vscdb');

/** The OS's application-data folder, as VS Code computes it. */
function appDataRoot(platform: NodeJS.Platform, env: LocateEnvironment['env'], home: string): string {
  const p = pathApi(platform);
  if (platform === 'win32') return env.APPDATA || p.join(env.USERPROFILE || home, 'AppData', 'Roaming');
  if (platform === 'darwin') return p.join(home, 'Library', 'Application Support');
  return env.XDG_CONFIG_HOME && p.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : p.join(home, '.config');
}

/** A portable install keeps its data beside the app: `data/user-data` (Windows, Linux) or `<App>-portable-data` (macOS). */
function portableDataDir(platform: NodeJS.Platform, executable: string, product: IdeProduct): string {
  const p = pathApi(platform);
  if (platform === 'darwin') {
    const bundle = executable.slice(0, executable.indexOf('.app/') + 4);
    if (bundle.length > 4) return p.join(p.dirname(bundle), `${product}-portable-data`, 'user-data');
  }
  return p.join(p.dirname(executable), 'data', 'user-data');
}

export const sameDir = (a: string, b: string, platform: NodeJS.Platform = process.platform): boolean => {
  const p = pathApi(platform);
  const norm = (d: string) => p.resolve(d).replace(/[\\/]+$/, '');
  return platform === 'linux' ? norm(a) === norm(b) : norm(a).toLowerCase() === norm(b).toLowerCase();
};

/**
 * Every place an IDE's state may be, most specific first, without duplicates:
 * a dir the user named; running instances; VSCODE_PORTABLE / VSCODE_APPDATA;
 * portable installs; then the OS defaults, "Antigravity IDE" before "Antigravity".
 * Only candidates whose database exists are returned, except the first default
 * (so a fresh machine is told where the IDE will keep it).
 */
export function locateInstallations(where: LocateEnvironment): IdeInstallation[] {
  const { platform, env, home } = where;
  const p = pathApi(platform);
  const found: IdeInstallation[] = [];
  const add = (candidate: Omit<IdeInstallation, 'dbPath'>, mustExist: boolean) => {
    const userDataDir = p.resolve(candidate.userDataDir);
    if (found.some((i) => sameDir(i.userDataDir, userDataDir, platform))) return;
    const dbPath = dbPathOf(userDataDir, platform);
    if (mustExist && !where.exists(dbPath)) return;
    found.push({ ...candidate, userDataDir, dbPath });
  };
  for (const dir of where.given ?? []) add({ product: 'Antigravity IDE', userDataDir: dir, source: 'given' }, false);
  for (const run of where.running ?? []) {
    if (run.userDataDir)
      add({ product: run.product, userDataDir: run.userDataDir, source: 'running', ...(run.executable ? { executable: run.executable } : {}) }, false);
  }
  if (env.VSCODE_PORTABLE) add({ product: 'Antigravity IDE', userDataDir: p.join(env.VSCODE_PORTABLE, 'user-data'), source: 'VSCODE_PORTABLE' }, true);
  for (const product of IDE_PRODUCTS) {
    if (env.VSCODE_APPDATA) add({ product, userDataDir: p.join(env.VSCODE_APPDATA, product), source: 'VSCODE_APPDATA' }, true);
  }
  const executables = [
    ...(where.executables ?? []),
    ...(where.running ?? []).flatMap((r) => (r.executable ? [{ product: r.product, path: r.executable }] : [])),
  ];
  for (const exe of executables)
    add({ product: exe.product, userDataDir: portableDataDir(platform, exe.path, exe.product), source: 'portable', executable: exe.path }, true);
  const root = appDataRoot(platform, env, home);
  const before = found.length;
  for (const product of IDE_PRODUCTS) add({ product, userDataDir: p.join(root, product), source: 'default' }, true);
  if (found.length === before) add({ product: 'Antigravity IDE', userDataDir: p.join(root, 'Antigravity IDE'), source: 'default' }, false);
  return found;
}

/** The `--user-data-dir` of a command line (`--user-data-dir X` or `--user-data-dir=X`). */
export function userDataDirArg(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--user-data-dir' && i + 1 < argv.length) return argv[i + 1];
    if (arg.startsWith('--user-data-dir=')) return arg.slice('--user-data-dir='.length);
  }
  return undefined;
}

/** Which product an executable path belongs to; never confuses "Antigravity" with "Antigravity IDE". */
export function productOfExecutable(executable: string): IdeProduct | undefined {
  const normalized = executable.replace(/\\/g, '/');
  const bundle = /\/(Antigravity(?: IDE)?)\.app\//.exec(normalized);
  if (bundle) return bundle[1] as IdeProduct;
  const base = normalized
    .slice(normalized.lastIndexOf('/') + 1)
    .replace(/\.exe$/i, '')
    .toLowerCase();
  if (base === 'antigravity-ide' || base === 'antigravity ide') return 'Antigravity IDE';
  if (base === 'antigravity') return 'Antigravity';
  return undefined;
}
