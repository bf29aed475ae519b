import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The node flags that load the bench's probe into a measured process (bench/lib/loop-probe-preload.cjs); the
 * process must be spawned with an IPC channel (stdio `'ipc'`).
 */
export const PROBE_NODE_FLAGS = ['-r', path.join(path.dirname(fileURLToPath(import.meta.url)), 'loop-probe-preload.cjs')];

/**
 * A measured process's probe over IPC: `read()` resolves with p50 / p99 / max event-loop delay in ms since the
 * previous read (and the longest stretch of process CPU between two ticks of a 5 ms timer), and restarts it.
 */
export function loopProbe(child) {
  let nextId = 1;
  const pending = new Map();
  child.on('message', (message) => {
    if (message?.type !== 'loop-delay') return;
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  });
  return {
    read: () =>
      new Promise((resolve) => {
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve({ p50: NaN, p99: NaN, max: NaN, maxCpuSliceMs: NaN });
        }, 5_000);
        pending.set(id, (message) => {
          clearTimeout(timer);
          resolve({ p50: message.p50, p99: message.p99, max: message.max, maxCpuSliceMs: message.maxCpuSliceMs, resolutionMs: message.resolutionMs });
        });
        child.send({ type: 'loop-delay', id });
      }),
  };
}
