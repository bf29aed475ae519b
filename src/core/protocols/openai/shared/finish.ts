import type { FinishReason } from '../../../ir';

export type ChatFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

/**
 * Chat/Completions `finish_reason`. Gemini ends a turn that called functions
 * with STOP, so a turn that produced calls reports `tool_calls` unless it was
 * cut short.
 */
export function chatFinishReason(reason: FinishReason, producedToolCalls: boolean): ChatFinishReason {
  if (reason === 'length' || reason === 'content_filter') return reason;
  return producedToolCalls || reason === 'tool_calls' ? 'tool_calls' : 'stop';
}
