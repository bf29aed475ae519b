/**
 * Runs the real Codex CLI (`codex exec`) against a gateway: a throw-away
 * CODEX_HOME whose config.toml points a model provider at the gateway's /v1
 * with the Responses wire API, and a throw-away working directory.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runProcess } from '../../helpers/run-process';

const CODEX = path.resolve('node_modules/.bin/codex');

/** One line of `codex exec --json`. */
export interface CodexEvent {
  type: string;
  item?: {
    id: string;
    type: string;
    text?: string;
    message?: string;
    command?: string;
    aggregated_output?: string;
    exit_code?: number | null;
    status?: string;
  };
  error?: { message: string };
  message?: string;
  usage?: Record<string, number>;
}

export interface CodexRun {
  exitCode: number | null;
  events: CodexEvent[];
  stderr: string;
  /** The directory Codex ran in (its workspace root). */
  workDir: string;
  /** The last agent message, '' when there is none. */
  answer: string;
}

export interface CodexSetup {
  /** The gateway's base URL (no /v1). */
  gatewayUrl: string;
  apiKey?: string;
  /** Hard limit; the run is killed after it. */
  timeoutMs?: number;
}

export class CodexHarness {
  private readonly home = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-codex-home-'));
  private readonly workDirs: string[] = [];

  constructor(private readonly setup: CodexSetup) {
    // No retries: a gateway failure must show, not hide behind Codex's own retry loop.
    fs.writeFileSync(
      path.join(this.home, 'config.toml'),
      [
        'model_provider = "agate"',
        '',
        '[model_providers.agate]',
        'name = "Agate"',
        `base_url = "${setup.gatewayUrl}/v1"`,
        'env_key = "AGATE_API_KEY"',
        'wire_api = "responses"',
        'request_max_retries = 0',
        'stream_max_retries = 0',
        '',
      ].join('\n'),
    );
  }

  /** `codex exec` with full access (as root, offline, the sandbox cannot be set up) and stdin closed. */
  async exec(model: string, prompt: string): Promise<CodexRun> {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-codex-work-'));
    this.workDirs.push(workDir);
    const args = ['exec', '--skip-git-repo-check', '--ephemeral', '--json', '-s', 'danger-full-access', '-m', model, prompt];
    const {
      code: exitCode,
      stdout,
      stderr,
    } = await runProcess(CODEX, args, {
      cwd: workDir,
      env: { ...process.env, CODEX_HOME: this.home, HOME: this.home, AGATE_API_KEY: this.setup.apiKey ?? 'sk-codex' },
      timeoutMs: this.setup.timeoutMs ?? 30_000,
    });
    const events = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as CodexEvent);
    const answer = events.filter((e) => e.type === 'item.completed' && e.item?.type === 'agent_message').at(-1)?.item?.text ?? '';
    return { exitCode, events, stderr, workDir, answer };
  }

  cleanup(): void {
    for (const dir of [this.home, ...this.workDirs]) fs.rmSync(dir, { recursive: true, force: true });
  }
}
