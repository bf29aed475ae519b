/**
 * opencode (`opencode-ai`) with only what `agate connect opencode` wrote (an
 * `agate` provider in its global config, made the default), run
 * non-interactively with `opencode run`; it always streams.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { clientCliBin } from '../../helpers/client-clis';
import { connectedClientSuite } from '../../helpers/connect-home';

let OPENCODE: string;

interface OpencodeRun {
  code: number | null;
  stdout: string;
  stderr: string;
  events: Array<Record<string, any>>;
}

describe('opencode, connected by agate connect', function () {
  this.timeout(120_000);
  before(function () {
    this.timeout(600_000); // a fresh machine installs the CLI first
    OPENCODE = clientCliBin('opencode');
  });
  const suite = connectedClientSuite('opencode');

  /** The prompt goes in on stdin: `opencode run` re-quotes arguments that hold spaces and quotes. */
  function opencode(prompt: string): Promise<OpencodeRun> {
    return new Promise((resolve, reject) => {
      // A title of our own: else opencode asks the small model for one, with the prompt (and its directives) but no tools.
      // The OPENCODE_DISABLE_* variables keep it from waiting on the network (model catalogue, plugins, updates), which this machine has not.
      const env = suite.home.env({
        OPENCODE_DISABLE_MODELS_FETCH: '1',
        OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
        OPENCODE_DISABLE_AUTOUPDATE: '1',
        OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
      });
      const child = spawn(OPENCODE, ['run', '--format', 'json', '--auto', '--title', 'agate e2e'], {
        cwd: suite.workDir,
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`opencode did not exit in time\nstdout: ${stdout}\nstderr: ${stderr}`));
      }, 90_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        const events = stdout
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as Record<string, any>);
        resolve({ code, stdout, stderr, events });
      });
      child.stdin.end(prompt);
    });
  }

  const answerText = (run: OpencodeRun) =>
    run.events
      .filter((e) => e.type === 'text')
      .map((e) => e.part?.text ?? '')
      .join('');

  it('answers a plain prompt, streamed, on the provider connect made the default', async () => {
    const run = await opencode('Count for me. [[sim:words 7]]');
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(answerText(run), /word1 word2 word3 word4 word5 word6 word7/, run.stdout);
    const chat = suite.stack.agate.observability!.monitor.list().filter((r) => r.path === '/v1/chat/completions');
    assert.ok(
      chat.some((r) => r.stream && r.clientModel === 'gemini-3-flash'),
      JSON.stringify(chat.map((r) => [r.clientModel, r.stream])),
    );
  });

  it('writes a file through its write tool and answers with the result', async () => {
    const target = path.join(suite.workDir, 'note.txt');
    const args = JSON.stringify({ filePath: target, content: 'written by opencode through agate\n' });
    const run = await opencode(`Save the note. [[sim:call write ${args}]]`);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.equal(fs.readFileSync(target, 'utf8'), 'written by opencode through agate\n');
    assert.match(answerText(run), /Tool write returned: /, run.stdout);
  });
});
