import { createHash, randomBytes } from 'node:crypto';
import type { KeySource } from './encrypted-secret-store';
import { keyFileSource } from './encrypted-secret-store';

interface KeyringEntry {
  getPassword(): string | null | undefined;
  setPassword(value: string): void;
}

/**
 * The secrets key in the OS keychain (macOS Keychain, Windows Credential
 * Manager, Secret Service) through @napi-rs/keyring, one entry per data dir.
 * Falls back to a 0600 key file when no keychain answers (headless Linux,
 * containers, CI), and says which it uses.
 */
export function preferredKeySource(dataDir: string, keyFile: string): KeySource {
  const fallback = keyFileSource(keyFile);
  let chosen: Promise<{ key: Buffer; description: string }> | undefined;
  const choose = async () => {
    try {
      const { Entry } = require('@napi-rs/keyring') as { Entry: new (service: string, account: string) => KeyringEntry };
      const account = 'secrets-key-' + createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
      const entry = new Entry('agate', account);
      const stored = entry.getPassword();
      if (stored) return { key: Buffer.from(stored, 'base64'), description: 'the OS keychain' };
      const fresh = randomBytes(32);
      entry.setPassword(fresh.toString('base64'));
      return { key: fresh, description: 'the OS keychain' };
    } catch {
      return { key: await fallback.load(), description: fallback.description };
    }
  };
  const source: KeySource = {
    get description() {
      return 'the OS keychain, else ' + fallback.description;
    },
    load: async () => (await (chosen ??= choose())).key,
  };
  return source;
}
