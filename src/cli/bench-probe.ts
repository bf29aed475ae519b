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
  // The delay above includes time the OS gave other processes (a loaded machine). The process CPU spent
  // between two ticks of this timer is the gateway's own longest stretch of work without a turn.
  let lastCpu = process.cpuUsage();
  let maxCpuSliceMs = 0;
  setInterval(() => {
    const now = process.cpuUsage();
    maxCpuSliceMs = Math.max(maxCpuSliceMs, (now.user - lastCpu.user + now.system - lastCpu.system) / 1000);
    lastCpu = now;
  }, RESOLUTION_MS).unref();
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
      maxCpuSliceMs,
      samples: histogram.count,
    });
    histogram.reset();
    maxCpuSliceMs = 0;
  });
  // The channel must not keep a stopped gateway alive.
  process.channel?.unref();
}
