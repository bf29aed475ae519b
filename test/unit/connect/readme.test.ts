/**
 * The README's client tables are generated from the connect definitions that
 * `agate connect` writes and the end-to-end tests run the real clients with:
 * each setting the README shows is one the tests verify.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { README, withConnectSection } from '../../../scripts/generate-connect-readme';
import { CONNECT_CLIENTS } from '../../../src/core/connect';

describe('README: client settings', () => {
  it('shows exactly what the connect definitions write (npx tsx scripts/generate-connect-readme.ts updates it)', () => {
    const readme = fs.readFileSync(README, 'utf8');
    assert.equal(withConnectSection(readme), readme);
  });

  it('names every client and every file', () => {
    const readme = fs.readFileSync(README, 'utf8');
    for (const client of CONNECT_CLIENTS) {
      assert.ok(readme.includes(`agate connect ${client.id}`), client.id);
      for (const file of client.files) assert.ok(readme.includes('`' + file.displayPath + '`'), file.displayPath);
    }
  });
});
