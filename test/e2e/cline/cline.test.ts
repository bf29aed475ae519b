/**
 * The Cline CLI (`cline`) with only what `agate connect cline` wrote: its
 * Anthropic provider with Agate's base URL (the default; Cline declares the
 * `web_search_20250305` server tool beside its function tools on every
 * request) and its OpenAI-compatible provider. One-shot `cline --json`
 * runs, tools auto-approved; the hub daemon each HOME gets is stopped after.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { clientCliBin } from '../../helpers/client-clis';
import { connectedClientSuite } from '../../helpers/connect-home';
import { runProcess } from '../../helpers/run-process';

let CLINE: string;

interface ClineEvent {
  type: string;
  finishReason?: string;
  [field: string]: unknown;
}

describe('Cline CLI, connected by agate connect', function () {
  this.timeout(120_000);
  before(function () {
    this.timeout(600_000); // a fresh machine installs the CLI first
    CLINE = clientCliBin('cline');
  });
  const suite = connectedClientSuite('cline', { beforeCleanup: (suite) => stopHub(suite.home.home) });

  async function cline(prompt: string, ...args: string[]) {
    const run = await runProcess(CLINE, ['--json', ...args, prompt], { cwd: suite.workDir, env: suite.home.env(), timeoutMs: 90_000 });
    const events = run.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as ClineEvent);
    const result = events.find((e) => e.type === 'run_result');
    return { ...run, events, result };
  }

  const generations = () => suite.stack.sim.log.filter((e) => e.method === 'streamGenerateContent' || e.method === 'generateContent');
  const declared = (entry: { body: unknown }) =>
    (entry.body as { request: { tools?: Array<Record<string, unknown> & { functionDeclarations?: Array<{ name: string }> }> } }).request.tools ?? [];

  for (const [route, path_, args] of [
    ['Anthropic provider (default)', '/v1/messages', [] as string[]],
    ['OpenAI-compatible provider', '/v1/chat/completions', ['-P', 'openai-compatible']],
  ] as const) {
    describe(route, () => {
      it('answers a plain prompt, streamed, with its function tools reaching the upstream', async () => {
        const run = await cline('Count for me please. [[sim:words 4]]', ...args);
        assert.equal(run.result?.finishReason, 'completed', `${run.stdout.slice(-3000)}\n${run.stderr.slice(-2000)}`);
        assert.match(run.stdout, /word1 word2 word3 word4/);
        const records = suite.stack.agate.observability!.monitor.list().filter((r) => r.path === path_);
        assert.ok(records.length > 0 && records.every((r) => r.stream), JSON.stringify(records.map((r) => [r.path, r.stream])));
        const [generation] = generations();
        const tools = declared(generation);
        const names = tools.flatMap((t) => (t.functionDeclarations ?? []).map((d) => d.name));
        assert.ok(names.includes('run_commands'), names.join(', '));
        assert.ok(!tools.some((t) => 'googleSearch' in t), 'web search dropped beside the functions');
        if (path_ === '/v1/messages') {
          // Cline declares Anthropic's web search server tool on every request: dropped, and said so in the monitor.
          assert.ok(
            records.some((r) => r.notes?.some((note) => /web_search_20250305.*cannot be combined with function tools/.test(note))),
            JSON.stringify(records.map((r) => r.notes)),
          );
        }
      });

      it('runs a shell command through run_commands and answers with its output', async () => {
        const marker = `marker-${path_.replace(/\W/g, '')}.txt`;
        const call = JSON.stringify({ commands: [`echo agate-cline-ok > ${marker} && cat ${marker}`] });
        const run = await cline(`Make the marker. [[sim:call run_commands ${call}]]`, ...args);
        assert.equal(run.result?.finishReason, 'completed', `${run.stdout.slice(-3000)}\n${run.stderr.slice(-2000)}`);
        assert.equal(fs.readFileSync(path.join(suite.workDir, marker), 'utf8'), 'agate-cline-ok\n');
        assert.match(run.stdout, /Tool run_commands returned: .*agate-cline-ok/);
      });
    });
  }
});

/** Cline leaves a hub daemon per HOME; its discovery record names the process. */
/** Stops Cline's background hub and waits until it is gone: it writes into the HOME the suite removes next. */
async function stopHub(home: string): Promise<void> {
  const record = path.join(home, '.cline', 'data', 'locks', 'hub', 'production.json');
  if (!fs.existsSync(record)) return;
  const { pid } = JSON.parse(fs.readFileSync(record, 'utf8')) as { pid?: number };
  if (!pid) return;
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(pid, 'SIGTERM');
  for (let waited = 0; alive() && waited < 5000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  if (alive()) process.kill(pid, 'SIGKILL');
}
