import { createParser } from 'eventsource-parser';
import { AdminCallError, errorDetailOf, type AdminMethod, type AdminParams, type AdminResult } from './protocol';
import type { AdminEvent } from './types';

export { AdminCallError };

/** The owner could not be reached at all (it stopped, crashed, or is not listening yet). */
export class OwnerUnreachableError extends Error {
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(`cannot reach the Agate gateway at ${url}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'OwnerUnreachableError';
  }
}

/**
 * The owner's pid, sent with every cross-process admin call and echoed in the answer. A dead owner's port can be taken
 * by another process before its lock is judged stale; the check keeps a change from landing in (or being acknowledged
 * by) a gateway that does not own the data dir the caller opened.
 */
export const OWNER_PID_HEADER = 'x-agate-owner-pid';

export interface RemoteAdminOptions {
  /** The owner's base URL (`http://127.0.0.1:8045`). */
  baseUrl: string;
  /** The primary key, when this process can read it; needed only when the owner has auth on. */
  key?: () => Promise<string | undefined>;
  /** Per call; an admin call that takes longer (a slow account setup) is still answered within it. */
  timeoutMs?: number;
  /** The pid the data dir's lock names: a gateway in any other process refuses the call (see OWNER_PID_HEADER). */
  ownerPid?: number;
}

/** A live subscription to the owner's event stream. */
export interface RemoteSubscription {
  /** Resolves when the stream ends (the owner stopped or went away), or rejects if it could not be opened. */
  readonly ended: Promise<void>;
  close(): void;
}

/**
 * The admin API of another process's gateway, over loopback HTTP: the same
 * calls (`POST /admin/api/call/<method>`) and events (`/admin/api/events`)
 * the in-process API offers. How the CLI and the editor windows that do not
 * own the data dir change it.
 */
export class RemoteAdmin {
  readonly baseUrl: string;

  constructor(private readonly options: RemoteAdminOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  private async headers(extra: Record<string, string>): Promise<Record<string, string>> {
    const key = await this.options.key?.();
    const owner: Record<string, string> = this.options.ownerPid === undefined ? {} : { [OWNER_PID_HEADER]: String(this.options.ownerPid) };
    return key ? { ...extra, ...owner, authorization: `Bearer ${key}` } : { ...extra, ...owner };
  }

  /** An answer from another process than the lock's owner (or from a gateway without the check) counts as no answer. */
  private checkAnswerer(response: Response): void {
    if (this.options.ownerPid === undefined) return;
    const answerer = response.headers.get(OWNER_PID_HEADER);
    if (answerer !== String(this.options.ownerPid)) {
      throw new OwnerUnreachableError(
        this.baseUrl,
        new Error(`answered by process ${answerer ?? 'unknown'}, not the data dir's owner (pid ${this.options.ownerPid})`),
      );
    }
  }

  async call<M extends AdminMethod>(method: M, params: AdminParams<M> | Record<string, unknown> = {}): Promise<AdminResult<M>> {
    const url = `${this.baseUrl}/admin/api/call/${encodeURIComponent(method)}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: await this.headers({ 'content-type': 'application/json' }),
        body: JSON.stringify(params ?? {}),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 120_000),
      });
    } catch (err) {
      throw new OwnerUnreachableError(this.baseUrl, err);
    }
    this.checkAnswerer(response);
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    if (!response.ok) {
      let message = `${response.status} ${response.statusText}`;
      let detail: ReturnType<typeof errorDetailOf>;
      if (type.includes('json')) {
        try {
          const body = JSON.parse(text) as { error?: { message?: string } | string; message?: string };
          message = (typeof body.error === 'string' ? body.error : body.error?.message) ?? body.message ?? message;
          detail = errorDetailOf(body);
        } catch {
          // keep the status line
        }
      }
      throw new AdminCallError(message, response.status, detail);
    }
    return (type.includes('json') ? JSON.parse(text) : text) as AdminResult<M>;
  }

  /** Follows the owner's events until `close` or until the stream ends. */
  subscribe(listener: (event: AdminEvent) => void, onOpen?: () => void): RemoteSubscription {
    const controller = new AbortController();
    const ended = (async () => {
      let response: Response;
      try {
        response = await fetch(`${this.baseUrl}/admin/api/events`, {
          headers: await this.headers({ accept: 'text/event-stream' }),
          signal: controller.signal,
        });
      } catch (err) {
        if (controller.signal.aborted) return;
        throw new OwnerUnreachableError(this.baseUrl, err);
      }
      this.checkAnswerer(response);
      if (!response.ok || !response.body) throw new AdminCallError(`the event stream answered ${response.status}`, response.status);
      onOpen?.();
      const parser = createParser({
        onEvent: (message) => {
          let event: AdminEvent;
          try {
            event = JSON.parse(message.data) as AdminEvent;
          } catch {
            return;
          }
          listener(event);
        },
      });
      const decoder = new TextDecoder();
      const reader = response.body.getReader();
      try {
        for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) parser.feed(decoder.decode(chunk.value, { stream: true }));
      } catch {
        // The owner went away mid-stream: the stream has ended.
      }
    })();
    return { ended, close: () => controller.abort() };
  }
}
