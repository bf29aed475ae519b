import { performance } from 'node:perf_hooks';

/**
 * Long synchronous work split over event-loop turns, so that timers and I/O
 * of other requests (and, in VS Code, the editor's extensions) run between
 * the slices. Parsing, translating and serialising a multi-megabyte
 * conversation take tens of milliseconds each; `npm run bench` measures them.
 */

/** A macrotask turn (an awaited resolved promise would run before any I/O). */
export const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Bodies from this size on are parsed, translated and serialised in separate event-loop turns. */
export const LARGE_BODY_BYTES = 256 * 1024;

/** Longest run of parsing or serialisation between two turns. */
const SLICE_MS = 8;
/**
 * Runs synchronous work written as a generator that pauses (`yield`) wherever it may be cut, with a turn of the
 * event loop whenever a slice has run SLICE_MS.
 */
export async function runInSlices<T>(steps: Generator<void, T>): Promise<T> {
  let sliceStarted = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - sliceStarted > SLICE_MS) {
      await yieldToLoop();
      sliceStarted = performance.now();
    }
  }
}
