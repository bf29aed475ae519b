import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dataDirSecrets, EncryptedFileSecretStore, keyFileSource } from '../../../src/cli/secret-store';
import { dataDirPrimaryKey, SECRETS_FILE, SECRETS_KEY_FILE } from '../../../src/core/stores/data-dir-secrets';
import { PRIMARY_KEY_SECRET } from '../../../src/core/security/primary-key';

describe('data dir secrets: the CLI store and the read-only primary key', () => {
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

  it('lets another process read the primary key the CLI keeps, without creating a key', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-owner-'));
    await dataDirSecrets(dataDir).set(PRIMARY_KEY_SECRET, 'sk-agate-primary-for-test');
    assert.equal(await dataDirPrimaryKey(dataDir)(), 'sk-agate-primary-for-test');

    // Secrets without their key (a key file lost, a keychain entry of another machine): nothing to read, and the
    // reader leaves no fresh key behind that the owner would then take for its own.
    const keyless = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-keyless-'));
    fs.copyFileSync(path.join(dataDir, SECRETS_FILE), path.join(keyless, SECRETS_FILE));
    assert.equal(await dataDirPrimaryKey(keyless)(), undefined);
    assert.equal(fs.existsSync(path.join(keyless, SECRETS_KEY_FILE)), false);
    assert.equal(await dataDirPrimaryKey(fs.mkdtempSync(path.join(os.tmpdir(), 'agate-empty-')))(), undefined);
  });
});
