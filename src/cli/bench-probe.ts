import { monitorEventLoopDelay } from 'node:perf_hooks';

/** How often the loop-delay timer samples; a stall shorter than this blurs into the next sample. */
const RESOLUTION_MS = 5;

/**
 * For `npm run bench` only: with AGATE_BENCH_PROBE=1 and an IPC channel (the
 * bench spawns the gateway with one), each `{type: 'loop-delay', id}` message
 * is answered with the event-loop delay (perf_hooks.monitorEventLoopDelay)
 * since the previous one, then the histogram restarts. Never an HTTP route:
 * nothing reaches it but the process that started the gateway.
 */
export function installBenchProbe(): void {
  if (process.env.AGATE_BENCH_PROBE !== '1' || !process.send) return;
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  const ms = (ns: number) => (Number.isFinite(ns) ? ns / 1e6 : 0);
  process.on('message', (message: { type?: unknown; id?: unknown }) => {
    if (message?.type !== 'loop-delay') return;
    process.send?.({
      type: 'loop-delay',
      id: message.id,
      resolutionMs: RESOLUTION_MS,
      p50: ms(histogram.percentile(50)),
      p99: ms(histogram.percentile(99)),
      max: ms(histogram.max),
      samples: histogram.count,
    });
    histogram.reset();
  });
  // The channel must not keep a stopped gateway alive.
  process.channel?.unref();
}
