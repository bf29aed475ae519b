import type { FinishReason, Usage } from '../../ir';

export interface AnthropicUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
}

/**
 * Anthropic splits the prompt into uncached, cache-read and cache-written tokens
 * (input = prompt − read − written, upstream-protocol §2) and bills thinking as
 * output. Only an Anthropic upstream reports cache writes (Gemini's implicit cache
 * and OpenAI's have no creation step); from the others `cache_creation_input_tokens` is 0.
 */
export function toAnthropicUsage(usage: Usage): AnthropicUsage {
  const written = Math.min(usage.cacheWriteTokens ?? 0, Math.max(0, usage.inputTokens - usage.cachedInputTokens));
  return {
    input_tokens: Math.max(0, usage.inputTokens - usage.cachedInputTokens - written),
    cache_creation_input_tokens: written,
    cache_read_input_tokens: usage.cachedInputTokens,
    output_tokens: usage.outputTokens + usage.thinkingTokens,
  };
}

export type AnthropicStopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal';

const STOP_REASONS: Record<FinishReason, AnthropicStopReason> = {
  stop: 'end_turn',
  length: 'max_tokens',
  stop_sequence: 'stop_sequence',
  tool_calls: 'tool_use',
  content_filter: 'refusal',
};

/**
 * Gemini reports a plain STOP even when the answer ends in function calls,
 * and Anthropic clients decide whether to run tools from `tool_use`, so an
 * answer that called tools always stops with `tool_use`.
 */
export function toStopReason(reason: FinishReason, calledTools: boolean): AnthropicStopReason {
  return calledTools && reason === 'stop' ? 'tool_use' : STOP_REASONS[reason];
}
