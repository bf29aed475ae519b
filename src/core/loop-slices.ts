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

/** Objects and arrays this deep or deeper are serialised whole (a conversation turn, a tool). */
const SPLIT_DEPTH = 3;

/**
 * `JSON.stringify(value)` for plain JSON data (no toJSON, no cycles) as UTF-8
 * buffers ready for the socket, built with a turn of the event loop whenever
 * a slice has run SLICE_MS: the whole text never exists as one string, and
 * its encoding to bytes is sliced too. The top levels are walked (an envelope
 * → its request → its contents); each element below is serialised whole.
 */
export async function serialiseInSlices(value: unknown): Promise<Buffer[]> {
  const buffers: Buffer[] = [];
  let pieces: string[] = [];
  let sliceStarted = performance.now();
  const emit = () => {
    if (pieces.length > 0) buffers.push(Buffer.from(pieces.join(''), 'utf8'));
    pieces = [];
  };
  const walk = async (node: unknown, depth: number): Promise<void> => {
    if (depth >= SPLIT_DEPTH || node === null || typeof node !== 'object') {
      pieces.push(JSON.stringify(node) ?? 'null');
      if (performance.now() - sliceStarted > SLICE_MS) {
        emit();
        await yieldToLoop();
        sliceStarted = performance.now();
      }
      return;
    }
    if (Array.isArray(node)) {
      pieces.push('[');
      for (let index = 0; index < node.length; index++) {
        if (index > 0) pieces.push(',');
        const item: unknown = node[index];
        // As JSON.stringify does: undefined, functions and symbols in an array become null.
        await walk(item === undefined || typeof item === 'function' || typeof item === 'symbol' ? null : item, depth + 1);
      }
      pieces.push(']');
      return;
    }
    pieces.push('{');
    let first = true;
    for (const [key, item] of Object.entries(node)) {
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      pieces.push(`${first ? '' : ','}${JSON.stringify(key)}:`);
      first = false;
      await walk(item, depth + 1);
    }
    pieces.push('}');
  };
  await walk(value, 0);
  emit();
  return buffers;
}
