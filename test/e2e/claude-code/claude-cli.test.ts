/**
 * The real Claude Code CLI (`@anthropic-ai/claude-code`) pointed at Agate,
 * against the simulator: a plain answer, the stream-json transcript, and a
 * task where the model calls Claude Code's Write tool, Claude Code writes the
 * file, the tool result goes back and the final answer arrives — on a gemini-3
 * thinking model and on a claude thinking model.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LogEntry } from '../../../src/simulator';
import { runProcess, type ProcessRun } from '../../helpers/run-process';
import { startStack, type Stack } from '../../helpers/stack';

const CLAUDE = path.resolve(__dirname, '../../../node_modules/.bin/claude');
const RUN_TIMEOUT_MS = 20_000;

const isGeneration = (entry: LogEntry) => entry.method === 'streamGenerateContent' || entry.method === 'generateContent';

type ClaudeRun = ProcessRun;

/** A temp HOME that has completed onboarding, so the CLI asks nothing and calls nobody but Agate. */
function claudeHome(root: string): string {
  const home = path.join(root, 'home');
  fs.mkdirSync(path.join(home, '.claude'), { recursive: true });
  fs.writeFileSync(path.join(home, '.claude.json'), JSON.stringify({ hasCompletedOnboarding: true }));
  return home;
}

function runClaude(stack: Stack, root: string, args: string[], apiKey = 'sk-agate-test'): Promise<ClaudeRun> {
  const home = claudeHome(root);
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(ANTHROPIC_|CLAUDE_|AGATE_)/.test(name)));
  const env = {
    ...inherited,
    HOME: home,
    CLAUDE_CONFIG_DIR: path.join(home, '.claude'),
    ANTHROPIC_BASE_URL: stack.url,
    ANTHROPIC_API_KEY: apiKey,
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  };
  const cwd = path.join(root, 'work');
  fs.mkdirSync(cwd, { recursive: true });
  return runProcess(CLAUDE, args, { cwd, env, timeoutMs: RUN_TIMEOUT_MS });
}

interface ClaudeResult {
  type: 'result';
  subtype: string;
  is_error: boolean;
  api_error_status: number | null;
  result: string;
  num_turns: number;
}

