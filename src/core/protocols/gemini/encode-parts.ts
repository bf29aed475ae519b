/** IR pieces as Gemini response pieces, shared by the whole-answer and the streamed encoders. */
import type { FinishReason, ToolCallPart, Usage } from '../../ir';
import type { GeminiPart, GeminiUsageMetadata } from './wire';

/** Gemini ends a tool-calling turn with STOP too; the calls themselves say what happened. */
const FINISH_REASONS: Record<FinishReason, string> = {
  stop: 'STOP',
  stop_sequence: 'STOP',
  tool_calls: 'STOP',
  length: 'MAX_TOKENS',
  content_filter: 'SAFETY',
};

export const finishReasonOf = (reason: FinishReason): string => FINISH_REASONS[reason];

export function usageMetadataOf(usage: Usage): GeminiUsageMetadata {
  const metadata: GeminiUsageMetadata = {
    promptTokenCount: usage.inputTokens,
    candidatesTokenCount: usage.outputTokens,
    totalTokenCount: usage.inputTokens + usage.outputTokens + usage.thinkingTokens,
  };
  if (usage.cachedInputTokens > 0) metadata.cachedContentTokenCount = usage.cachedInputTokens;
  if (usage.thinkingTokens > 0) metadata.thoughtsTokenCount = usage.thinkingTokens;
  return metadata;
}

export function functionCallPart(call: ToolCallPart): GeminiPart {
  const part: GeminiPart = { functionCall: { id: call.id, name: call.name, args: call.args } };
  if (call.signature !== undefined) part.thoughtSignature = call.signature;
  return part;
}

export function thoughtPart(text: string, signature: string | undefined): GeminiPart {
  const part: GeminiPart = { text, thought: true };
  if (signature !== undefined) part.thoughtSignature = signature;
  return part;
}

/**
 * A signature with no thought text to hang on: an empty non-thought text part,
 * the shape Gemini 3 itself uses. gemini-cli drops `thought` parts from its
 * history but keeps this one, so the signature comes back on the next turn.
 */
export const signaturePart = (signature: string): GeminiPart => ({ text: '', thoughtSignature: signature });
