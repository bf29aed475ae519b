import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../../../src/core/ports';
import { secureDataDir } from '../../../src/core/stores/data-dir-hygiene';

/** A logger that keeps its lines. */
function recordingLogger() {
  const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, fields });
  const logger: Logger = { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

/** The pid of a process that has exited: no running writer owns it. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

const modeOf = (dir: string) => fs.statSync(dir).mode & 0o777;
const posix = process.platform !== 'win32';

describe('stores: the data dir at start', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-hygiene-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('creates a missing data dir owner-only', async function () {
    if (!posix) this.skip();
    const dir = path.join(root, 'new');
    await secureDataDir(dir, recordingLogger().logger);
    assert.equal(modeOf(dir), 0o700);
  });

  it('tightens an existing 0777 data dir to 0700 and says so', async function () {
    if (!posix) this.skip();
    const dir = path.join(root, 'open');
    fs.mkdirSync(dir);
    fs.chmodSync(dir, 0o777);
    const { logger, lines } = recordingLogger();
    const check = await secureDataDir(dir, logger);
    assert.equal(modeOf(dir), 0o700);
    assert.equal(check.tightenedFrom, 0o777);
    assert.deepEqual(
      lines.map((l) => [l.level, l.fields?.mode]),
      [['warn', '0777']],
    );
  });

  it('warns, naming the fix, when the mode cannot be changed', async function () {
    if (!posix) this.skip();
    const dir = path.join(root, 'shared');
    fs.mkdirSync(dir);
    fs.chmodSync(dir, 0o777);
    const { logger, lines } = recordingLogger();
    const notOwner = async () => {
      throw Object.assign(new Error('operation not permitted'), { code: 'EPERM' });
    };
    const check = await secureDataDir(dir, logger, { chmod: notOwner });
    assert.equal(check.tightenedFrom, undefined);
    assert.equal(lines.length, 1);
    assert.equal(lines[0].level, 'warn');
    assert.match(lines[0].message, /mode 0777, so other users can change its files.*EPERM.*chmod 700/);
  });

  it('leaves an owner-only data dir alone', async () => {
    const { logger, lines } = recordingLogger();
    await secureDataDir(root, logger);
    assert.deepEqual(lines, []);
  });

  it('removes the temporary files of writers that are gone, in the data dir and its folders', async () => {
    const gone = deadPid();
    fs.mkdirSync(path.join(root, 'stats'));
    const stale = [
      `accounts.json.${gone}.0a1b2c3d.tmp`, // stores/atomic-file.ts
      `config.json.${gone}.tmp`, // the CLI's settings file
      path.join('stats', `2026-12-01.json.${gone}.deadbeef.tmp`),
    ];
    const kept = [
      `accounts.json.${process.pid}.0a1b2c3d.tmp`, // a write of a live process may be in flight
      `client-keys.json.${process.pid}.12345678.tmp`, // its random part all digits: still this live process's
      'notes.tmp',
      'accounts.json',
    ];
    for (const name of [...stale, ...kept]) fs.writeFileSync(path.join(root, name), '');
    const { logger } = recordingLogger();
    const check = await secureDataDir(root, logger);
    assert.deepEqual(check.removedTempFiles.map((file) => path.relative(root, file)).sort(), [...stale].sort());
    for (const name of stale) assert.ok(!fs.existsSync(path.join(root, name)), name);
    for (const name of kept) assert.ok(fs.existsSync(path.join(root, name)), name);
  });

  it('removes a temporary file older than any write even when its pid is alive again', async () => {
    const file = path.join(root, `accounts.json.${process.pid}.0a1b2c3d.tmp`);
    fs.writeFileSync(file, '');
    const inTwoHours = fs.statSync(file).mtimeMs + 2 * 60 * 60_000;
    await secureDataDir(root, recordingLogger().logger, { now: inTwoHours });
    assert.ok(!fs.existsSync(file));
  });
});
