/**
 * One logged request/response pair. Keeps its log entry true to what the
 * client saw: the status once the head is out, each frame delivered, and
 * `aborted` when the client went away before the response was complete.
 */
import type { ServerResponse } from 'node:http';
import type { SimHttpError } from './google-errors';
import type { RequestLog } from './request-log';
import type { LogEntry } from './types';

export class Exchange {
  private readonly controller = new AbortController();
  private readonly startedAt = performance.now();
  private destroyedByServer = false;
  /** Frames handed to res.write whose bytes have not reached the socket yet. */
  private unflushed = 0;
  private onFlushed?: () => void;
  private readonly flushedOne = () => {
    this.unflushed -= 1;
    if (this.unflushed === 0) this.onFlushed?.();
  };

  constructor(
    readonly res: ServerResponse,
    readonly entry: LogEntry,
    private readonly log: RequestLog,
  ) {
    res.once('close', () => {
      if (!res.writableFinished) {
        if (!this.destroyedByServer) entry.aborted = true;
        this.controller.abort();
      }
      entry.durationMs = Math.round(performance.now() - this.startedAt);
      log.changed(entry);
    });
  }

  /** Aborted when the connection closes before the response is complete. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get closed(): boolean {
    return this.controller.signal.aborted || this.res.destroyed;
  }

  /** Records what became known about the request, and wakes log waiters. */
  annotate(fields: Partial<Pick<LogEntry, 'account' | 'model' | 'body' | 'fault' | 'frames' | 'headers' | 'stream' | 'rawBody'>>): void {
    Object.assign(this.entry, fields);
    this.log.changed(this.entry);
  }

  head(status: number, headers: Readonly<Record<string, string | number>>): void {
    this.res.writeHead(status, headers);
    this.entry.status = status;
    this.log.changed(this.entry);
  }

  sendJson(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
    if (this.closed) return;
    const text = JSON.stringify(body);
    this.head(status, { ...headers, 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
    this.res.end(text);
  }

  sendError(error: SimHttpError): void {
    this.sendJson(error.status, error.body, error.headers);
  }

  /** Writes one answer chunk, waiting while the socket is congested. */
  async writeFrame(chunk: string): Promise<void> {
    if (this.closed) return;
    this.unflushed += 1;
    const flushed = this.res.write(chunk, this.flushedOne);
    this.entry.frames += 1;
    this.log.changed(this.entry);
    if (!flushed) await drained(this.res, this.signal);
  }

  /**
   * A connection reset from the server side (fault reset_after), not a client
   * abort. Node corks response writes until the next tick, so the frames
   * written so far are flushed first: the client sees them, then the cut.
   */
  async destroy(): Promise<void> {
    this.destroyedByServer = true;
    if (this.unflushed > 0 && !this.closed) {
      await new Promise<void>((resolve) => {
        this.onFlushed = resolve;
        this.signal.addEventListener('abort', () => resolve(), { once: true });
      });
    }
    this.res.destroy();
  }
}

function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.on('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
