import { randomText } from '../../random-pool';
import { emptyUsage, type ChatEvent, type FinishReason, type ToolCallPart, type Usage } from '../../ir';
import { repairArguments, type ArgumentRepairs } from './argument-repair';
import { modelFamily, type ModelFamily } from './models';
import type { SignatureCache } from './signatures';
import type { GeminiPart, GenerateContentResponse, UsageMetadata } from './wire';

/**
 * Gemini response chunks → IR events, one decoder per answer: it remembers
 * whether calls were made (STOP then means tool_calls), which thoughts still
 * await their signature, and emits `finish` exactly once, at the end.
 */

export interface DecoderOptions {
  model: string;
  signatures: SignatureCache;
  /** From the encoder: how each tool's arguments get back their declared shape. */
  argumentRepairs?: ArgumentRepairs;
}

const CLIENT_SAFE_ID = /^[A-Za-z0-9_-]+$/;

const FILTERED_FINISH_REASONS: ReadonlySet<string> = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
  'LANGUAGE',
]);

function newCallId(): string {
  return `call_${randomText(12, 'base64url')}`;
}

/** upstream-protocol §2: prompt tokens include cached ones; thoughts are counted apart from the answer. */
export function usageFromMetadata(metadata: UsageMetadata): Usage {
  return {
    inputTokens: metadata.promptTokenCount ?? 0,
    cachedInputTokens: metadata.cachedContentTokenCount ?? 0,
    outputTokens: metadata.candidatesTokenCount ?? 0,
    thinkingTokens: metadata.thoughtsTokenCount ?? 0,
  };
}

/** The frame as sent, or the `response` inside a Cloud Code envelope (upstream-protocol §2). */
export function unwrapResponse(body: unknown): GenerateContentResponse {
  if (typeof body !== 'object' || body === null) return {};
  const wrapped = (body as { response?: unknown }).response;
  return (typeof wrapped === 'object' && wrapped !== null ? wrapped : body) as GenerateContentResponse;
}

export class ResponseDecoder {
  private readonly family: ModelFamily;
  private readonly callIds = new Set<string>();
  private usage: Usage = emptyUsage();
  private upstreamFinish: string | undefined;
  private finished = false;
  /** Thought text since the last signature; undefined once anything else was said. */
  private unsignedThought: string | undefined;

  constructor(private readonly options: DecoderOptions) {
    this.family = modelFamily(options.model);
  }

  /** Events for one chunk (a stream frame or a whole non-stream body). */
  decode(body: unknown): ChatEvent[] {
    if (this.finished) throw new Error('ResponseDecoder: chunk after finish');
    const response = unwrapResponse(body);
    const events: ChatEvent[] = [];
    const candidate = response.candidates?.[0];
    for (const part of candidate?.content?.parts ?? []) this.decodePart(part, events);
    if (candidate?.groundingMetadata) events.push({ type: 'grounding', metadata: candidate.groundingMetadata });
    if (candidate?.finishReason) this.upstreamFinish = candidate.finishReason;
    if (response.promptFeedback?.blockReason) this.upstreamFinish = 'SAFETY';
    if (response.usageMetadata) {
      const usage = usageFromMetadata(response.usageMetadata);
      if (!sameUsage(usage, this.usage)) {
        this.usage = usage;
        events.push({ type: 'usage', usage });
      }
    }
    return events;
  }

  /** Whether the upstream said why it stopped; a stream ending without it was cut short. */
  get sawFinishReason(): boolean {
    return this.upstreamFinish !== undefined;
  }

  /** The closing event. */
  finish(): ChatEvent {
    if (this.finished) throw new Error('ResponseDecoder: finish twice');
    this.finished = true;
    return { type: 'finish', reason: this.finishReason(), usage: this.usage };
  }

  private finishReason(): FinishReason {
    const reason = this.upstreamFinish;
    if (reason === 'MAX_TOKENS') return 'length';
    if (reason !== undefined && FILTERED_FINISH_REASONS.has(reason)) return 'content_filter';
    // STOP, MALFORMED_FUNCTION_CALL, OTHER …: the turn is over; calls made it a tool turn.
    return this.callIds.size > 0 ? 'tool_calls' : 'stop';
  }

  private decodePart(part: GeminiPart, events: ChatEvent[]): void {
    if (part.thought) {
      // Thought images (drafts of image models) are not part of the answer.
      if (part.text) {
        events.push({ type: 'thinking', text: part.text });
        this.unsignedThought = (this.unsignedThought ?? '') + part.text;
      }
      if (part.thoughtSignature) this.signThought(part.thoughtSignature, events);
      return;
    }
    // Gemini may put the signature of the thoughts on the first part after them.
    if (part.thoughtSignature && !part.functionCall && this.unsignedThought !== undefined) {
      this.signThought(part.thoughtSignature, events);
    }
    this.unsignedThought = undefined;
    if (part.functionCall) this.decodeCall(part, events);
    else if (part.text) events.push({ type: 'text', text: part.text });
    else if (part.inlineData) events.push({ type: 'media', mimeType: part.inlineData.mimeType, data: part.inlineData.data });
  }

  private signThought(signature: string, events: ChatEvent[]): void {
    events.push({ type: 'thinking_signature', signature });
    if (this.unsignedThought) this.options.signatures.rememberThinking(this.family, this.unsignedThought, signature);
    this.unsignedThought = undefined;
  }

  private decodeCall(part: GeminiPart, events: ChatEvent[]): void {
    const call = part.functionCall!;
    const id = call.id && CLIENT_SAFE_ID.test(call.id) && !this.callIds.has(call.id) ? call.id : newCallId();
    this.callIds.add(id);
    const repair = this.options.argumentRepairs?.get(call.name);
    const args = repair ? repairArguments(call.args ?? {}, repair) : (call.args ?? {});
    const signature = part.thoughtSignature;
    if (signature) this.options.signatures.rememberToolCall(this.family, id, signature);
    const decoded: ToolCallPart = { type: 'tool_call', id, name: call.name, args };
    if (signature) decoded.signature = signature;
    events.push({ type: 'tool_call', call: decoded });
  }
}

function sameUsage(a: Usage, b: Usage): boolean {
  return (
    a.inputTokens === b.inputTokens && a.cachedInputTokens === b.cachedInputTokens && a.outputTokens === b.outputTokens && a.thinkingTokens === b.thinkingTokens
  );
}
