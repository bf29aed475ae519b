import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { SecretStore } from '../ports';
import { writeFileAtomic } from './atomic-file';

/** Where the 256-bit key that encrypts the secrets file comes from. */
export interface KeySource {
  readonly description: string;
  load(): Promise<Buffer>;
}

/**
 * Secrets for the headless host: one AES-256-GCM encrypted JSON file,
 * replaced atomically on every change. (The VS Code host uses SecretStorage.)
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
    const [iv, tag, data] = [blob.subarray(0, 12), blob.subarray(12, 28), blob.subarray(28)];
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAuthTag(tag);
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data), decipher.final()]);
    } catch {
      throw new Error(`cannot decrypt ${this.file} with the key from ${this.keySource.description}`);
    }
    return (this.cache = new Map(Object.entries(JSON.parse(plain.toString('utf8')) as Record<string, string>)));
  }

  private persist(secrets: Map<string, string>): Promise<void> {
    const run = async () => {
      const key = await this.keySource.load();
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(JSON.stringify(Object.fromEntries(secrets)), 'utf8'), cipher.final()]);
      await writeFileAtomic(this.file, Buffer.concat([iv, cipher.getAuthTag(), data]));
    };
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

/** A random key in a 0600 file beside the data: the fallback when no OS keychain answers. */
export function keyFileSource(file: string): KeySource {
  let key: Promise<Buffer> | undefined;
  return {
    description: `key file ${file}`,
    load: () =>
      (key ??= (async () => {
        try {
          const existing = await fs.readFile(file);
          if (existing.length !== 32) throw new Error(`key file ${file} is corrupt (expected 32 bytes)`);
          return existing;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
          const fresh = randomBytes(32);
          await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
          await fs.writeFile(file, fresh, { mode: 0o600, flag: 'wx' }).catch(async (e: NodeJS.ErrnoException) => {
            if (e.code !== 'EEXIST') throw e;
          });
          return fs.readFile(file);
        }
      })()),
  };
}
