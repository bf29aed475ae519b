/**
 * Paced delivery of a generated answer, shared by the Cloud Code fake and the paid-provider fakes: the
 * configured first-byte delay and frame interval, and the hang / reset_after faults after their frame counts.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Exchange } from './exchange';
import type { SimState } from './state';
import type { FaultSpec } from './types';

/** Waits unless the client has gone; false when it has. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (ms <= 0) return !signal.aborted;
  try {
    await delay(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/** A non-streaming answer arrives whole, once every frame would have been generated. */
export async function deliverWhole(
  state: SimState,
  exchange: Exchange,
  frameCount: number,
  body: unknown,
  fault: FaultSpec | undefined,
  headers: Readonly<Record<string, string>> = {},
): Promise<void> {
  if (fault?.kind === 'hang') return;
  const { firstByteDelayMs, frameIntervalMs } = state.config;
  if (!(await pause(firstByteDelayMs + Math.max(0, frameCount - 1) * frameIntervalMs, exchange.signal))) return;
  if (fault?.kind === 'reset_after') {
    await exchange.destroy();
    return;
  }
  exchange.annotate({ frames: 1 });
  exchange.sendJson(200, body, headers);
}

/**
 * Writes prepared frames (each already framed: SSE events, or JSON array pieces)
 * at the configured pace; hang and reset_after faults act after their frame counts.
 */
export async function deliverFrames(
  state: SimState,
  exchange: Exchange,
  frames: readonly string[],
  fault: FaultSpec | undefined,
  headers: Readonly<Record<string, string>>,
  trailer?: string,
): Promise<void> {
  const stopAt = fault?.kind === 'hang' ? (fault.afterFrames ?? 0) : fault?.kind === 'reset_after' ? (fault.frames ?? 1) : undefined;
  if (fault?.kind === 'hang' && stopAt === 0) return;
  const { firstByteDelayMs, frameIntervalMs } = state.config;
  if (!(await pause(firstByteDelayMs, exchange.signal))) return;
  if (stopAt === 0) {
    await exchange.destroy();
    return;
  }
  exchange.head(200, { 'cache-control': 'no-cache', ...headers });
  const limit = Math.min(stopAt ?? frames.length, frames.length);
  for (let i = 0; i < limit; i += 1) {
    if (i > 0 && !(await pause(frameIntervalMs, exchange.signal))) return;
    if (exchange.closed) return;
    await exchange.writeFrame(frames[i]);
  }
  if (exchange.closed || fault?.kind === 'hang') return;
  if (fault?.kind === 'reset_after') {
    await exchange.destroy();
    return;
  }
  exchange.res.end(trailer);
}
