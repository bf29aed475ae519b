import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EncryptedFileSecretStore, keyFileSource } from '../../../src/core/stores/encrypted-secret-store';

describe('encrypted secret store', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-secrets-'));
  const file = path.join(dir, 'secrets.bin');
  const keyFile = path.join(dir, 'secrets.key');

  it('keeps secrets encrypted at rest and reads them back in a new instance', async () => {
    const store = new EncryptedFileSecretStore(file, keyFileSource(keyFile));
    await store.set('account:1:refresh', '1//refresh-token-value-for-test');
    assert.ok(!fs.readFileSync(file).toString('latin1').includes('refresh-token-value'), 'no plaintext on disk');
    if (process.platform !== 'win32') {
      assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    }
    const again = new EncryptedFileSecretStore(file, keyFileSource(keyFile));
    assert.equal(await again.get('account:1:refresh'), '1//refresh-token-value-for-test');
    await again.delete('account:1:refresh');
    assert.equal(await new EncryptedFileSecretStore(file, keyFileSource(keyFile)).get('account:1:refresh'), undefined);
  });

  it('refuses to read with the wrong key instead of returning garbage', async () => {
    const other = path.join(dir, 'other.key');
    const store = new EncryptedFileSecretStore(file, keyFileSource(other));
    await assert.rejects(store.get('x'), /cannot decrypt/);
  });
});
