import type * as vscode from 'vscode';
import type { SecretStore } from '../core/ports';

/**
 * The core's SecretStore on VS Code's SecretStorage: the OS keychain on desktop (in memory in code-server and
 * other web hosts). Refresh tokens and the primary key live here and nowhere else: not in settings, not in
 * globalState, not in the extension's storage folder.
 */
export class SecretStorageStore implements SecretStore {
  constructor(private readonly storage: vscode.SecretStorage) {}

  async get(key: string): Promise<string | undefined> {
    return this.storage.get(key);
  }

  async set(key: string, value: string): Promise<void> {
    await this.storage.store(key, value);
  }

  async delete(key: string): Promise<void> {
    await this.storage.delete(key);
  }
}
