/**
 * A private HOME holding only what `agate connect <client>` writes: the
 * end-to-end tests of the real clients run with nothing else configured.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, cleanEnv, ensureCliBuilt } from '../e2e/foundation/cli-process';
import { runProcess, type ProcessRun } from './run-process';

export class ConnectedHome {
  readonly home = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-home-'));

  /** The environment a client runs with: this HOME and XDG dirs inside it, nothing of the machine's own config. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env = cleanEnv({
      HOME: this.home,
      XDG_CONFIG_HOME: path.join(this.home, '.config'),
      XDG_DATA_HOME: path.join(this.home, '.local', 'share'),
      XDG_STATE_HOME: path.join(this.home, '.local', 'state'),
      XDG_CACHE_HOME: path.join(this.home, '.cache'),
      ...extra,
    });
    for (const name of ['CODEX_HOME', 'CLAUDE_CONFIG_DIR', 'CLINE_DIR', 'CLINE_DATA_DIR', 'GEMINI_API_KEY', 'GOOGLE_GEMINI_BASE_URL', 'ANTHROPIC_BASE_URL', 'ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'OPENAI_API_KEY', 'OPENAI_BASE_URL']) {
      if (!(name in extra)) delete env[name];
    }
    return env;
  }

  /** `agate connect <client> --yes --url <gateway>` as a user runs it, with this HOME. */
  async connect(client: string, gatewayUrl: string, ...args: string[]): Promise<ProcessRun> {
    ensureCliBuilt();
    const run = await runProcess(process.execPath, [CLI, 'connect', client, '--yes', '--url', gatewayUrl, '--data-dir', path.join(this.home, '.agate'), ...args], {
      env: this.env(),
      timeoutMs: 30_000,
    });
    if (run.code !== 0) throw new Error(`agate connect ${client} failed (${run.code}): ${run.stdout}${run.stderr}`);
    return run;
  }

  cleanup(): void {
    fs.rmSync(this.home, { recursive: true, force: true });
  }
}
