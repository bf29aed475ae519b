/**
 * The real Codex CLI against a team of two gateways through a round-robin front: the model asks for a shell
 * command on one instance, Codex runs it, and the turn with its output lands on the other instance. Codex
 * does not use `previous_response_id` (it replays the whole input with `store: false`), so that chain is
 * proven with the openai SDK (sdk-across-instances.test.ts); here the replayed Gemini 3 call must still
 * reach the upstream signed.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CodexHarness } from '../codex/run-codex';
import { startRoundRobinFront, type RoundRobinFront } from './round-robin';
import { startTeamStack, type TeamStack } from './team-stack';

const SENTINEL = 'skip_thought_signature_validator';
type Contents = Array<{ role: string; parts: Array<Record<string, any>> }>;

describe('team: Codex across two instances', function () {
  this.timeout(60_000);
  let team: TeamStack;
  let front: RoundRobinFront;
  let codex: CodexHarness;

  before(async function () {
    if (!fs.existsSync(path.resolve('node_modules/.bin/codex'))) this.skip();
    team = await startTeamStack();
    front = await startRoundRobinFront(team.urls);
    codex = new CodexHarness({ gatewayUrl: front.url });
  });
  after(async () => {
    codex?.cleanup();
    await front?.close();
    await team?.close();
  });

  for (const model of ['gemini-3-flash', 'claude-sonnet-4-6']) {
    it(`${model}: the command's output goes back on the other instance and the answer arrives`, async () => {
      team.sim.reset();
      front.forwarded.length = 0;
      const command = 'echo agate-team-ok > marker.txt && cat marker.txt';
      const run = await codex.exec(model, `Create the marker file. [[sim:call exec_command ${JSON.stringify({ cmd: command })}]]`);
      assert.equal(run.exitCode, 0, run.stderr);
      assert.equal(fs.readFileSync(path.join(run.workDir, 'marker.txt'), 'utf8'), 'agate-team-ok\n');
      assert.match(run.answer, /^Tool exec_command returned: .*agate-team-ok/s);

      const turns = front.forwarded.filter((f) => f.method === 'POST' && f.model === model);
      assert.deepEqual(
        turns.map((turn) => [turn.instance, turn.status]),
        [
          [0, 200],
          [1, 200],
        ],
      );
      const upstream = team.sim.log.filter((e) => e.method === 'streamGenerateContent' || e.method === 'generateContent');
      const contents = (upstream.at(-1)!.body as { request: { contents: Contents } }).request.contents;
      const callPart = contents.flatMap((content) => content.parts).find((part) => part.functionCall);
      assert.equal(callPart?.functionCall.name, 'exec_command');
      if (model.startsWith('gemini-3')) assert.ok(callPart?.thoughtSignature && callPart.thoughtSignature !== SENTINEL, 'signed on the other instance');
    });
  }
});
