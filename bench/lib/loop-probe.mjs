/**
 * The gateway's event-loop delay over IPC (src/cli/bench-probe.ts, on with AGATE_BENCH_PROBE=1): `read()`
 * resolves with p50 / p99 / max in ms since the previous read (and the longest stretch of process CPU between
 * two ticks of a 5 ms timer), and restarts the gateway's histogram.
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
