/**
 * One turn of the scripted model, shared by the Cloud Code fake (`generate.ts`) and the paid-provider fakes
 * (`providers/common.ts`): the directives in the last user message, the composed answer, and the fault to apply
 * (a `fault` directive, else the next configured fault that matches the exchange).
 */
import { composeAnswer, type Answer } from './answer';
import { DirectiveError, parseDirectives, type Directive } from './directives';
import type { Exchange } from './exchange';
import type { SimHttpError } from './google-errors';
import type { SimModel } from './models';
import type { SimState } from './state';
import type { FaultSpec } from './types';
import { lastUserContent, visibleText, type GenerateRequest } from './wire';

export interface ScriptInput {
  model: SimModel;
  /** Already in the Cloud Code wire shape. */
  request: GenerateRequest;
  /** What configured faults are matched against. */
  method: string;
  account: string | undefined;
}

export interface Script {
  answer: Answer;
  sequence: number;
  fault: FaultSpec | undefined;
}

/**
 * `invalid` says a bad directive or a call to an undeclared tool as the caller's protocol does (Cloud Code:
 * Google's INVALID_ARGUMENT; the providers: their own 400).
 */
export function runScript(state: SimState, exchange: Exchange, input: ScriptInput, invalid: (message: string) => SimHttpError): Script {
  const { model, request } = input;
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
    // composeAnswer refuses an undeclared call with Google's 400; say it in the caller's shape.
    const body = (error as SimHttpError | undefined)?.body as { error?: { message?: string } } | undefined;
    if (body?.error?.message && (error as SimHttpError).status === 400) throw invalid(body.error.message);
    throw error;
  }
  const directed = directives.find((d) => d.kind === 'fault');
  const fault =
    directed?.kind === 'fault'
      ? directed.fault
      : state.faults.take({ label: exchange.entry.label, method: input.method, account: input.account, model: model.id });
  if (fault) exchange.annotate({ fault: fault.kind });
  return { answer, sequence, fault };
}
