/** `agate connect` as a user runs it: diff, confirmation, idempotence, the user's keys kept, --undo byte for byte. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CLI, cleanEnv, ensureCliBuilt } from '../foundation/cli-process';
import { runProcess } from '../../helpers/run-process';
import { ConnectedHome } from '../../helpers/connect-home';

describe('agate connect (CLI)', function () {
  this.timeout(60_000);
  let home: ConnectedHome;
  const agate = (...args: string[]) =>
    runProcess(process.execPath, [CLI, ...args, '--data-dir', path.join(home.home, '.agate')], { env: home.env(), timeoutMs: 30_000 });
  before(() => ensureCliBuilt());
  beforeEach(() => {
    home = new ConnectedHome();
  });
  afterEach(() => home.cleanup());

  it('Claude Code: shows the diff, writes only with --yes, merges, is idempotent, and --undo restores the file byte for byte', async () => {
    const file = path.join(home.home, '.claude', 'settings.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const original = '{"model":"opus","env":{"KEEP":"1"}}'; // no newline, no indentation: undo must give exactly this back
    fs.writeFileSync(file, original);

    const refused = await agate('connect', 'claude-code', '--url', 'http://127.0.0.1:9999');
    assert.equal(refused.code, 2, 'no terminal to confirm in, no --yes: refused');
    assert.match(refused.stderr, /add --yes/);
    assert.equal(fs.readFileSync(file, 'utf8'), original);

    const first = await agate('connect', 'claude-code', '--yes', '--url', 'http://127.0.0.1:9999/');
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^\+\s+"ANTHROPIC_BASE_URL": "http:\/\/127\.0\.0\.1:9999",$/m);
    const settings = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.deepEqual(settings, { model: 'opus', env: { KEEP: '1', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9999', ANTHROPIC_AUTH_TOKEN: 'agate' } });

    const again = await agate('connect', 'claude-code', '--yes', '--url', 'http://127.0.0.1:9999');
    assert.equal(again.code, 0);
    assert.match(again.stdout, /already uses Agate/);

    const undone = await agate('connect', 'claude-code', '--undo');
    assert.equal(undone.code, 0, undone.stderr);
    assert.equal(fs.readFileSync(file, 'utf8'), original);
    assert.equal(fs.existsSync(file + '.agate-backup'), false);
  });

  it('Codex into an empty home: a new config.toml, removed again by --undo', async () => {
    const run = await agate('connect', 'codex', '--yes', '--url', 'http://127.0.0.1:9999');
    assert.equal(run.code, 0, run.stderr);
    const file = path.join(home.home, '.codex', 'config.toml');
    assert.match(fs.readFileSync(file, 'utf8'), /base_url = "http:\/\/127\.0\.0\.1:9999\/v1"/);
    assert.equal((await agate('connect', 'codex', '--undo')).code, 0);
    assert.equal(fs.existsSync(file), false);
  });

  it('with auth on, writes the primary key of the data dir (as "agate keys primary" prints it)', async () => {
    const run = await agate('connect', 'claude-code', '--yes', '--set', 'authMode=strict');
    assert.equal(run.code, 0, run.stderr);
    const primary = (await agate('keys', 'primary')).stdout.trim();
    assert.match(primary, /^sk-agate-/);
    const settings = JSON.parse(fs.readFileSync(path.join(home.home, '.claude', 'settings.json'), 'utf8'));
    assert.deepEqual(settings.env, { ANTHROPIC_BASE_URL: 'http://127.0.0.1:8045', ANTHROPIC_AUTH_TOKEN: primary });
    assert.ok(!run.stdout.includes(primary), 'the key is not printed whole');
  });

  it('lists the clients, refuses an unknown one or a --trust it cannot use, and prints the OpenAI-compatible settings', async () => {
    const list = await agate('connect');
    assert.equal(list.code, 2);
    for (const id of ['claude-code', 'codex', 'gemini-cli', 'opencode', 'cline', 'openai-compatible']) assert.match(list.stdout, new RegExp(`^  ${id} `, 'm'));
    const unknown = await agate('connect', 'emacs');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown client "emacs"/);
    const trustElsewhere = await agate('connect', 'codex', '--yes', '--trust', home.home);
    assert.equal(trustElsewhere.code, 2);
    assert.match(trustElsewhere.stderr, /--trust is for gemini-cli only/);
    const trustNowhere = await agate('connect', 'gemini-cli', '--yes', '--trust', path.join(home.home, 'no-such-folder'));
    assert.equal(trustNowhere.code, 2);
    assert.match(trustNowhere.stderr, /no such folder/);
    assert.equal(fs.existsSync(path.join(home.home, '.gemini')), false, 'nothing written');
    const snippet = await runProcess(process.execPath, [CLI, 'connect', 'openai-compatible', '--url', 'http://127.0.0.1:9999'], {
      env: cleanEnv({ HOME: home.home }),
      timeoutMs: 30_000,
    });
    assert.match(snippet.stdout, /Base URL: http:\/\/127\.0\.0\.1:9999\/v1/);
  });
});
