import type { Readable } from 'node:stream';

/** The body ended before its end: a reset connection, or a response cut by its sender. */
class PrematureClose extends Error {
  readonly code = 'ECONNRESET';
  constructor() {
    super('the upstream connection closed before the answer was complete');
  }
}

/**
 * An upstream answer's body, one chunk per `next()` (UTF-8 text, or the bytes as they came), undefined at its end. Built on `data`
 * events with pause/resume rather than the stream's async iterator: that iterator is an async generator
 * over `read()` and end-of-stream tracking, a few promises and listeners per chunk on the hot path, where
 * this settles one promise. A chunk that arrives while nobody waits pauses the body (back-pressure).
 */
export class BodyReader<Chunk extends string | Buffer = string> {
  private readonly queued: Chunk[] = [];
  private waiting: { resolve(chunk: Chunk | undefined): void; reject(err: unknown): void } | undefined;
  private ended = false;
  private failure: unknown;

  /** `bytes`: Buffers as they arrive (a passed-through answer); else UTF-8 text. */
  constructor(
    private readonly body: Readable,
    bytes?: 'bytes',
  ) {
    if (!bytes) body.setEncoding('utf8');
    body.on('data', (chunk: Chunk) => {
      const waiting = this.waiting;
      if (waiting) {
        this.waiting = undefined;
        waiting.resolve(chunk);
        return;
      }
      this.queued.push(chunk);
      body.pause();
    });
    body.once('end', () => {
      this.ended = true;
      this.settle();
    });
    body.once('error', (err) => this.fail(err));
    // Destroyed without an error or an end (the socket closed under it): never wait forever.
    body.once('close', () => {
      if (!this.ended) this.fail(new PrematureClose());
    });
  }

  next(): Promise<Chunk | undefined> {
    if (this.queued.length > 0) {
      const chunk = this.queued.shift()!;
      if (this.queued.length === 0 && !this.ended) this.body.resume();
      return Promise.resolve(chunk);
    }
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  /** Closes the connection under the body (a consumer that stops early): it does not go back to the pool. */
  destroy(): void {
    this.body.destroy();
  }

  private fail(err: unknown): void {
    this.failure ??= err;
    this.settle();
  }

  private settle(): void {
    const waiting = this.waiting;
    if (!waiting || this.queued.length > 0) return;
    this.waiting = undefined;
    if (this.failure !== undefined) waiting.reject(this.failure);
    else waiting.resolve(undefined);
  }
}
