import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { SecretStore } from '../core/ports';
import { writeFileAtomic } from '../core/stores/atomic-file';
import { keychainEntry, openSecrets, sealSecrets, SECRETS_FILE, SECRETS_KEY_BYTES, SECRETS_KEY_FILE } from '../core/stores/data-dir-secrets';

/** Where the 256-bit key that encrypts the secrets file comes from. */
export interface KeySource {
  readonly description: string;
  load(): Promise<Buffer>;
}

/**
 * Secrets for the headless host: one AES-256-GCM encrypted JSON file (the format in
 * `core/stores/data-dir-secrets.ts`), replaced atomically on every change. (The VS Code host uses SecretStorage.)
 */
export class EncryptedFileSecretStore implements SecretStore {
  private cache?: Map<string, string>;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly keySource: KeySource,
  ) {}

  private async load(): Promise<Map<string, string>> {
    if (this.cache) return this.cache;
    let blob: Buffer;
    try {
      blob = await fs.readFile(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      return (this.cache = new Map());
    }
    const key = await this.keySource.load();
    return (this.cache = openSecrets(blob, key, `${this.file} with the key from ${this.keySource.description}`));
  }

  private persist(secrets: Map<string, string>): Promise<void> {
    const run = async () => writeFileAtomic(this.file, sealSecrets(secrets, await this.keySource.load()));
    this.writing = this.writing.catch(() => undefined).then(run);
    return this.writing;
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.load()).get(key);
  }

  async set(key: string, value: string): Promise<void> {
    const secrets = await this.load();
    secrets.set(key, value);
    await this.persist(secrets);
  }

  async delete(key: string): Promise<void> {
    const secrets = await this.load();
    if (secrets.delete(key)) await this.persist(secrets);
  }
}

/** A random key in a 0600 file beside the data, created on first use: the fallback when no OS keychain answers. */
export function keyFileSource(file: string): KeySource {
  let key: Promise<Buffer> | undefined;
  return {
    description: `key file ${file}`,
    load: () =>
      (key ??= (async () => {
        try {
          const existing = await fs.readFile(file);
          if (existing.length !== SECRETS_KEY_BYTES) throw new Error(`key file ${file} is corrupt (expected ${SECRETS_KEY_BYTES} bytes)`);
          return existing;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
          const fresh = randomBytes(SECRETS_KEY_BYTES);
          await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
          await fs.writeFile(file, fresh, { mode: 0o600, flag: 'wx' }).catch(async (e: NodeJS.ErrnoException) => {
            if (e.code !== 'EEXIST') throw e;
          });
          return fs.readFile(file);
        }
      })()),
  };
}

/**
 * The secrets key in the OS keychain (macOS Keychain, Windows Credential Manager, Secret Service) through
 * @napi-rs/keyring, one entry per data dir, created on first use. Falls back to a 0600 key file when no keychain
 * answers (headless Linux, containers, CI), and says which it uses.
 */
export function preferredKeySource(dataDir: string, keyFile: string): KeySource {
  const fallback = keyFileSource(keyFile);
  let chosen: Promise<{ key: Buffer; description: string }> | undefined;
  const choose = async () => {
    try {
      const entry = keychainEntry(dataDir);
      const stored = entry.getPassword();
      if (stored) return { key: Buffer.from(stored, 'base64'), description: 'the OS keychain' };
      const fresh = randomBytes(SECRETS_KEY_BYTES);
      entry.setPassword(fresh.toString('base64'));
      return { key: fresh, description: 'the OS keychain' };
    } catch {
      return { key: await fallback.load(), description: fallback.description };
    }
  };
  return {
    get description() {
      return 'the OS keychain, else ' + fallback.description;
    },
    load: async () => (await (chosen ??= choose())).key,
  };
}

/** The secret store of a headless data dir. */
export function dataDirSecrets(dataDir: string): EncryptedFileSecretStore {
  return new EncryptedFileSecretStore(path.join(dataDir, SECRETS_FILE), preferredKeySource(dataDir, path.join(dataDir, SECRETS_KEY_FILE)));
}
