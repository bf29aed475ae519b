/**
 * What the three paid-provider fakes share: the scripted model (the same
 * composer the Cloud Code fake uses, fed a request converted to its wire
 * shape), fault lookup, and paced delivery of prepared frames.
 */
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
