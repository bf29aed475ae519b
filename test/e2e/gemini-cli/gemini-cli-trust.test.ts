/**
 * gemini-cli reads its `.env` (the base URL and key `agate connect` writes) only in a folder it trusts:
 * `agate connect gemini-cli --trust DIR` adds the folder to its trusted folders, so it runs there without
 * `--skip-trust`; in a folder not added it finds no key, and `--undo` takes the trust back.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConnectedHome } from '../../helpers/connect-home';
import { runProcess, type ProcessRun } from '../../helpers/run-process';
import { startStack, type Stack } from '../../helpers/stack';
import { CLI } from '../foundation/cli-process';

const GEMINI_BIN = path.resolve('node_modules/.bin/gemini');

describe('gemini-cli in a folder agate connect --trust added', function () {
  this.timeout(120_000);
  let stack: Stack;
  let home: ConnectedHome;
  let trusted: string;
  let other: string;

  before(async () => {
    stack = await startStack({ flags: { authMode: 'strict' } });
    home = new ConnectedHome();
    trusted = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-gemini-trusted-'));
    other = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-gemini-other-'));
    await home.connect('gemini-cli', stack.url, '--key', await stack.agate.security.primaryKey(), '--trust', trusted);
  });
  after(async () => {
    home?.cleanup();
    for (const dir of [trusted, other]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
    await stack?.close();
  });

  // No --skip-trust: whether the folder is trusted is the point.
  const gemini = (cwd: string): Promise<ProcessRun> =>
    runProcess(GEMINI_BIN, ['-o', 'json', '-p', 'Say hi from a trusted folder.'], {
      cwd,
      env: home.env({ NO_COLOR: '1', GEMINI_CLI_NO_RELAUNCH: 'true' }),
      timeoutMs: 90_000,
    });

  it('wrote the folder into gemini-cli’s trusted folders', () => {
    const file = path.join(home.home, '.gemini', 'trustedFolders.json');
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { [trusted]: 'TRUST_FOLDER' });
  });

  it('answers through the gateway in the trusted folder, without --skip-trust', async () => {
    const run = await gemini(trusted);
    assert.equal(run.code, 0, run.stderr.slice(-2000));
    const result = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as { response?: string; error?: unknown };
    assert.equal(result.error, undefined, JSON.stringify(result.error));
    assert.match(result.response ?? '', /You said: /);
    assert.ok(
      stack.agate.observability!.monitor.list().some((record) => record.status === 200),
      'the gateway served it',
    );
  });

  it('does not read the .env in a folder that was not added: no key, no request', async () => {
    const served = stack.agate.observability!.monitor.list().length;
    const run = await gemini(other);
    assert.notEqual(run.code, 0);
    assert.match(run.stdout + run.stderr, /must specify the GEMINI_API_KEY/);
    assert.equal(stack.agate.observability!.monitor.list().length, served);
  });

  it('--undo takes the trust back with the rest', async () => {
    const undone = await runProcess(process.execPath, [CLI, 'connect', 'gemini-cli', '--undo'], { env: home.env(), timeoutMs: 30_000 });
    assert.equal(undone.code, 0, undone.stderr);
    assert.equal(fs.existsSync(path.join(home.home, '.gemini', 'trustedFolders.json')), false);
  });
});
