import fs from 'node:fs';
import os from 'node:os';
import { locateInstallations, productOfExecutable, userDataDirArg, type IdeInstallation } from './installations';
import type { ProcessTable } from './processes';

/**
 * The installations on this machine: a dir the user named, running
 * instances (their `--user-data-dir`), VSCODE_PORTABLE / VSCODE_APPDATA,
 * portable installs, then the OS defaults.
 */
export async function findInstallations(options: {
  table: ProcessTable;
  userDataDir?: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
  platform?: NodeJS.Platform;
}): Promise<IdeInstallation[]> {
  const processes = await options.table.list().catch(() => []);
  const running = processes.flatMap((p) => {
    if (p.argv.some((a) => a.startsWith('--type='))) return [];
    const product = productOfExecutable(p.executable);
    if (!product) return [];
    const userDataDir = userDataDirArg(p.argv);
    return [{ product, executable: p.executable, ...(userDataDir ? { userDataDir } : {}) }];
  });
  return locateInstallations({
    platform: options.platform ?? process.platform,
    env: options.env ?? process.env,
    home: options.home ?? os.homedir(),
    given: options.userDataDir ? [options.userDataDir] : [],
    running,
    exists: (file) => fs.existsSync(file),
  });
}
