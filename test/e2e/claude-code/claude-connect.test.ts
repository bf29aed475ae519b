/**
 * Claude Code with only what `agate connect claude-code` wrote (the `env` of
 * ~/.claude/settings.json) and no --model: its default Opus id reaches the
 * upstream through the built-in aliases; a plain answer (streamed), and a
 * round trip through its Write tool.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { connectedClientSuite } from '../../helpers/connect-home';
import { runProcess } from '../../helpers/run-process';

const CLAUDE = path.resolve(__dirname, '../../../node_modules/.bin/claude');

interface ClaudeResult {
  is_error: boolean;
  api_error_status: number | null;
  result: string;
}

describe('Claude Code with its defaults, connected by agate connect', function () {
  this.timeout(90_000);
  const suite = connectedClientSuite('claude-code');

  async function claude(prompt: string, ...args: string[]): Promise<ClaudeResult> {
    const run = await runProcess(CLAUDE, ['-p', prompt, '--output-format', 'json', ...args], { cwd: suite.workDir, env: suite.home.env(), timeoutMs: 60_000 });
    assert.equal(run.code, 0, `claude exited ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
    return JSON.parse(run.stdout) as ClaudeResult;
  }

  const mainRequests = () =>
    suite.stack.agate.observability!.monitor.list().filter((r) => r.path === '/v1/messages' && r.clientModel.startsWith('claude-opus'));

  it('answers a plain prompt on the model its default Opus id maps to, streamed', async () => {
    const result = await claude('Count for me. [[sim:words 5]]');
    assert.equal(result.is_error, false, JSON.stringify(result));
    assert.equal(result.result, 'word1 word2 word3 word4 word5');
    const [record] = mainRequests();
    assert.ok(record, 'the main request is in the monitor');
    assert.equal(record.upstreamModel, 'claude-opus-4-6-thinking');
    assert.equal(record.stream, true);
  });

  it('writes a file through its Write tool and answers with the result', async () => {
    const target = path.join(suite.workDir, 'note.txt');
    const args = JSON.stringify({ file_path: target, content: 'written by claude through agate\n' });
    const result = await claude(`Save the note. [[sim:call Write ${args}]]`, '--permission-mode', 'acceptEdits', '--allowedTools', 'Write');
    assert.equal(result.is_error, false, JSON.stringify(result));
    assert.equal(fs.readFileSync(target, 'utf8'), 'written by claude through agate\n');
    assert.match(result.result, /^Tool Write returned: /);
  });
});