function parseResult(run: ClaudeRun): ClaudeResult {
  assert.equal(run.code, 0, `claude exited ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  const result = JSON.parse(run.stdout) as ClaudeResult;
  assert.equal(result.is_error, false, run.stdout);
  assert.equal(result.api_error_status, null);
  return result;
}

describe('Claude Code CLI through Agate', function () {
  this.timeout(60_000);
  let stack: Stack;
  let root: string;

  before(async function () {
    if (!fs.existsSync(CLAUDE)) {
      console.warn(`skipping: the Claude Code binary is missing at ${CLAUDE} (npm ci installs @anthropic-ai/claude-code)`);
      this.skip();
    }
    stack = await startStack();
  });
  after(() => stack?.close());
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-claude-'));
    stack?.sim.reset();
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('claude -p "say hi": a plain answer from the simulator, through the gateway', async () => {
    const result = parseResult(await runClaude(stack, root, ['-p', 'say hi', '--model', 'claude-sonnet-4-6', '--output-format', 'json']));
    assert.equal(result.subtype, 'success');
    assert.match(result.result, /^Hello from claude-sonnet-4-6\. You said: /);
    const main = stack.sim.log.filter((entry) => isGeneration(entry) && entry.model === 'claude-sonnet-4-6');
    assert.ok(main.length >= 1 && main.every((entry) => entry.status === 200), JSON.stringify(main.map((entry) => [entry.model, entry.status])));
    // Claude Code's real request: 24 tools reached the strict upstream and were accepted.
    const declared = (main[0].body as any).request.tools.flatMap((tool: { functionDeclarations?: unknown[] }) => tool.functionDeclarations ?? []);
    assert.ok(declared.length >= 20, `${declared.length} tools declared`);
    assert.match(JSON.stringify((main[0].body as any).request.contents), /say hi/);
    assert.ok(
      stack.logs.some((line) => line.includes('"method":"HEAD"') && line.includes('"path":"/"') && line.includes('"status":200')),
      'Claude Code probed HEAD / and got 200',
    );
  });

  it('--output-format stream-json --verbose: init, the assistant message, then a successful result', async () => {
    const run = await runClaude(stack, root, ['-p', 'stream please', '--model', 'gemini-3-flash', '--output-format', 'stream-json', '--verbose']);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string; subtype?: string; message?: { content: Array<{ type: string; text?: string }> }; result?: string });
    assert.equal(lines[0].type, 'system');
    assert.equal(lines[0].subtype, 'init');
    const assistantText = lines
      .filter((line) => line.type === 'assistant')
      .flatMap((line) => line.message!.content)
      .filter((block) => block.type === 'text')
      .map((block) => block.text)
      .join('');
    assert.match(assistantText, /Hello from gemini-3-flash\. You said: /);
    const result = lines.at(-1)!;
    assert.equal(result.type, 'result');
    assert.equal(result.subtype, 'success');
    assert.equal(result.result, assistantText);
  });

  for (const model of ['gemini-3-flash', 'claude-opus-4-6-thinking']) {
    it(`${model}: the model calls Write, Claude Code writes the file, the result goes back, the final answer arrives`, async () => {
      const target = path.join(root, 'work', `written-by-${model}.txt`);
      const directive = `[[sim:call Write ${JSON.stringify({ file_path: target, content: 'hello' })}]]`;
      const run = await runClaude(stack, root, [
        '-p',
        `Create the file. ${directive}`,
        '--model',
        model,
        '--output-format',
        'json',
        '--permission-mode',
        'acceptEdits',
        '--allowedTools',
        'Write,Read,Edit,Bash',
      ]);
      const result = parseResult(run);
      assert.equal(fs.readFileSync(target, 'utf8'), 'hello');
      assert.match(result.result, /^Tool Write returned: .*File created successfully/);
      assert.ok(result.num_turns >= 2);

      const turns = stack.sim.log.filter((entry) => isGeneration(entry) && entry.model === model);
      assert.ok(turns.length >= 2 && turns.every((entry) => entry.status === 200), JSON.stringify(turns.map((entry) => entry.status)));
      // The second turn replays the signed call and carries Claude Code's tool result.
      const contents = (turns.at(-1)!.body as any).request.contents as Array<{ role: string; parts: Array<Record<string, any>> }>;
      const call = contents.flatMap((content) => content.parts).find((part) => part.functionCall?.name === 'Write');
      assert.ok(call?.thoughtSignature && call.thoughtSignature !== 'skip_thought_signature_validator', 'the call went back with its signature');
      const response = contents.at(-1)!.parts.find((part) => part.functionResponse)?.functionResponse;
      assert.equal(response?.name, 'Write');
      assert.equal(response?.id, call.functionCall.id);
    });
  }
});

describe('Claude Code CLI with a wrong Agate key', function () {
  this.timeout(60_000);
  let stack: Stack;
  let root: string;

  before(async function () {
    if (!fs.existsSync(CLAUDE)) this.skip();
    stack = await startStack({ flags: { authMode: 'strict' } });
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-claude-'));
  });
  after(async () => {
    await stack?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('stops at the first 401 and says "Invalid API key" instead of retrying silently', async () => {
    const run = await runClaude(stack, root, ['-p', 'say hi', '--output-format', 'json'], 'sk-agate-wrong');
    assert.notEqual(run.code, 0);
    const result = JSON.parse(run.stdout) as ClaudeResult;
    assert.equal(result.is_error, true);
    assert.equal(result.api_error_status, 401);
    assert.match(result.result, /Invalid API key/);
    const refused = stack.agate.observability!.monitor.list({ status: 401 });
    assert.ok(refused.length >= 1 && refused.length <= 2, `${refused.length} tries with the wrong key`);
    assert.equal(stack.sim.log.filter(isGeneration).length, 0);
  });
});
