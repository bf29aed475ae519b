/**
 * The Cline CLI (`cline`) with only what `agate connect cline` wrote: its
 * Anthropic provider with Agate's base URL (the default; Cline declares the
 * `web_search_20250305` server tool beside its function tools on every
 * request) and its OpenAI-compatible provider. One-shot `cline --json`
 * runs, tools auto-approved; the hub daemon each HOME gets is stopped after.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConnectedHome } from '../../helpers/connect-home';
import { runProcess } from '../../helpers/run-process';
import { startStack, type Stack } from '../../helpers/stack';

const CLINE = path.resolve('node_modules/.bin/cline');

interface ClineEvent {
  type: string;
  finishReason?: string;
  [field: string]: unknown;
}

describe('Cline CLI, connected by agate connect', function () {
  this.timeout(120_000);
  let stack: Stack;
  let home: ConnectedHome;
  let workDir: string;

  before(async () => {
    stack = await startStack({ flags: { authMode: 'strict' } });
    home = new ConnectedHome();
    await home.connect('cline', stack.url, '--key', await stack.agate.security.primaryKey());
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-cline-work-'));
  });
  after(async () => {
    stopHub(home.home);
    home.cleanup();
    fs.rmSync(workDir, { recursive: true, force: true });
    await stack.close();
  });
  beforeEach(() => stack.sim.reset());
  afterEach(() => {
    const failed = stack.agate.observability!.monitor.list().filter((record) => record.status >= 400);
    assert.deepEqual(failed.map((r) => `${r.status} ${r.path} ${r.error}`), [], 'no 4xx/5xx in the monitor');
  });

  async function cline(prompt: string, ...args: string[]) {
    const run = await runProcess(CLINE, ['--json', ...args, prompt], { cwd: workDir, env: home.env(), timeoutMs: 90_000 });
    const events = run.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as ClineEvent);
    const result = events.find((e) => e.type === 'run_result');
    return { ...run, events, result };
  }

  const generations = () => stack.sim.log.filter((e) => e.method === 'streamGenerateContent' || e.method === 'generateContent');
  const declared = (entry: { body: unknown }) =>
    ((entry.body as { request: { tools?: Array<Record<string, unknown> & { functionDeclarations?: Array<{ name: string }> }> } }).request.tools ?? []);

  for (const [route, path_, args] of [
    ['Anthropic provider (default)', '/v1/messages', [] as string[]],
    ['OpenAI-compatible provider', '/v1/chat/completions', ['-P', 'openai-compatible']],
  ] as const) {
    describe(route, () => {
      it('answers a plain prompt, streamed, with its function tools reaching the upstream', async () => {
        const run = await cline('Count for me please. [[sim:words 4]]', ...args);
        assert.equal(run.result?.finishReason, 'completed', `${run.stdout.slice(-3000)}\n${run.stderr.slice(-2000)}`);
        assert.match(run.stdout, /word1 word2 word3 word4/);
        const records = stack.agate.observability!.monitor.list().filter((r) => r.path === path_);
        assert.ok(records.length > 0 && records.every((r) => r.stream), JSON.stringify(records.map((r) => [r.path, r.stream])));
        const [generation] = generations();
        const tools = declared(generation);
        const names = tools.flatMap((t) => (t.functionDeclarations ?? []).map((d) => d.name));
        assert.ok(names.includes('run_commands'), names.join(', '));
        assert.ok(!tools.some((t) => 'googleSearch' in t), 'web search dropped beside the functions');
        if (path_ === '/v1/messages') {
          // Cline declares Anthropic's web search server tool on every request: dropped, and said so in the monitor.
          assert.ok(records.some((r) => r.notes?.some((note) => /web_search_20250305.*cannot be combined with function tools/.test(note))), JSON.stringify(records.map((r) => r.notes)));
        }
      });

      it('runs a shell command through run_commands and answers with its output', async () => {
        const marker = `marker-${path_.replace(/\W/g, '')}.txt`;
        const call = JSON.stringify({ commands: [`echo agate-cline-ok > ${marker} && cat ${marker}`] });
        const run = await cline(`Make the marker. [[sim:call run_commands ${call}]]`, ...args);
        assert.equal(run.result?.finishReason, 'completed', `${run.stdout.slice(-3000)}\n${run.stderr.slice(-2000)}`);
        assert.equal(fs.readFileSync(path.join(workDir, marker), 'utf8'), 'agate-cline-ok\n');
        assert.match(run.stdout, /Tool run_commands returned: .*agate-cline-ok/);
      });
    });
  }
});

/** Cline leaves a hub daemon per HOME; its discovery record names the process. */
function stopHub(home: string): void {
  const record = path.join(home, '.cline', 'data', 'locks', 'hub', 'production.json');
  if (!fs.existsSync(record)) return;
  const { pid } = JSON.parse(fs.readFileSync(record, 'utf8')) as { pid?: number };
  if (!pid) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
}
