import type { AdminMethod, AdminParams, AdminResult } from '../src/core/admin/protocol';
import type { AdminEvent } from '../src/core/admin/types';

/** Connection state of the live feed, shown in the header. */
export type LiveState = 'connecting' | 'live' | 'offline';

/** How the dashboard reaches the admin API: the VS Code webview's postMessage or the browser's fetch + SSE. */
export interface Transport {
  readonly kind: 'vscode' | 'http';
  call<M extends AdminMethod>(method: M, params: AdminParams<M>): Promise<AdminResult<M>>;
  onEvent(listener: (event: AdminEvent) => void): void;
  onLiveState(listener: (state: LiveState) => void): void;
  /** UI state that survives the webview being hidden (VS Code) or a reload (browser). */
  loadState<T>(): T | undefined;
  saveState(state: unknown): void;
  /** Starts adding an account the way the host does best; resolves once the host has taken over. */
  addAccountWithGoogle(): Promise<void>;
  /** Saves a file (CSV export). */
  save(fileName: string, text: string): Promise<void>;
  /** Only in the editor: signs the Antigravity IDE into the account (the editor asks before closing the IDE). */
  switchIdeAccount?(accountId: string): Promise<void>;
}

export { AdminCallError } from '../src/core/admin/protocol';
