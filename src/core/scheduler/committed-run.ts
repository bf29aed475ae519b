import type { ChatEvent } from '../ir';

export interface CommittedStreamHooks {
  /** Turns a mid-stream failure into what the consumer sees. */
  onFailure(err: unknown): Error;
  /** Once, however the stream ends: done, failed, or abandoned by the consumer. */
  onEnd(): void;
}

/**
 * The events of a generation that already produced its first event: that
 * event replayed, then the rest of the upstream iterator. A consumer that
 * stops early closes the upstream iterator (and with it the HTTP stream).
 * A plain iterator rather than an async generator: it passes each event on
 * with one promise instead of an async generator's several.
 */
export function committedEvents(first: ChatEvent | undefined, rest: AsyncIterator<ChatEvent>, hooks: CommittedStreamHooks): AsyncIterableIterator<ChatEvent> {
  return new CommittedEvents(first, rest, hooks);
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

class CommittedEvents implements AsyncIterableIterator<ChatEvent> {
  private ended = false;

  constructor(
    private first: ChatEvent | undefined,
    private readonly rest: AsyncIterator<ChatEvent>,
    private readonly hooks: CommittedStreamHooks,
  ) {
    if (first === undefined) this.end();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<ChatEvent>> {
    if (this.ended) return Promise.resolve(DONE);
    const first = this.first;
    if (first !== undefined) {
      this.first = undefined;
      return Promise.resolve({ done: false, value: first });
    }
    return this.rest.next().then(
      (step) => {
        if (step.done) this.end();
        return step;
      },
      (err: unknown) => {
        const failure = this.hooks.onFailure(err);
        this.end();
        throw failure;
      },
    );
  }

  /** The consumer stopped early: the upstream iterator is closed (its HTTP stream cut). */
  async return(): Promise<IteratorResult<ChatEvent>> {
    if (this.ended) return DONE;
    this.end();
    await this.rest.return?.();
    return DONE;
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.hooks.onEnd();
  }
}
