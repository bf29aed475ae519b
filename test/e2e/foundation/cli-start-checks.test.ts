/**
 * What `agate serve` checks at start, seen from outside: a data dir others can
 * write is made owner-only, temporary files of a killed run are removed, and a
 * listen address that cannot work is one clear line, not a stack trace.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliServer, ensureCliBuilt, runCli } from './cli-process';

/** The pid of a process that has exited, as a killed gateway's would be. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

describe('foundation: agate serve start checks', function () {
  this.timeout(60_000);
  let tmp: string;
  let server: CliServer | undefined;

  before(function () {
    this.timeout(120_000);
    ensureCliBuilt();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-start-'));
  });
  afterEach(() => server?.kill());
  after(() => tmp && fs.rmSync(tmp, { recursive: true, force: true }));

  it('tightens a 0777 data dir to 0700 and removes the temporary files a killed run left', async function () {
    if (process.platform === 'win32') this.skip();
    const dataDir = path.join(tmp, 'open');
    fs.mkdirSync(path.join(dataDir, 'stats'), { recursive: true });
    fs.chmodSync(dataDir, 0o777);
    const gone = deadPid();
    const leftovers = [`accounts.json.${gone}.0a1b2c3d.tmp`, `config.json.${gone}.tmp`, path.join('stats', `2026-12-01.json.${gone}.deadbeef.tmp`)];
    for (const name of leftovers) fs.writeFileSync(path.join(dataDir, name), '');

    server = CliServer.start(['serve', '--port', '0', '--data-dir', dataDir]);
    await server.waitFor(/listening on http:\/\/127\.0\.0\.1:\d+/);
    assert.equal(fs.statSync(dataDir).mode & 0o777, 0o700);
    for (const name of leftovers) assert.ok(!fs.existsSync(path.join(dataDir, name)), `${name} removed`);
    assert.match(server.stderr, /data dir was open to other users: changed to owner-only \(0700\).*"mode":"0777"/);
    assert.equal(await server.stop(), 0);
  });

  // A loopback-looking name, and (LAN allowed) a name that resolves nowhere.
  for (const [host, extra] of [
    ['x.localhost', []],
    ['no-such-host.invalid', ['--set', 'allowLanAccess=true']],
  ] as const) {
    it(`--host ${host}: one line naming the address, exit 1, no stack trace`, async () => {
      const run = await runCli(['serve', '--port', '0', '--host', host, ...extra, '--data-dir', path.join(tmp, 'bad-host')]);
      assert.equal(run.code, 1);
      const lines = run.stderr
        .trimEnd()
        .split('\n')
        .filter((line) => line.startsWith('agate:') || /^\s+at /.test(line));
      assert.deepEqual(lines.length, 1, run.stderr);
      assert.match(lines[0], new RegExp(`^agate: Cannot listen on ${host.replace(/\./g, '\\.')} port 0: the host name does not resolve`));
      assert.doesNotMatch(run.stderr, /^\s+at /m);
    });
  }
});
