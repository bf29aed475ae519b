// The CLI explains itself: help per command, options before or after the command, errors in one line that name
// what the user typed (and what is allowed), `agate config` says where each value comes from, no stack traces.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanEnv, ensureCliBuilt, runCli } from './cli-process';

describe('CLI: messages', function () {
  this.timeout(60_000);
  let tmp: string;
  before(() => {
    ensureCliBuilt();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-cli-messages-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const dataDir = (name: string) => path.join(tmp, name);

  it('each command has its own --help; the overview points to it', async () => {
    const overview = await runCli(['--help']);
    assert.match(overview.stdout, /"agate COMMAND --help" tells more about one command/);
    const help: Record<string, RegExp> = {
      serve: /Usage: agate serve .*--quiet.*--log-format text\|json/s,
      demo: /Usage: agate demo .*simulator.*\[\[sim:fault KIND\]\]/s,
      accounts: /Usage: agate accounts <action>.*refresh \[ACCOUNT\]/s,
      keys: /Usage: agate keys <action>.*primary \[--rotate\]/s,
      config: /Usage: agate config \[--json\].*where it comes from/s,
    };
    for (const [command, expected] of Object.entries(help)) {
      const run = await runCli([command, '--help']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, expected, command);
      assert.match(run.stdout, /Options for every command/);
      assert.notEqual(run.stdout, overview.stdout, `${command} --help is not the overview`);
    }
    assert.equal((await runCli(['help', 'keys'])).stdout, (await runCli(['keys', '-h'])).stdout);
  });

  it('takes the options for every command before the command too', async () => {
    const before = await runCli(['--data-dir', dataDir('first'), 'accounts', 'list']);
    assert.equal(before.code, 0, before.stderr);
    assert.match(before.stdout, /^No accounts\./);
    const shown = await runCli(['--data-dir', dataDir('first'), '--set', 'scheduling.mode=balance', 'config']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^scheduling\.mode\s+balance\s+--set scheduling\.mode$/m);
    assert.match(shown.stdout, new RegExp(`^dataDir\\s+${dataDir('first').replace(/[/.]/g, '\\$&')}\\s+--data-dir$`, 'm'));
  });

  it('agate config names the layer of every value: default, file, environment variable, flag', async () => {
    const file = path.join(tmp, 'layers.json');
    fs.writeFileSync(file, JSON.stringify({ scheduling: { maxAttempts: 4 } }));
    const run = await runCli(
      ['config', '--config', file, '--data-dir', dataDir('layers'), '--port', '9100', '--set', 'models.aliases.gpt-4o=gemini-3-flash'],
      cleanEnv({ AGATE_LOG_LEVEL: 'debug' }),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^host\s+127\.0\.0\.1\s+default$/m);
    assert.match(run.stdout, new RegExp(`^scheduling\\.maxAttempts\\s+4\\s+config file ${file.replace(/[/.]/g, '\\$&')}$`, 'm'));
    assert.match(run.stdout, /^logLevel\s+debug\s+environment variable AGATE_LOG_LEVEL$/m);
    assert.match(run.stdout, /^port\s+9100\s+--port$/m);
    assert.match(run.stdout, /^models\.aliases\s+\{"gpt-4o":"gemini-3-flash"\}\s+--set models\.aliases\.gpt-4o$/m);
    assert.match(run.stdout, /^oauth\.clientSecret\s+\(set\)\s+default$/m, 'the secret is not printed');
  });

  it('--set reaches an entry of a map setting (models.aliases.x)', async () => {
    const run = await runCli(['config', '--json', '--data-dir', dataDir('nested'), '--set', 'models.aliases.my-model=gemini-3-flash']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout).models.aliases, { 'my-model': 'gemini-3-flash' });
  });

  it('a bad enum value names the --set key as typed and lists the allowed values; so does a bad flag value', async () => {
    const mode = await runCli(['config', '--data-dir', dataDir('enum'), '--set', 'scheduling.mode=fastest']);
    assert.equal(mode.code, 1);
    assert.equal(
      mode.stderr,
      'agate: invalid configuration: "scheduling.mode" must be one of cache-first, balance, performance-first (got "fastest") (from --set scheduling.mode)\n',
    );
    const auth = await runCli(['config', '--data-dir', dataDir('enum')], cleanEnv({ AGATE_AUTH_MODE: 'sometimes' }));
    assert.match(auth.stderr, /"authMode" must be one of .*strict.* \(got "sometimes"\) \(from environment variable AGATE_AUTH_MODE\)/);
    const format = await runCli(['serve', '--data-dir', dataDir('enum'), '--log-format', 'xml']);
    assert.equal(format.code, 2);
    assert.match(format.stderr, /--log-format must be one of text, json \(got "xml"\)/);
  });

  it('a missing config file is said in words', async () => {
    const run = await runCli(['config', '--config', path.join(tmp, 'nowhere.json')]);
    assert.equal(run.code, 1);
    assert.equal(run.stderr, `agate: config file ${path.join(tmp, 'nowhere.json')} does not exist\n`);
  });

  it('accounts refresh with no accounts says so', async () => {
    const run = await runCli(['accounts', 'refresh', '--data-dir', dataDir('empty')]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'No accounts to refresh. Add one with "agate accounts add --sign-in".\n');
  });

  it('an unknown option gets one line naming it and the help to read', async () => {
    const run = await runCli(['accounts', 'list', '--frobnicate', '--data-dir', dataDir('flags')]);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, 'agate accounts: unknown option --frobnicate (see "agate accounts --help")\n');
    const before = await runCli(['--frobnicate', 'serve']);
    assert.equal(before.code, 2);
    assert.equal(before.stderr, 'agate: unknown option --frobnicate (see "agate --help")\n');
    const missing = await runCli(['keys', 'create', 'x', '--rpm']);
    assert.equal(missing.stderr.split('\n').filter(Boolean).length, 1, missing.stderr);
    assert.match(missing.stderr, /option --rpm needs a value/);
  });

  it('a sign-in that cannot reach Google is one line, not a stack trace', async () => {
    for (const tokenUrl of ['http://nonexistent.invalid/token', 'http://127.0.0.1:1/token']) {
      const run = await runCli(['accounts', 'add', '--refresh-token', '1//nope', '--data-dir', dataDir('offline'), '--set', `oauth.tokenUrl=${tokenUrl}`]);
      assert.equal(run.code, 1);
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
      assert.match(run.stderr, /^agate: .*cannot reach (nonexistent\.invalid|127\.0\.0\.1:1)/);
      assert.doesNotMatch(run.stderr, /\n\s+at /);
    }
  });
});
