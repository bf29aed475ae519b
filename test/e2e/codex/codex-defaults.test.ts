/**
 * Codex 0.169 with only what `agate connect codex` wrote — no model line: it
 * sends its own default model (gpt-6.1-sol), declares its tools in an
 * `additional_tools` input item and runs commands through its freeform `exec`
 * tool (JavaScript calling `tools.exec_command`).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConnectedHome } from '../../helpers/connect-home';
import { runProcess } from '../../helpers/run-process';
import { startStack, type Stack } from '../../helpers/stack';
import type { CodexEvent } from './run-codex';

const CODEX = path.resolve('node_modules/.bin/codex');

describe('Codex CLI with its defaults, connected by agate connect', function () {
  this.timeout(90_000);
  let stack: Stack;
  let home: ConnectedHome;
  const workDirs: string[] = [];

  before(async () => {
    // Strict auth: the key connect wrote must reach the gateway.
    stack = await startStack({ flags: { authMode: 'strict' } });
    home = new ConnectedHome();
    await home.connect('codex', stack.url, '--key', await stack.agate.security.primaryKey());
    assert.doesNotMatch(fs.readFileSync(path.join(home.home, '.codex', 'config.toml'), 'utf8'), /^model\s*=/m);
  });
  after(async () => {
    home.cleanup();
    for (const dir of workDirs) fs.rmSync(dir, { recursive: true, force: true });
    await stack.close();
  });
  beforeEach(() => stack.sim.reset());
  afterEach(() => {
    const failed = stack.agate.observability!.monitor.list().filter((record) => record.status >= 400);
    assert.deepEqual(
      failed.map((r) => `${r.status} ${r.path} ${r.error}`),
      [],
      'no 4xx/5xx in the monitor',
    );
  });

  async function exec(prompt: string) {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-codex-work-'));
    workDirs.push(workDir);
    const run = await runProcess(CODEX, ['exec', '--skip-git-repo-check', '--ephemeral', '--json', '-s', 'danger-full-access', prompt], {
      cwd: workDir,
      env: home.env(),
      timeoutMs: 60_000,
    });
    const events = run.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as CodexEvent);
    const answer = events.filter((e) => e.type === 'item.completed' && e.item?.type === 'agent_message').at(-1)?.item?.text ?? '';
    return { ...run, events, answer, workDir };
  }

  const generations = () => stack.sim.log.filter((e) => e.method === 'streamGenerateContent' || e.method === 'generateContent');

  it('answers a plain prompt, streamed, on the model its default id maps to; the monitor shows the mapping', async () => {
    const run = await exec('Count for me, please. [[sim:words 6]]');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.answer, 'word1 word2 word3 word4 word5 word6');
    const [generation] = generations();
    assert.equal(generation.stream, true);
    assert.equal(generation.model, 'gemini-3.1-pro-high');
    const record = stack.agate.observability!.monitor.list().find((r) => r.path === '/v1/responses');
    assert.deepEqual([record?.clientModel, record?.upstreamModel, record?.stream], ['gpt-6.1-sol', 'gemini-3.1-pro-high', true]);
    // Its tools came in an additional_tools item: the exec tool reaches the upstream.
    const names = ((generation.body as { request: { tools?: Array<{ functionDeclarations?: Array<{ name: string }> }> } }).request.tools ?? []).flatMap(
      (tool) => (tool.functionDeclarations ?? []).map((d) => d.name),
    );
    assert.ok(names.includes('functions__exec'), names.join(', '));
  });

  it('runs a shell command through its exec tool and answers with the output', async () => {
    const script = 'const r = await tools.exec_command({cmd: "echo agate-codex-ok > marker.txt && cat marker.txt"}); text(JSON.stringify(r));';
    const run = await exec(`Create the marker file. [[sim:call functions__exec ${JSON.stringify({ input: script })}]]`);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(fs.readFileSync(path.join(run.workDir, 'marker.txt'), 'utf8'), 'agate-codex-ok\n');
    assert.match(run.answer, /^Tool functions__exec returned: .*agate-codex-ok/s);
    assert.equal(generations().length, 2);
  });
});
