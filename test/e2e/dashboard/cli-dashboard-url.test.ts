// `agate serve` prints the dashboard URL, with the primary key in `?key=` only when auth is on, and the page opens.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliBundle } from './bundle';

/** Opens the URL as a browser would: a sign-in (`?key=`) redirects with a session cookie, which the next request carries. */
async function openAsBrowser(url: string): Promise<number> {
  const first = await fetch(url, { redirect: 'manual' });
  if (first.status !== 303) return first.status;
  const cookie = first.headers.getSetCookie().map((header) => header.split(';')[0])[0] ?? '';
  return (await fetch(new URL(first.headers.get('location')!, url), { headers: { cookie } })).status;
}

/** Runs `agate serve` until it printed its dashboard line; returns that URL. */
async function dashboardLineOf(args: string[]): Promise<{ url: string; pageStatus: number }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-serve-url-'));
  const child = spawn(process.execPath, [await cliBundle(), 'serve', '--port', '0', '--data-dir', dataDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let stdout = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`agate serve exited with ${code}: ${stdout}`)));
      child.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk;
        const line = /^Dashboard: (\S+)$/m.exec(stdout);
        if (line) resolve(line[1]);
      });
    });
    return { url, pageStatus: await openAsBrowser(url) };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('dashboard: the URL agate serve prints', function () {
  this.timeout(30_000);

  it('has no key while auth is off', async () => {
    const { url, pageStatus } = await dashboardLineOf([]);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/dashboard$/);
    assert.equal(pageStatus, 200);
  });

  it('carries the primary key when auth is on', async () => {
    const { url, pageStatus } = await dashboardLineOf(['--set', 'authMode=strict']);
    assert.match(new URL(url).searchParams.get('key') ?? '', /^sk-agate-/);
    assert.equal(pageStatus, 200);
  });
});
