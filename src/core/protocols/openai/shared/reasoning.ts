import { invalidRequest } from '../../../errors';
import type { ThinkingRequest } from '../../../ir';
import { optionalString } from './read';

/**
 * `reasoning_effort` (Chat) and `reasoning.effort` (Responses). OpenAI's scale
 * is wider than the IR's: `none` turns reasoning off and `xhigh` (sent by
 * Codex for its deepest setting) is the most the upstream offers, `high`.
 */
export function thinkingFromEffort(value: unknown, param: string): ThinkingRequest | undefined {
  const effort = optionalString(value, param);
  switch (effort) {
    case undefined:
      return undefined;
    case 'none':
      return { type: 'disabled' };
    case 'minimal':
    case 'low':
    case 'medium':
    case 'high':
      return { type: 'effort', effort };
    case 'xhigh':
      return { type: 'effort', effort: 'high' };
    default:
      throw invalidRequest(`Invalid value for '${param}': expected one of 'none', 'minimal', 'low', 'medium', 'high' or 'xhigh', got '${effort}'.`, param);
  }
}
