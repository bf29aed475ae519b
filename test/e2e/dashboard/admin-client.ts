/** Small HTTP helpers for the admin API tests: JSON calls and an event-stream reader. */
import { createParser } from 'eventsource-parser';
import type { AdminEvent } from '../../../src/core/admin/types';

export interface AdminReply<T> {
  status: number;
  body: T;
  headers: Headers;
}

export async function admin<T>(baseUrl: string, path: string, options: { method?: string; body?: unknown; key?: string } = {}): Promise<AdminReply<T>> {
  const headers: Record<string, string> = {};
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(baseUrl + path, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const type = response.headers.get('content-type') ?? '';
  const body = (type.includes('json') ? await response.json() : await response.text()) as T;
  return { status: response.status, body, headers: response.headers };
}

/** Polls until `probe` returns a value (not undefined); the bound is generous, the loop ends at the first success. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface EventStream {
  status: number;
  /** Resolves with the first event (already received or future) that matches. */
  next(predicate: (event: AdminEvent) => boolean, timeoutMs?: number): Promise<AdminEvent>;
  close(): void;
}

/** Opens `/admin/api/events`; resolves once the server said it subscribed (or answered an error). */
export async function openEvents(baseUrl: string, key?: string): Promise<EventStream> {
  const abort = new AbortController();
  const response = await fetch(`${baseUrl}/admin/api/events`, {
    headers: key ? { authorization: `Bearer ${key}` } : {},
    signal: abort.signal,
  });
  const events: AdminEvent[] = [];
  const waiters: Array<() => void> = [];
  let subscribed!: () => void;
  const ready = new Promise<void>((resolve) => (subscribed = resolve));
  const parser = createParser({
    onEvent: (message) => {
      events.push(JSON.parse(message.data) as AdminEvent);
      waiters.splice(0).forEach((wake) => wake());
    },
    onComment: () => subscribed(),
  });
  if (response.ok && response.body) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    void (async () => {
      try {
        for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) parser.feed(decoder.decode(chunk.value, { stream: true }));
      } catch {
        // Aborted by close().
      }
    })();
    await ready;
  }
  return {
    status: response.status,
    async next(predicate, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(predicate);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error('timed out waiting for an admin event');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    close: () => abort.abort(),
  };
}
