import { redactor } from '../logging/redactor';
import type { SecretStore } from '../ports';
import { newPrimaryKey } from './key-material';

export const PRIMARY_KEY_SECRET = 'agate:primary-key';

/**
 * The user's own key: what their clients send when auth is on, and the only
 * key the admin API and dashboard accept. Created on first use and kept in the
 * SecretStore (VS Code SecretStorage, or the CLI's encrypted file).
 */
export class PrimaryKey {
  private cached: Promise<string> | undefined;

  constructor(private readonly secrets: SecretStore) {}

  get(): Promise<string> {
    this.cached ??= this.load().catch((err: unknown) => {
      this.cached = undefined; // a store that failed once may work on the next request
      throw err;
    });
    return this.cached;
  }

  /** A new key replaces the old one at once; clients holding the old one get 401. */
  async rotate(): Promise<string> {
    const key = newPrimaryKey();
    redactor.add(key);
    await this.secrets.set(PRIMARY_KEY_SECRET, key);
    this.cached = Promise.resolve(key);
    return key;
  }

  private async load(): Promise<string> {
    const stored = await this.secrets.get(PRIMARY_KEY_SECRET);
    if (stored) {
      redactor.add(stored);
      return stored;
    }
    return this.rotate();
  }
}
