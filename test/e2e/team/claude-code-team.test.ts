/**
 * The real Claude Code CLI against a team of two gateways (one redis-server, one simulator) through a
 * round-robin front: the model calls Write on one instance, Claude Code writes the file, and the turn that
 * carries the tool result lands on the other instance, which must replay the call with the signature the
 * first instance received (Anthropic's tool_use block has no field for it: only the shared cache has it).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LogEntry } from '../../../src/simulator';
import { runProcess } from '../../helpers/run-process';
import { startRoundRobinFront, type RoundRobinFront } from './round-robin';
import { startTeamStack, type TeamStack } from './team-stack';

const CLAUDE = path.resolve(__dirname, '../../../node_modules/.bin/claude');
const SENTINEL = 'skip_thought_signature_validator';
const isGeneration = (entry: LogEntry) => entry.method === 'streamGenerateContent' || entry.method === 'generateContent';

function runClaude(baseUrl: string, root: string, args: string[]) {
  const home = path.join(root, 'home');
  fs.mkdirSync(path.join(home, '.claude'), { recursive: true });
  fs.writeFileSync(path.join(home, '.claude.json'), JSON.stringify({ hasCompletedOnboarding: true }));
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(ANTHROPIC_|CLAUDE_|AGATE_)/.test(name)));
  const env = {
    ...inherited,
    HOME: home,
    CLAUDE_CONFIG_DIR: path.join(home, '.claude'),
    ANTHROPIC_BASE_URL: baseUrl,
    ANTHROPIC_API_KEY: 'sk-agate-test',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  };
  const cwd = path.join(root, 'work');
  fs.mkdirSync(cwd, { recursive: true });
  return runProcess(CLAUDE, args, { cwd, env, timeoutMs: 30_000 });
}

describe('team: Claude Code across two instances', function () {
  this.timeout(90_000);
  let team: TeamStack;
  let front: RoundRobinFront;
  let root: string;

  before(async function () {
    if (!fs.existsSync(CLAUDE)) {
      console.warn(`skipping: the Claude Code binary is missing at ${CLAUDE} (npm ci installs @anthropic-ai/claude-code)`);
      this.skip();
    }
    team = await startTeamStack();
    front = await startRoundRobinFront(team.urls);
  });
  after(async () => {
    await front?.close();
    await team?.close();
  });
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-team-claude-'));
    team?.sim.reset();
    if (front) front.forwarded.length = 0;
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  for (const model of ['claude-opus-4-6-thinking', 'gemini-3-flash']) {
    it(`${model}: the tool result turn runs on the other instance and replays the call with its real signature`, async () => {
      const target = path.join(root, 'work', `team-${model}.txt`);
      const directive = `[[sim:call Write ${JSON.stringify({ file_path: target, content: 'team' })}]]`;
      const run = await runClaude(front.url, root, [
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
      assert.equal(run.code, 0, `claude exited ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
      const result = JSON.parse(run.stdout) as { is_error: boolean; result: string; num_turns: number };
      assert.equal(result.is_error, false, run.stdout);
      assert.equal(fs.readFileSync(target, 'utf8'), 'team');
      assert.match(result.result, /^Tool Write returned: .*File created successfully/);

      // The model's turns went to instance 0, then 1 (then 0 …): each turn on the other instance.
      const turns = front.forwarded.filter((f) => f.method === 'POST' && f.model === model);
      assert.ok(turns.length >= 2, JSON.stringify(front.forwarded));
      turns.forEach((turn, index) => assert.equal(turn.instance, index % 2));
      assert.ok(
        turns.every((turn) => turn.status === 200),
        JSON.stringify(turns),
      );

      const upstream = team.sim.log.filter((entry) => isGeneration(entry) && entry.model === model);
      assert.ok(
        upstream.every((entry) => entry.status === 200),
        JSON.stringify(upstream.map((entry) => entry.status)),
      );
      const contents = (upstream.at(-1)!.body as any).request.contents as Array<{ parts: Array<Record<string, any>> }>;
      const call = contents.flatMap((content) => content.parts).find((part) => part.functionCall?.name === 'Write');
      assert.ok(call?.thoughtSignature && call.thoughtSignature !== SENTINEL, 'the call went back with the signature the other instance received');
    });
  }
});
