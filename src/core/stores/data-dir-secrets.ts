import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { PRIMARY_KEY_SECRET } from '../security/primary-key';

/**
 * The format of a headless data dir's secrets, shared by the two hosts: the CLI keeps its secrets there
 * (`src/cli/secret-store.ts` writes them and creates their key), and an editor window that attaches to a
 * CLI-owned gateway reads the owner's primary key from them, which is what that owner's admin API asks for.
 * Only the layout and the read-only lookup live here; nothing here creates a key or writes a file, so a reader
 * can never leave a key behind that the owner's secrets were not sealed with. The key cannot be handed over
 * the admin API instead: that API is what it opens.
 */

/** The encrypted secrets file, and the fallback file of its key (else it is in the OS keychain). */
export const SECRETS_FILE = 'secrets.enc';
export const SECRETS_KEY_FILE = 'secrets.key';
/** The 256-bit AES-GCM key. */
export const SECRETS_KEY_BYTES = 32;

export interface KeyringEntry {
  getPassword(): string | null | undefined;
  setPassword(value: string): void;
}

/** The data dir's entry in the OS keychain (one per data dir); throws when no keychain answers. */
export function keychainEntry(dataDir: string): KeyringEntry {
  const { Entry } = require('@napi-rs/keyring') as { Entry: new (service: string, account: string) => KeyringEntry };
  return new Entry('agate', 'secrets-key-' + createHash('sha256').update(dataDir).digest('hex').slice(0, 16));
}

/** `iv (12) | GCM tag (16) | ciphertext` of the secrets as one JSON object. */
export function sealSecrets(secrets: ReadonlyMap<string, string>, key: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(Object.fromEntries(secrets)), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), data]);
}

/** The secrets sealed in `blob`; throws when `key` did not seal them (never returns garbage). */
export function openSecrets(blob: Buffer, key: Buffer, description: string): Map<string, string> {
  const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(0, 12));
  decipher.setAuthTag(blob.subarray(12, 28));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]);
  } catch {
    throw new Error(`cannot decrypt ${description}`);
  }
  return new Map(Object.entries(JSON.parse(plain.toString('utf8')) as Record<string, string>));
}

/** The key a data dir's secrets were sealed with, from the keychain, else the key file; undefined when neither has one. */
async function existingSecretsKey(dataDir: string): Promise<Buffer | undefined> {
  try {
    const stored = keychainEntry(dataDir).getPassword();
    if (stored) return Buffer.from(stored, 'base64');
  } catch {
    // No keychain here: the owner used the key file.
  }
  const key = await fsp.readFile(path.join(dataDir, SECRETS_KEY_FILE)).catch(() => undefined);
  return key?.length === SECRETS_KEY_BYTES ? key : undefined;
}

/**
 * The primary key the owner of a headless data dir keeps there, read once and never written: what another
 * process sends to that owner's admin API when its auth is on. Undefined when there is none (yet) or it cannot
 * be read.
 */
export function dataDirPrimaryKey(dataDir: string): () => Promise<string | undefined> {
  let primaryKey: Promise<string | undefined> | undefined;
  return () =>
    (primaryKey ??= (async () => {
      const file = path.join(dataDir, SECRETS_FILE);
      if (!fs.existsSync(file)) return undefined;
      const key = await existingSecretsKey(dataDir);
      if (!key) return undefined;
      try {
        return openSecrets(await fsp.readFile(file), key, file).get(PRIMARY_KEY_SECRET);
      } catch {
        return undefined;
      }
    })());
}
