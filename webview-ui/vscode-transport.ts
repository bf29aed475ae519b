import type { AdminHostMessage, AdminMethod, AdminParams, AdminRequestMessage, AdminResult, WebviewToHost } from '../src/core/admin/protocol';
import type { AdminEvent } from '../src/core/admin/types';
import { isCoreMessage } from '../src/core/messages';
import { tm } from './l10n';
import { AdminCallError, type LiveState, type Transport } from './transport';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** The webview's side of the relay in src/vscode/dashboard-panel.ts: calls go up, results and live events come down. */
export class VsCodeTransport implements Transport {
  readonly kind = 'vscode';
  private readonly api = acquireVsCodeApi();
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  private readonly eventListeners: Array<(event: AdminEvent) => void> = [];
  private nextId = 1;

  constructor() {
    window.addEventListener('message', (message: MessageEvent<AdminHostMessage>) => {
      const data = message.data;
      if (data?.kind === 'admin-event') {
        for (const listener of this.eventListeners) listener(data.event);
      } else if (data?.kind === 'admin-result') {
        const waiting = this.pending.get(data.id);
        this.pending.delete(data.id);
        if (data.ok) waiting?.resolve(data.result);
        else {
          // A refusal with a message code is worded in the editor's language; the English otherwise.
          const detail = isCoreMessage(data.detail) ? data.detail : undefined;
          waiting?.reject(new AdminCallError(detail ? tm(detail) : data.error, data.status, detail));
        }
      }
    });
  }

  call<M extends AdminMethod>(method: M, params: AdminParams<M>): Promise<AdminResult<M>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.post({ kind: 'admin-call', id, method, params } satisfies AdminRequestMessage);
    });
  }

  onEvent(listener: (event: AdminEvent) => void): void {
    this.eventListeners.push(listener);
    if (this.eventListeners.length === 1) this.post({ kind: 'subscribe' });
  }

  onLiveState(listener: (state: LiveState) => void): void {
    // In-process: live as long as the webview exists.
    listener('live');
  }

  loadState<T>(): T | undefined {
    return (this.api.getState() as T | null) ?? undefined;
  }

  saveState(state: unknown): void {
    this.api.setState(state);
  }

  async addAccountWithGoogle(): Promise<void> {
    this.post({ kind: 'add-account-google' });
  }

  async save(fileName: string, text: string): Promise<void> {
    this.post({ kind: 'save-file', fileName, text });
  }

  async switchIdeAccount(accountId: string): Promise<void> {
    this.post({ kind: 'switch-ide-account', accountId });
  }

  private post(message: WebviewToHost): void {
    this.api.postMessage(message);
  }
}
