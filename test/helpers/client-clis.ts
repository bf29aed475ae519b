/**
 * The real CLIs that are not devDependencies (see scripts/setup-client-clis.sh for why): installed on first use
 * into a cache folder, then found there.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

let installDir: string | undefined;

/** The path of a client CLI's binary; the first call installs them (minutes on a fresh machine). */
export function clientCliBin(name: 'opencode' | 'cline'): string {
  installDir ??= execFileSync('bash', [path.resolve('scripts/setup-client-clis.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    .trim()
    .split('\n')
    .at(-1)!;
  return path.join(installDir, 'node_modules', '.bin', name);
}
