/**
 * What the three paid-provider fakes share: the scripted model (the same
 * composer the Cloud Code fake uses, fed a request converted to its wire
 * shape), fault lookup, and paced delivery of prepared frames.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { composeAnswer, type Answer } from '../answer';
import { DirectiveError, parseDirectives, type Directive } from '../directives';
import type { Exchange } from '../exchange';
import type { SimHttpError } from '../google-errors';
import type { SimState } from '../state';
import { promptTokens } from '../tokens';
import type { FaultSpec } from '../types';
import { lastUserContent, visibleText, type GenerateRequest } from '../wire';
import type { ProviderModel } from './catalog';

export interface ScriptedAnswer {
  answer: Answer;
  promptTokens: number;
  sequence: number;
  fault: FaultSpec | undefined;
}

/**
 * Runs the scripted model over `request` (already in the Cloud Code wire shape).
 * `invalid` turns a directive or undeclared-call error into the provider's own 400.
 */
export function scriptAnswer(
  state: SimState,
  exchange: Exchange,
  model: ProviderModel,
  request: GenerateRequest,
  stream: boolean,
  invalid: (message: string) => SimHttpError,
): ScriptedAnswer {
  let directives: Directive[];
  try {
    directives = parseDirectives(visibleText(lastUserContent(request)));
  } catch (error) {
    if (error instanceof DirectiveError) throw invalid(error.message);
    throw error;
  }
  const sequence = state.nextSequence();
  let calls = 0;
  let answer: Answer;
  try {
    answer = composeAnswer({
      model,
      request,
      directives,
      signer: state.signer,
      responseId: `sim-resp-${sequence}`,
      nextCallId: () => `sim-call-${sequence}-${(calls += 1)}`,
      framesPerAnswer: state.config.framesPerAnswer,
    });
  } catch (error) {
    // composeAnswer refuses an undeclared call with a Google-shaped error; say it in this provider's shape.
    const body = (error as SimHttpError | undefined)?.body as { error?: { message?: string } } | undefined;
    if (body?.error?.message && (error as SimHttpError).status === 400) throw invalid(body.error.message);
    throw error;
  }
  const directed = directives.find((d) => d.kind === 'fault');
  const fault =
    directed?.kind === 'fault'
      ? directed.fault
      : state.faults.take({
          label: exchange.entry.label,
          method: stream ? 'streamGenerateContent' : 'generateContent',
          account: exchange.entry.account,
          model: model.id,
        });
  if (fault) exchange.annotate({ fault: fault.kind });
  return { answer, promptTokens: promptTokens(request), sequence, fault };
}

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

/** The request headers worth logging: everything but credentials. */
export function loggableHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name === 'authorization' || name === 'x-api-key' || name === 'x-goog-api-key') continue;
    kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}

/** Splits a string into `count` pieces at arbitrary points (streamed tool-call arguments). */
export function splitEvenly(text: string, count: number): string[] {
  if (text.length === 0) return [''];
  const size = Math.max(1, Math.ceil(text.length / count));
  const pieces: string[] = [];
  for (let at = 0; at < text.length; at += size) pieces.push(text.slice(at, at + size));
  return pieces;
}
