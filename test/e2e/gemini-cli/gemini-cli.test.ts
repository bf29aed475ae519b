/**
 * The real gemini-cli, offline, pointed at the gateway with its Gemini API
 * base-URL override (`GOOGLE_GEMINI_BASE_URL`) and the gateway key as its API
 * key: it must answer a prompt and carry out a tool call the simulated model
 * asks for. It runs headless: a private HOME whose settings select API-key
 * auth (else it exits 41), a trusted workspace, and `--approval-mode yolo` (without
 * it the shell and write tools are not declared).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStack, type Stack } from '../../helpers/stack';
import { upstreamGenerations, type UpstreamGeneration } from '../gemini/upstream';

const GEMINI_BIN = path.resolve('node_modules/.bin/gemini');
const MODEL = 'gemini-3-flash';
const CLI_TIMEOUT_MS = 30_000;

interface CliResult {
  response?: string;
  error?: { message: string };
  stats: {
    models: Record<string, { api: { totalRequests: number; totalErrors: number } }>;
    tools: { totalCalls: number; totalSuccess: number; byName: Record<string, unknown> };
  };
}

/** A HOME that selects API-key auth and turns off telemetry and update checks, so the CLI never waits on the network. */
function makeHome(): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-gemini-home-'));
  fs.mkdirSync(path.join(home, '.gemini'));
  const settings = {
    security: { auth: { selectedType: 'gemini-api-key' } },
    general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
  };
  fs.writeFileSync(path.join(home, '.gemini', 'settings.json'), JSON.stringify(settings));
  return home;
}

describe('gemini-cli e2e: through the gateway', function () {
  this.timeout(CLI_TIMEOUT_MS + 10_000);
  let stack: Stack;
  let key: string;
  let home: string;
  let workspace: string;

  before(async () => {
    // Strict auth: the CLI's API key must be the gateway key, and it reaches the gateway as x-goog-api-key.
    stack = await startStack({ flags: { authMode: 'strict' } });
    key = await stack.agate.security.primaryKey();
    home = makeHome();
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-gemini-ws-'));
  });
  after(async () => {
    await stack.close();
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(workspace, { recursive: true, force: true });
  });
  beforeEach(() => stack.sim.reset());

  function runGemini(prompt: string): Promise<CliResult> {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      GOOGLE_GEMINI_BASE_URL: stack.url,
      GEMINI_API_KEY: key,
      GEMINI_CLI_TRUST_WORKSPACE: 'true',
      GEMINI_CLI_NO_RELAUNCH: 'true',
      NO_COLOR: '1',
    };
    const args = ['--skip-trust', '--approval-mode', 'yolo', '-m', MODEL, '-o', 'json', '-p', prompt];
    return new Promise((resolve, reject) => {
      const child = execFile(GEMINI_BIN, args, { env, cwd: workspace, timeout: CLI_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
        // A failed run still prints its JSON (with `error`); only a run without output is a test failure here.
        const start = stdout.indexOf('{');
        if (start < 0) return reject(new Error(`gemini printed no JSON (${err?.message ?? 'exit 0'}): ${stderr.slice(-2000)}`));
        resolve(JSON.parse(stdout.slice(start)) as CliResult);
      });
      child.stdin?.end();
    });
  }

  /** Every request the CLI made (extra ones included) was answered: none failed at the gateway or upstream. */
  function assertAllAnswered(result: CliResult): void {
    for (const [model, { api }] of Object.entries(result.stats.models)) assert.equal(api.totalErrors, 0, `${model}: ${JSON.stringify(api)}`);
    for (const entry of stack.sim.log) assert.equal(entry.status, 200, `${entry.method} ${entry.model ?? ''}`);
  }

  const lastUserText = (generation: UpstreamGeneration): string => {
    const last = generation.request.contents[generation.request.contents.length - 1];
    return last.parts.map((part) => part.text ?? '').join('\n');
  };

  it('answers a prompt non-interactively with the upstream’s answer', async () => {
    const result = await runGemini('Say hi to the gateway.');
    assert.equal(result.error, undefined, JSON.stringify(result.error));
    // The simulator echoes the start of the last user turn, which gemini-cli opens with its session context.
    assert.match(result.response ?? '', new RegExp(`^Hello from ${MODEL}\\. You said: <session_context>`));

    assertAllAnswered(result);
    const generations = upstreamGenerations(stack.sim);
    const main = generations.find((generation) => lastUserText(generation).includes('Say hi to the gateway.'));
    assert.ok(main, 'the upstream saw the prompt');
    assert.equal(main.model, MODEL);
    assert.equal((main.request.generationConfig?.thinkingConfig as { includeThoughts?: boolean }).includeThoughts, true);
    // gemini-cli renames the model for API-key users; a default alias brings it back (stats name what it asked for).
    const asked = Object.keys(result.stats.models);
    assert.ok(asked.length > 0 && asked.every((id) => id.startsWith('gemini-3')), asked.join(', '));
    const declared = (main.request.tools ?? []).flatMap((tool) => (tool.functionDeclarations as Array<{ name: string }> | undefined) ?? []);
    for (const name of ['write_file', 'run_shell_command', 'read_file'])
      assert.ok(
        declared.some((d) => d.name === name),
        `declares ${name}`,
      );
  });

  it('completes a tool call: write_file writes the file and the result goes back upstream', async () => {
    const target = path.join(workspace, 'agate-note.txt');
    const args = JSON.stringify({ file_path: target, content: 'written through agate\n' });
    const result = await runGemini(`Save the note. [[sim:call write_file ${args}]]`);
    assert.equal(result.error, undefined, JSON.stringify(result.error));

    assert.equal(fs.readFileSync(target, 'utf8'), 'written through agate\n');
    assert.equal(result.stats.tools.totalCalls, 1);
    assert.equal(result.stats.tools.totalSuccess, 1);
    assert.match(result.response ?? '', /^Tool write_file returned: \{"output":"Successfully created and wrote to new file: /);

    assertAllAnswered(result);
    const generations = upstreamGenerations(stack.sim);
    const followUp = generations[generations.length - 1];
    const [callTurn, resultTurn] = followUp.request.contents.slice(-2);
    const call = callTurn.parts.find((part) => part.functionCall);
    assert.equal(call?.functionCall?.name, 'write_file');
    // The CLI replays the signature the upstream issued; the upstream checked it (all answered 200).
    assert.ok(call?.thoughtSignature && call.thoughtSignature !== 'skip_thought_signature_validator', JSON.stringify(call));
    const response = resultTurn.parts.find((part) => part.functionResponse)?.functionResponse;
    assert.equal(response?.name, 'write_file');
    assert.equal(response?.id, call?.functionCall?.id);
    assert.match(String(response?.response.output), /^Successfully created and wrote to new file: /);
  });
});
