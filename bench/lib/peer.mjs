/**
 * The peer row: antigravity-claude-proxy from npm, installed at bench time into a temp dir (never a
 * dependency of Agate), pointed at the simulator by bench/peer-preload.cjs, with the simulator's demo
 * account, in its default sticky account selection. `installPeer` returns undefined with the reason when
 * it cannot be installed (no registry access, say): the bench then reports the row as missing.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PEER_PACKAGE = 'antigravity-claude-proxy';
export const PEER_VERSION = '2.0.4';
const here = path.dirname(fileURLToPath(import.meta.url));

/** npm install into `dir` (scripts off: its native SQLite module serves only the Antigravity-app import, unused here). */
export function installPeer(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['install', '--prefix', dir, '--no-audit', '--no-fund', '--ignore-scripts', '--no-save', `${PEER_PACKAGE}@${PEER_VERSION}`], {
    encoding: 'utf8',
    timeout: 180_000,
  });
  const cli = path.join(dir, 'node_modules', PEER_PACKAGE, 'bin/cli.js');
  if (result.status !== 0 || !fs.existsSync(cli)) {
    return {
      error: `npm install ${PEER_PACKAGE}@${PEER_VERSION} failed (${result.error?.message ?? `exit ${result.status}`}): ${(result.stderr ?? '').trim().split('\n').slice(-3).join(' ')}`,
    };
  }
  return { cli };
}

/** Arguments and environment to start the installed peer on `port` against `simUrl` with the demo account. */
export function peerCommand({ cli, home, port, simUrl, account }) {
  const configDir = path.join(home, '.config/antigravity-proxy');
  fs.mkdirSync(configDir, { recursive: true });
  fs.writeFileSync(
    path.join(configDir, 'accounts.json'),
    JSON.stringify({ accounts: [{ email: account.email, source: 'oauth', refreshToken: account.refreshToken, enabled: true }], activeIndex: 0 }),
  );
  return {
    args: ['--require', path.join(here, '../peer-preload.cjs'), cli, 'start'],
    env: { ...process.env, HOME: home, PORT: String(port), PEER_SIMULATOR_URL: simUrl },
  };
}
