/**
 * generateContent and streamGenerateContent: validate, apply faults and
 * quota, then deliver the scripted answer — as SSE `data: {"response":…}`
 * frames (upstream-protocol §2), a streamed JSON array without `alt=sse`, or one body.
 */
import type { SimAccount } from './accounts';
import type { Answer } from './answer';
import { deliverFrames, deliverWhole } from './delivery';
import type { Exchange } from './exchange';
import { faultError, quotaError } from './faults';
import { invalidArgument } from './google-errors';
import type { SimModel } from './models';
import { runScript } from './script';
import type { SimState } from './state';
import { promptTokens } from './tokens';
import type { FaultSpec } from './types';
import { validateGeneration } from './validate-request';
import type { WirePart } from './wire';

type Delivery = 'sse' | 'json-array' | 'single';

interface Usage {
  promptTokenCount: number;
  candidatesTokenCount: number;
  totalTokenCount: number;
  thoughtsTokenCount?: number;
  cachedContentTokenCount?: number;
}

export async function handleGeneration(state: SimState, exchange: Exchange, account: SimAccount, body: unknown, delivery: Delivery): Promise<void> {
  const { envelope, model } = validateGeneration(body, account, state.signer);
  const { request } = envelope;
  const { answer, sequence, fault } = runScript(state, exchange, { model, request, method: exchange.entry.method, account: account.email }, invalidArgument);
  const now = state.now();
  if (fault) {
    const error = faultError(fault, model.id, now);
    if (error) throw error;
  }
  const { quotaWindowMs, quotaCostPerRequest } = state.config;
  const window = account.quota.window(model.id, quotaWindowMs);
  if (window.fraction <= 0) throw quotaError('QUOTA_EXHAUSTED', model.id, window.resetAt - now, now);

  const prompt = promptTokens(request);
  const cached = state.promptCache.observe(account.email, model.id, request, prompt);
  account.quota.consume(model.id, quotaCostPerRequest, quotaWindowMs);
  const usage: Usage = {
    promptTokenCount: prompt,
    candidatesTokenCount: answer.candidatesTokenCount,
    totalTokenCount: prompt + answer.candidatesTokenCount + answer.thoughtsTokenCount,
  };
  if (answer.thoughtsTokenCount > 0) usage.thoughtsTokenCount = answer.thoughtsTokenCount;
  if (cached > 0) usage.cachedContentTokenCount = cached;

  const shape = new ResponseShape(model, answer, usage, sequence);
  if (delivery === 'single') await deliverSingle(state, exchange, shape, fault);
  else await deliverStream(state, exchange, shape, fault, delivery);
}

/** Builds the wire bodies of one answer. */
class ResponseShape {
  constructor(
    private readonly model: SimModel,
    readonly answer: Answer,
    private readonly usage: Usage,
    private readonly sequence: number,
  ) {}

  get frameCount(): number {
    return this.answer.frames.length;
  }

  private body(parts: WirePart[], final: boolean): unknown {
    const candidate: Record<string, unknown> = { content: { role: 'model', parts } };
    const response: Record<string, unknown> = { candidates: [candidate] };
    if (final) {
      candidate.finishReason = this.answer.finishReason;
      if (this.answer.groundingMetadata) candidate.groundingMetadata = this.answer.groundingMetadata;
      response.usageMetadata = this.usage;
    }
    response.modelVersion = this.model.id;
    response.responseId = `sim-resp-${this.sequence}`;
    return { response, traceId: this.sequence.toString(16).padStart(16, '0') };
  }

  frame(index: number): unknown {
    return this.body(this.answer.frames[index], index === this.answer.frames.length - 1);
  }

  /** The non-streaming body: adjacent text of the same kind merged, as the service answers. */
  whole(): unknown {
    const parts: WirePart[] = [];
    for (const part of this.answer.frames.flat()) {
      const previous = parts[parts.length - 1];
      const mergeable = previous?.text !== undefined && part.text !== undefined && previous.thought === part.thought && previous.thoughtSignature === undefined;
      if (mergeable) parts[parts.length - 1] = { ...previous, ...part, text: previous.text + part.text! };
      else parts.push({ ...part });
    }
    return this.body(parts, true);
  }
}

/** A non-streaming answer arrives whole, once every frame would have been generated. */
function deliverSingle(state: SimState, exchange: Exchange, shape: ResponseShape, fault: FaultSpec | undefined): Promise<void> {
  return deliverWhole(state, exchange, shape.frameCount, shape.whole(), fault);
}

/** Cloud Code streams as SSE (`alt=sse`) or, without it, as one JSON array written piece by piece. */
function deliverStream(state: SimState, exchange: Exchange, shape: ResponseShape, fault: FaultSpec | undefined, delivery: 'sse' | 'json-array'): Promise<void> {
  const frames = Array.from({ length: shape.frameCount }, (_, i) => {
    const json = JSON.stringify(shape.frame(i));
    return delivery === 'sse' ? `data: ${json}\r\n\r\n` : `${i === 0 ? '[' : ',\r\n'}${json}`;
  });
  const contentType = delivery === 'sse' ? 'text/event-stream' : 'application/json; charset=UTF-8';
  return deliverFrames(state, exchange, frames, fault, { 'content-type': contentType }, delivery === 'json-array' ? ']' : undefined);
}
