import { createParser } from 'eventsource-parser';
import { adminHttpRequest, errorDetailOf, EVENTS_PATH, type AdminMethod, type AdminParams, type AdminResult } from '../src/core/admin/protocol';
import type { AdminEvent } from '../src/core/admin/types';
import { tm } from './l10n';
import { AdminCallError, type LiveState, type Transport } from './transport';

const KEY_STORAGE = 'agate.adminKey';
const STATE_STORAGE = 'agate.dashboardState';
const RECONNECT_MS = [500, 1000, 2000, 5000];

/**
 * The key the page was opened with (`/dashboard?key=…`, needed when auth is
 * on): moved to this tab's sessionStorage and removed from the address bar
 * and history at once, so it is not bookmarked, shared or sent as a referrer.
 * Later calls carry it as a Bearer header — never in a URL.
 */
export function adoptKeyFromUrl(location: Location, history: History, storage: Storage): string | undefined {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('key');
  if (fromUrl) {
    storage.setItem(KEY_STORAGE, fromUrl);
    url.searchParams.delete('key');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
  }
  return storage.getItem(KEY_STORAGE) ?? undefined;
}

function withQuery(path: string, query: Record<string, unknown> | undefined): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

export class HttpTransport implements Transport {
  readonly kind = 'http';
  private readonly eventListeners: Array<(event: AdminEvent) => void> = [];
  private readonly liveListeners: Array<(state: LiveState) => void> = [];
  private streaming = false;

  constructor(private readonly key: string | undefined) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.key ? { ...extra, authorization: `Bearer ${this.key}` } : extra;
  }

  async call<M extends AdminMethod>(method: M, params: AdminParams<M>): Promise<AdminResult<M>> {
    // Each call's own REST route, from the protocol table (src/core/admin/protocol.ts).
    const route = adminHttpRequest(method, params);
    const response = await fetch(withQuery(route.path, route.query), {
      method: route.verb,
      headers: this.headers(route.body === undefined ? {} : { 'content-type': 'application/json' }),
      body: route.body === undefined ? undefined : JSON.stringify(route.body),
      cache: 'no-store',
    });
    const type = response.headers.get('content-type') ?? '';
    if (!response.ok) {
      const body = type.includes('json') ? ((await response.json()) as { error?: { message?: string } }) : undefined;
      // A refusal with a message code is worded in the page's language; the English otherwise.
      const detail = errorDetailOf(body);
      throw new AdminCallError(detail ? tm(detail) : (body?.error?.message ?? `${response.status} ${response.statusText}`), response.status, detail);
    }
    return (type.includes('json') ? await response.json() : await response.text()) as AdminResult<M>;
  }

  onEvent(listener: (event: AdminEvent) => void): void {
    this.eventListeners.push(listener);
    if (!this.streaming) {
      this.streaming = true;
      void this.stream();
    }
  }

  onLiveState(listener: (state: LiveState) => void): void {
    this.liveListeners.push(listener);
  }

  loadState<T>(): T | undefined {
    const text = sessionStorage.getItem(STATE_STORAGE);
    try {
      return text ? (JSON.parse(text) as T) : undefined;
    } catch {
      return undefined;
    }
  }

  saveState(state: unknown): void {
    sessionStorage.setItem(STATE_STORAGE, JSON.stringify(state));
  }

  async addAccountWithGoogle(): Promise<void> {
    const { authorizeUrl } = await this.call('beginSignIn', {});
    // The sign-in redirects to a loopback port of the gateway's machine: it completes in a browser there.
    window.open(authorizeUrl, '_blank', 'noopener,noreferrer');
  }

  async save(fileName: string, text: string): Promise<void> {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  private setLive(state: LiveState): void {
    for (const listener of this.liveListeners) listener(state);
  }

  /** The event stream over fetch rather than EventSource, which cannot send the key as a header. */
  private async stream(): Promise<void> {
    for (let failures = 0; ; failures++) {
      this.setLive('connecting');
      try {
        const response = await fetch(EVENTS_PATH, { headers: this.headers({ accept: 'text/event-stream' }), cache: 'no-store' });
        if (!response.ok || !response.body) throw new Error(`event stream answered ${response.status}`);
        this.setLive('live');
        failures = 0;
        const parser = createParser({
          onEvent: (message) => {
            const event = JSON.parse(message.data) as AdminEvent;
            for (const listener of this.eventListeners) listener(event);
          },
        });
        const decoder = new TextDecoder();
        const reader = response.body.getReader();
        for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) parser.feed(decoder.decode(chunk.value, { stream: true }));
      } catch {
        // Reconnected below; the live state tells the user meanwhile.
      }
      this.setLive('offline');
      await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS[Math.min(failures, RECONNECT_MS.length - 1)]));
    }
  }
}
