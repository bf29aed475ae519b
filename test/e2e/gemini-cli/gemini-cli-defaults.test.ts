/**
 * gemini-cli with only what `agate connect gemini-cli` wrote (its settings and
 * its `.env`) and no `-m`: its model router first asks a small model to
 * classify the prompt in JSON mode, then answers on the model it picked.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { connectedClientSuite } from '../../helpers/connect-home';
import { runProcess } from '../../helpers/run-process';
import { upstreamGenerations } from '../gemini/upstream';

const GEMINI_BIN = path.resolve('node_modules/.bin/gemini');

interface CliResult {
  response?: string;
  error?: { message: string };
  stats: { models: Record<string, { api: { totalRequests: number; totalErrors: number } }>; tools: { totalCalls: number; totalSuccess: number } };
}

describe('gemini-cli with its defaults, connected by agate connect', function () {
  this.timeout(90_000);
  const suite = connectedClientSuite('gemini-cli');

  async function gemini(prompt: string): Promise<CliResult> {
    // Flags only: the connection itself comes from the files connect wrote. gemini-cli reads its .env only in a
    // trusted folder (--skip-trust trusts this one); yolo declares the shell and write tools.
    const run = await runProcess(GEMINI_BIN, ['--skip-trust', '--approval-mode', 'yolo', '-o', 'json', '-p', prompt], {
      cwd: suite.workDir,
      env: suite.home.env({ NO_COLOR: '1', GEMINI_CLI_NO_RELAUNCH: 'true' }),
      timeoutMs: 60_000,
    });
    const start = run.stdout.indexOf('{');
    if (start < 0) throw new Error(`gemini printed no JSON (exit ${run.code}): ${run.stderr.slice(-2000)}`);
    return JSON.parse(run.stdout.slice(start)) as CliResult;
  }

  it('routes with a JSON-mode classification, then answers the prompt, streamed', async () => {
    const result = await gemini('Say hi to the gateway.');
    assert.equal(result.error, undefined, JSON.stringify(result.error));
    assert.match(result.response ?? '', /^Hello from gemini-3[.\w-]*\. You said: /);
    const generations = upstreamGenerations(suite.stack.sim);
    const classification = generations.find((g) => g.request.generationConfig?.responseMimeType === 'application/json');
    assert.ok(classification, 'the router asked for JSON');
    const main = generations.find(
      (g) => g.method === 'streamGenerateContent' && g !== classification && JSON.stringify(g.request.contents).includes('Say hi to the gateway.'),
    );
    assert.ok(main, 'the answer was streamed');
    for (const [model, { api }] of Object.entries(result.stats.models)) assert.equal(api.totalErrors, 0, `${model}: ${JSON.stringify(api)}`);
  });

  it('runs a shell command through run_shell_command', async () => {
    const args = JSON.stringify({ command: 'echo agate-gemini-ok > marker.txt && cat marker.txt' });
    const result = await gemini(`Make the marker. [[sim:call run_shell_command ${args}]]`);
    assert.equal(result.error, undefined, JSON.stringify(result.error));
    assert.equal(fs.readFileSync(path.join(suite.workDir, 'marker.txt'), 'utf8'), 'agate-gemini-ok\n');
    assert.equal(result.stats.tools.totalSuccess, 1);
    assert.match(result.response ?? '', /^Tool run_shell_command returned: .*agate-gemini-ok/s);
  });
});
