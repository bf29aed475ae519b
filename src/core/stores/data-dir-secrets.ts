import fs from 'node:fs';
import path from 'node:path';
import { PRIMARY_KEY_SECRET } from '../security/primary-key';
import { EncryptedFileSecretStore } from './encrypted-secret-store';
import { preferredKeySource } from './keychain-key-source';

/** The headless host's encrypted secrets in its data dir, and the fallback file of their key (else in the OS keychain). */
export const SECRETS_FILE = 'secrets.enc';
export const SECRETS_KEY_FILE = 'secrets.key';

/** The secret store of a headless data dir. */
export function dataDirSecrets(dataDir: string): EncryptedFileSecretStore {
  return new EncryptedFileSecretStore(path.join(dataDir, SECRETS_FILE), preferredKeySource(dataDir, path.join(dataDir, SECRETS_KEY_FILE)));
}

/**
 * The primary key the owner of a headless data dir keeps there, read once and never written: what another
 * process sends to that owner's admin API when its auth is on. Undefined when there is none (yet).
 */
export function dataDirPrimaryKey(dataDir: string): () => Promise<string | undefined> {
  let key: Promise<string | undefined> | undefined;
  return () =>
    (key ??= (async () => {
      if (!fs.existsSync(path.join(dataDir, SECRETS_FILE))) return undefined;
      return dataDirSecrets(dataDir).get(PRIMARY_KEY_SECRET).catch(() => undefined);
    })());
}
