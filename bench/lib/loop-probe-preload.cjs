/**
 * The bench's event-loop probe, preloaded (`node -r`) into the gateways it measures and into the pass-through
 * that is their floor for Claude Code's request. It lives outside the product: a gateway in use runs none of it.
 *
 * Over the IPC channel the bench opened (bench/lib/loop-probe.mjs), `{type: 'loop-delay', id}` is answered
 * with the event-loop delay (perf_hooks.monitorEventLoopDelay) since the previous one, and the longest stretch
 * of process CPU between two ticks of a 5 ms timer, then both restart. Without an IPC channel it does nothing.
 * (A full collection before each step, tried so that one step's garbage would not be billed to the next, made
 * the next steps slower and noisier — anthropic at 500 req/s 920–1,207 ms per 1,000 requests, against
 * 547–1,040 without — and is not done.)
 */
'use strict';
// CommonJS, preloaded with `-r`: `--import` would load the ESM loader into the gateway and add to its RSS.
/* eslint-disable @typescript-eslint/no-require-imports */
const { monitorEventLoopDelay } = require('node:perf_hooks');

/** How often the loop-delay timer samples; a stall shorter than this blurs into the next sample. */
const RESOLUTION_MS = 5;

if (process.send) {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  // The delay above includes time the OS gave other processes (a loaded machine). The process CPU spent
  // between two ticks of this timer is the process's own longest stretch of work without a turn.
  let lastCpu = process.cpuUsage();
  let maxCpuSliceMs = 0;
  setInterval(() => {
    const now = process.cpuUsage();
    maxCpuSliceMs = Math.max(maxCpuSliceMs, (now.user - lastCpu.user + now.system - lastCpu.system) / 1000);
    lastCpu = now;
  }, RESOLUTION_MS).unref();
  const ms = (ns) => (Number.isFinite(ns) ? ns / 1e6 : 0);
  process.on('message', (message) => {
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
  // The channel must not keep a stopped process alive.
  process.channel?.unref();
}
