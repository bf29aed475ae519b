import type { ThinkingRequest } from '../../ir';
import { expectInteger, expectLiteral, optionalObject, optionalString, type JsonObject } from './fields';

export interface DecodedReasoning {
  thinking?: ThinkingRequest;
  includeThoughts: boolean;
}

type Effort = Extract<ThinkingRequest, { type: 'effort' }>['effort'];

/**
 * Anthropic effort levels onto the IR's. `xhigh` and `max` exist only on
 * Anthropic's newest models; no upstream reasons harder than its own `high`.
 */
const EFFORTS: Record<string, Effort> = { low: 'low', medium: 'medium', high: 'high', xhigh: 'high', max: 'high' };

/**
 * `thinking` plus `output_config.effort`. Without `thinking` Anthropic returns
 * no thinking blocks, so thoughts are only included when the client asked for
 * thinking and did not ask for them to be omitted (`display: "omitted"`).
 */
export function decodeReasoning(body: JsonObject): DecodedReasoning {
  const effort = decodeEffort(body.output_config);
  const thinking = optionalObject(body.thinking, 'thinking');
  if (thinking === undefined) return { ...(effort ? { thinking: { type: 'effort', effort } } : {}), includeThoughts: false };
  const type = expectLiteral(thinking.type, 'thinking.type', ['enabled', 'disabled', 'adaptive', 'between_tools'] as const);
  if (type === 'disabled') return { thinking: { type: 'disabled' }, includeThoughts: false };
  const display = optionalString(thinking.display, 'thinking.display');
  const includeThoughts = display !== 'omitted';
  if (type === 'enabled') {
    return { thinking: { type: 'budget', budgetTokens: expectInteger(thinking.budget_tokens, 'thinking.budget_tokens', 1) }, includeThoughts };
  }
  // `between_tools` is adaptive thinking limited to the gaps between tool
  // calls; upstreams only know "think as needed", which covers it.
  return { thinking: effort ? { type: 'effort', effort } : { type: 'adaptive' }, includeThoughts };
}

function decodeEffort(value: unknown): Effort | undefined {
  const config = optionalObject(value, 'output_config');
  const effort = optionalString(config?.effort, 'output_config.effort');
  // An effort level newer than this table is ignored rather than rejected:
  // Claude Code adopts new levels before gateways learn them.
  return effort === undefined ? undefined : EFFORTS[effort];
}
