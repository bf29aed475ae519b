/**
 * The real Codex CLI against Agate's Responses API and the upstream
 * simulator: a plain answer, and a task that needs one shell command, on a
 * Gemini 3 model (signed function calls) and on a Claude model.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startStack, type Stack } from '../../helpers/stack';
import { CodexHarness } from './run-codex';

type UpstreamBody = { model: string; request: Record<string, any> };
type Contents = Array<{ role: string; parts: Array<Record<string, any>> }>;

const generations = (stack: Stack) => stack.sim.log.filter((e) => e.method === 'streamGenerateContent' || e.method === 'generateContent');

const declaredNames = (body: UpstreamBody): string[] =>
  (body.request.tools ?? []).flatMap((tool: { functionDeclarations?: Array<{ name: string }> }) => (tool.functionDeclarations ?? []).map((d) => d.name));

describe('Codex CLI (codex exec) → Agate /v1/responses', function () {
  // Each run takes a few seconds: Codex starts, calls the gateway once or twice, and exits.
  this.timeout(45_000);
  let stack: Stack;
  let codex: CodexHarness;
  before(async () => {
    stack = await startStack();
    codex = new CodexHarness({ gatewayUrl: stack.url });
  });
  after(async () => {
    codex.cleanup();
    await stack.close();
  });
  beforeEach(() => stack.sim.reset());

  it('answers a prompt through the gateway', async () => {
    const run = await codex.exec('gemini-3-flash', 'Count for me, please. [[sim:words 6]]');
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.answer, 'word1 word2 word3 word4 word5 word6');
    assert.ok(run.events.some((e) => e.type === 'turn.completed' && (e.usage?.input_tokens ?? 0) > 0));

    const [entry] = generations(stack);
    assert.equal(entry.model, 'gemini-3-flash');
    assert.equal(entry.stream, true);
    const body = entry.body as UpstreamBody;
    const userText = (body.request.contents as Contents)
      .filter((c) => c.role === 'user')
      .flatMap((c) => c.parts.map((p) => p.text ?? ''))
      .join('\n');
    assert.match(userText, /Count for me, please\./);
    // Codex's developer messages (its instructions) become the system prompt.
    assert.ok(JSON.stringify(body.request.systemInstruction ?? '').length > 200, 'Codex instructions reach the upstream');
    // Its command tool is declared; its namespaced tools are flattened; its web_search tool is dropped.
    const names = declaredNames(body);
    assert.ok(names.includes('exec_command'), names.join(', '));
    assert.ok(!body.request.tools.some((tool: Record<string, unknown>) => 'googleSearch' in tool));
  });

  for (const model of ['gemini-3-flash', 'claude-sonnet-4-6']) {
    it(`${model}: runs one shell command the model asks for and reports its output`, async () => {
      const command = 'echo agate-codex-ok > marker.txt && cat marker.txt';
      const run = await codex.exec(model, `Create the marker file. [[sim:call exec_command ${JSON.stringify({ cmd: command })}]]`);
      assert.equal(run.exitCode, 0, run.stderr);

      // The command really ran in Codex's working directory.
      assert.equal(fs.readFileSync(path.join(run.workDir, 'marker.txt'), 'utf8'), 'agate-codex-ok\n');
      const execution = run.events.find((e) => e.type === 'item.completed' && e.item?.type === 'command_execution')?.item;
      assert.ok(execution, JSON.stringify(run.events));
      assert.match(execution.command ?? '', /echo agate-codex-ok/);
      assert.equal(execution.exit_code, 0);
      assert.equal(execution.aggregated_output, 'agate-codex-ok\n');

      // The final answer is the model's reply to the command's output.
      assert.match(run.answer, /^Tool exec_command returned: .*agate-codex-ok/s);

      // Two upstream turns: the call, then its result sent back with the (signed, on Gemini 3) call.
      const turns = generations(stack);
      assert.equal(turns.length, 2);
      const contents = (turns[1].body as UpstreamBody).request.contents as Contents;
      const callTurn = contents.find((c) => c.role === 'model' && c.parts.some((p) => p.functionCall));
      const callPart = callTurn?.parts.find((p) => p.functionCall);
      assert.equal(callPart?.functionCall.name, 'exec_command');
      assert.deepEqual(callPart?.functionCall.args, { cmd: command });
      if (model.startsWith('gemini-3')) assert.match(callPart?.thoughtSignature ?? '', /\S{16,}/);
      const response = contents.at(-1)?.parts.find((p) => p.functionResponse);
      assert.equal(response?.functionResponse.name, 'exec_command');
      assert.match(JSON.stringify(response?.functionResponse.response), /agate-codex-ok/);
    });
  }

  it('reports a gateway error (unknown model) as a failed turn with the gateway’s message', async () => {
    const run = await codex.exec('no-such-model', 'hello');
    assert.notEqual(run.exitCode, 0);
    const failed = run.events.find((e) => e.type === 'turn.failed');
    assert.match(failed?.error?.message ?? '', /model no-such-model not found/);
    assert.equal(generations(stack).length, 0);
  });

  it('every account exhausted: Codex shows the 429 and stops', async () => {
    stack.sim.injectFault({ kind: 'quota_exhausted', resetInMs: 2 * 3600_000, model: 'gemini-3.1-flash-lite', times: Infinity });
    try {
      const run = await codex.exec('gemini-3.1-flash-lite', 'hello');
      assert.notEqual(run.exitCode, 0);
      assert.match(run.events.find((e) => e.type === 'turn.failed')?.error?.message ?? '', /429 Too Many Requests/);
      assert.equal(run.answer, '');
    } finally {
      stack.sim.clearFaults();
    }
  });

  it('an answer that breaks off mid-stream: Codex shows the response.failed message', async () => {
    stack.sim.injectFault({ kind: 'reset_after', frames: 2, model: 'claude-sonnet-4-6' });
    const run = await codex.exec('claude-sonnet-4-6', 'Talk for a while. [[sim:words 60]]');
    assert.notEqual(run.exitCode, 0);
    assert.match(run.events.find((e) => e.type === 'turn.failed')?.error?.message ?? '', /The answer broke off/);
  });
});
