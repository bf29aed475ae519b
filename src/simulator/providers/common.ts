/**
 * What the three paid-provider fakes share: the scripted model (the same
 * composer the Cloud Code fake uses, fed a request converted to its wire
 * shape), fault lookup, and paced delivery of prepared frames.
 */
import type { Answer } from '../answer';
import type { Exchange } from '../exchange';
import type { SimHttpError } from '../google-errors';
import { runScript } from '../script';
import type { SimState } from '../state';
import { promptTokens } from '../tokens';
import type { FaultSpec } from '../types';
import type { GenerateRequest } from '../wire';
import type { ProviderModel } from './catalog';

export interface ScriptedAnswer {
  answer: Answer;
  promptTokens: number;
  sequence: number;
  fault: FaultSpec | undefined;
}

/**
 * Runs the scripted model over `request` (already in the Cloud Code wire shape), matching configured faults as
 * the Cloud Code methods do. `invalid` turns a directive or undeclared-call error into the provider's own 400.
 */
export function scriptAnswer(
  state: SimState,
  exchange: Exchange,
  model: ProviderModel,
  request: GenerateRequest,
  stream: boolean,
  invalid: (message: string) => SimHttpError,
): ScriptedAnswer {
  const method = stream ? 'streamGenerateContent' : 'generateContent';
  const script = runScript(state, exchange, { model, request, method, account: exchange.entry.account }, invalid);
  return { ...script, promptTokens: promptTokens(request) };
}

export { deliverFrames, deliverWhole } from '../delivery';

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
