import type { Usage } from '../../../ir';

/**
 * OpenAI counts differ from the IR's in two ways (upstream-protocol §2): prompt
 * tokens include cached ones (the IR's inputTokens already do), and output
 * tokens include reasoning (the IR keeps thinking apart).
 */
function totals(usage: Usage) {
  const output = usage.outputTokens + usage.thinkingTokens;
  return { input: usage.inputTokens, cached: usage.cachedInputTokens, output, reasoning: usage.thinkingTokens, total: usage.inputTokens + output };
}

/** Chat Completions and legacy Completions `usage`. */
export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
}

export function chatUsage(usage: Usage): ChatUsage {
  const t = totals(usage);
  return {
    prompt_tokens: t.input,
    completion_tokens: t.output,
    total_tokens: t.total,
    prompt_tokens_details: { cached_tokens: t.cached },
    completion_tokens_details: { reasoning_tokens: t.reasoning },
  };
}

/** Responses API `usage`. */
export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export function responsesUsage(usage: Usage): ResponsesUsage {
  const t = totals(usage);
  return {
    input_tokens: t.input,
    input_tokens_details: { cached_tokens: t.cached },
    output_tokens: t.output,
    output_tokens_details: { reasoning_tokens: t.reasoning },
    total_tokens: t.total,
  };
}
