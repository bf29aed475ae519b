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
 */
export async function* committedEvents(
  first: ChatEvent | undefined,
  rest: AsyncIterator<ChatEvent>,
  hooks: CommittedStreamHooks,
): AsyncGenerator<ChatEvent, void, undefined> {
  let finished = false;
  try {
    if (first === undefined) return;
    yield first;
    for (;;) {
      let step: IteratorResult<ChatEvent>;
      try {
        step = await rest.next();
      } catch (err) {
        finished = true;
        throw hooks.onFailure(err);
      }
      if (step.done) {
        finished = true;
        return;
      }
      yield step.value;
    }
  } finally {
    hooks.onEnd();
    if (!finished) await rest.return?.();
  }
}
