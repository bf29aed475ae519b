/**
 * A private HOME holding only what `agate connect <client>` writes: the
 * end-to-end tests of the real clients run with nothing else configured.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, cleanEnv, ensureCliBuilt } from '../e2e/foundation/cli-process';
import { runProcess, type ProcessRun } from './run-process';
import { startStack, type Stack } from './stack';

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
    for (const name of [
      'CODEX_HOME',
      'CLAUDE_CONFIG_DIR',
      'CLINE_DIR',
      'CLINE_DATA_DIR',
      'GEMINI_API_KEY',
      'GOOGLE_GEMINI_BASE_URL',
      'ANTHROPIC_BASE_URL',
      'ANTHROPIC_API_KEY',
      'ANTHROPIC_AUTH_TOKEN',
      'OPENAI_API_KEY',
      'OPENAI_BASE_URL',
    ]) {
      if (!(name in extra)) delete env[name];
    }
    return env;
  }

  /** `agate connect <client> --yes --url <gateway>` as a user runs it, with this HOME. */
  async connect(client: string, gatewayUrl: string, ...args: string[]): Promise<ProcessRun> {
    ensureCliBuilt();
    const run = await runProcess(
      process.execPath,
      [CLI, 'connect', client, '--yes', '--url', gatewayUrl, '--data-dir', path.join(this.home, '.agate'), ...args],
      {
        env: this.env(),
        timeoutMs: 30_000,
      },
    );
    if (run.code !== 0) throw new Error(`agate connect ${client} failed (${run.code}): ${run.stdout}${run.stderr}`);
    return run;
  }

  cleanup(): void {
    // A client's background process may still be closing files in it.
    fs.rmSync(this.home, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
}

/** What a connected client's suite shares: set in `before`, valid in every test. */
export interface ConnectedSuite {
  stack: Stack;
  home: ConnectedHome;
  /** A scratch folder the client works in. */
  workDir: string;
}

/**
 * Registers the hooks of a real client's end-to-end suite: a gateway with strict auth, a HOME holding only what
 * `agate connect <client>` wrote (with the primary key, so the key it wrote must reach the gateway), a scratch
 * folder, and after each test the check that the monitor saw no 4xx/5xx.
 */
export function connectedClientSuite(client: string, options: { beforeCleanup?: (suite: ConnectedSuite) => void | Promise<void> } = {}): ConnectedSuite {
  const suite = {} as ConnectedSuite;
  before(async () => {
    suite.stack = await startStack({ flags: { authMode: 'strict' } });
    suite.home = new ConnectedHome();
    await suite.home.connect(client, suite.stack.url, '--key', await suite.stack.agate.security.primaryKey());
    suite.workDir = fs.mkdtempSync(path.join(os.tmpdir(), `agate-${client}-work-`));
  });
  after(async () => {
    if (suite.home) await options.beforeCleanup?.(suite);
    suite.home?.cleanup();
    if (suite.workDir) fs.rmSync(suite.workDir, { recursive: true, force: true });
    await suite.stack?.close();
  });
  beforeEach(() => suite.stack.sim.reset());
  afterEach(() => {
    const failed = suite.stack.agate.observability!.monitor.list().filter((record) => record.status >= 400);
    assert.deepEqual(
      failed.map((r) => `${r.status} ${r.path} ${r.error}`),
      [],
      'no 4xx/5xx in the monitor',
    );
  });
  return suite;
}
