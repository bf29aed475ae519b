import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JsonFileStore } from '../../../src/core/stores/json-file-store';

const root = path.resolve(__dirname, '../../..');

describe('crash-safe document store', () => {
  it('a writer killed mid-write leaves the previous document intact and parseable', async function () {
    this.timeout(30_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-crash-'));
    const store = new JsonFileStore(dir);
    await store.write('accounts', { generation: 0, payload: 'x'.repeat(200_000) });

    // A child process rewrites a large document as fast as it can; we kill -9 it at random moments.
    for (let round = 0; round < 5; round++) {
      const child = spawn(
        process.execPath,
        [
          '--require',
          'tsx/cjs',
          '-e',
          `const { JsonFileStore } = require(${JSON.stringify(path.join(root, 'src/core/stores/json-file-store.ts'))});
           const store = new JsonFileStore(${JSON.stringify(dir)});
           (async () => { for (let g = 1; ; g++) { await store.write('accounts', { generation: g, payload: 'y'.repeat(200_000 + g) }); if (g === 3) process.stdout.write('go\\n'); } })();`,
        ],
        { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 40));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));

      const document = await store.read<{ generation: number; payload: string }>('accounts');
      assert.ok(document, 'the document still exists');
      assert.ok(document.generation >= 3, 'a completed write survived');
      assert.equal(document.payload.length, 200_000 + document.generation, 'the document is whole, not torn');
    }
    const leftovers = fs.readdirSync(dir).filter((name) => !name.endsWith('.json'));
    // Temp files of a killed writer may remain; they never replace the document.
    assert.ok(leftovers.every((name) => name.endsWith('.tmp')));
  });
});
