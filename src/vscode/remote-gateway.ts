import * as vscode from 'vscode';
import type { Logger } from '../core/ports';
import type { PoolQuota } from '../core/server/pool-quota';
import { Disposable } from './lifecycle';

/** Where the client key of the team gateway is kept: SecretStorage only, never settings or storage files. */
export const REMOTE_GATEWAY_KEY_SECRET = 'agate.remoteGateway.clientKey';

/** How often the status bar asks the team gateway for its quota (the gateway refreshes its own every few minutes). */
const QUOTA_POLL_MS = 60_000;
/** How long one call to the team gateway may take. */
const CALL_TIMEOUT_MS = 10_000;

/** The base URL and client key a terminal or client uses to reach the team gateway. */
export interface ClientTarget {
  baseUrl: string;
  key: string;
}

export type RemoteGatewayState =
  /** `agate.remoteGateway` is empty: this editor runs its own gateway. */
  | { kind: 'off' }
  /** Set, and not asked yet (or no key in SecretStorage). */
  | { kind: 'checking'; url: string }
  | { kind: 'reachable'; url: string; quota: PoolQuota }
  /** `reason` is English from the gateway or the network, or a sentence of this extension in the editor's language. */
  | { kind: 'unreachable'; url: string; reason: string };

/** The URL as clients use it: `http(s)://host[:port][/path]` without a trailing slash; undefined when it is not one. */
export function normalizeGatewayUrl(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password || url.search || url.hash) return undefined;
  return url.toString().replace(/\/+$/, '');
}

/**
 * Asks the team gateway for the pool's quota with the client key (`GET /v1/agate/quota`, a `client` route): it
 * proves the URL is an Agate and the key is accepted. Throws an Error saying what is wrong.
 */
export async function fetchPoolQuota(baseUrl: string, key: string): Promise<PoolQuota> {
  let response: Response;
  try {
    response = await fetch(`${baseUrl}/v1/agate/quota`, {
      headers: { authorization: `Bearer ${key}`, accept: 'application/json' },
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
  } catch (err) {
    const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
    throw new Error(vscode.l10n.t('cannot reach {0} ({1})', baseUrl, cause?.code ?? cause?.message ?? (err as Error).message), { cause: err });
  }
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel();
    throw new Error(vscode.l10n.t('the team gateway refused the key (HTTP {0})', response.status));
  }
  if (response.status === 404) {
    await response.body?.cancel();
    throw new Error(vscode.l10n.t('{0} is not an Agate gateway, or one too old to report its quota (HTTP 404)', baseUrl));
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(vscode.l10n.t('the team gateway answered HTTP {0}', response.status));
  }
  const body = (await response.json().catch(() => undefined)) as Partial<PoolQuota> | undefined;
  if (body?.object !== 'agate.quota' || !Array.isArray(body.models) || !body.accounts) {
    throw new Error(vscode.l10n.t('{0} is not an Agate gateway (its answer is not a quota report)', baseUrl));
  }
  return body as PoolQuota;
}

/**
 * The team gateway this editor uses instead of its own (setting `agate.remoteGateway`, client key in
 * SecretStorage): what the Claude Code terminal and "Connect a Client" point at, and its quota for the status
 * bar, asked for every minute while it is set. Fires `onDidChange` only when what it reports changed.
 */
export class RemoteGateway extends Disposable {
  private current: RemoteGatewayState = { kind: 'off' };
  private shown = JSON.stringify(this.current);
  private timer: NodeJS.Timeout | undefined;
  /** Bumped on every reload, so that an answer to an older question is dropped. */
  private generation = 0;
  private readonly changeEmitter = this.register(new vscode.EventEmitter<RemoteGatewayState>());
  readonly onDidChange = this.changeEmitter.event;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly configuredUrl: () => string,
    private readonly logger: Logger,
  ) {
    super();
    this.register({ dispose: () => this.timer && clearInterval(this.timer) });
    this.register(secrets.onDidChange((event) => event.key === REMOTE_GATEWAY_KEY_SECRET && void this.reload()));
  }

  get state(): RemoteGatewayState {
    return this.current;
  }

  /** Whether the setting names a team gateway (this editor then keeps its own stopped). */
  get active(): boolean {
    return this.configuredUrl() !== '';
  }

  /** The URL and key clients use, when a team gateway is set and its key is stored. */
  async target(): Promise<ClientTarget | undefined> {
    const baseUrl = normalizeGatewayUrl(this.configuredUrl());
    if (!baseUrl) return undefined;
    const key = await this.secrets.get(REMOTE_GATEWAY_KEY_SECRET);
    return key ? { baseUrl, key } : undefined;
  }

  /** Re-reads the setting and the key, asks the gateway for its quota, and (re)starts or stops the polling. */
  async reload(): Promise<void> {
    if (this.isDisposed) return;
    const generation = ++this.generation;
    const configured = this.configuredUrl();
    if (!configured) {
      if (this.timer) clearInterval(this.timer);
      this.timer = undefined;
      this.set({ kind: 'off' });
      return;
    }
    this.timer ??= setInterval(() => void this.poll(), QUOTA_POLL_MS);
    await this.poll(generation);
  }

  private async poll(generation = this.generation): Promise<void> {
    const configured = this.configuredUrl();
    const url = normalizeGatewayUrl(configured);
    if (!url) {
      this.set({ kind: 'unreachable', url: configured, reason: vscode.l10n.t('the setting agate.remoteGateway is not an http(s) URL') });
      return;
    }
    const target = await this.target();
    if (!target) {
      this.set({ kind: 'unreachable', url, reason: vscode.l10n.t('no client key stored: run "Agate: Use a Team Gateway…"') });
      return;
    }
    if (this.current.kind === 'off') this.set({ kind: 'checking', url });
    let next: RemoteGatewayState;
    try {
      next = { kind: 'reachable', url, quota: await fetchPoolQuota(target.baseUrl, target.key) };
    } catch (err) {
      next = { kind: 'unreachable', url, reason: (err as Error).message };
      if (this.current.kind !== 'unreachable') this.logger.warn('the team gateway is unreachable', { url, error: (err as Error).message });
    }
    if (generation === this.generation) this.set(next);
  }

  private set(state: RemoteGatewayState): void {
    if (this.isDisposed) return;
    const shown = JSON.stringify(state);
    this.current = state;
    if (shown === this.shown) return;
    this.shown = shown;
    this.changeEmitter.fire(state);
  }
}
