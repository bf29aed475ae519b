import type { ChatRequest, ThinkingRequest } from '../../ir';
import type { ModelInfo } from '../upstream';
import { acceptsZeroThinkingBudget, modelFamily, supportsThinking } from './models';
import { cleanSchema, type SchemaBudget } from './schema';
import type { GenerationConfig, ThinkingConfig } from './wire';

/** Sampling, output limits and reasoning (upstream-protocol §5). */

/** Room left for the visible answer when a budget forces maxOutputTokens up (upstream-protocol §5). */
const ANSWER_HEADROOM_TOKENS = 8192;

/** Gemini's "think as much as needed". */
const DYNAMIC_BUDGET = -1;

/** Claude's default when the model list names none; Anthropic's own floor is 1024. */
const CLAUDE_DEFAULT_BUDGET = 16_000;
const CLAUDE_MIN_BUDGET = 1024;

/** Reasoning effort → budget, the scale CPA uses for the same mapping. */
const EFFORT_BUDGETS: Record<Extract<ThinkingRequest, { type: 'effort' }>['effort'], number> = {
  minimal: 512,
  low: 1024,
  medium: 8192,
  high: 24_576,
};

interface ThinkingPlan {
  config?: ThinkingConfig;
  /** Positive budget the output limit must exceed. */
  budget?: number;
}

function budgetFor(thinking: Exclude<ThinkingRequest, { type: 'disabled' }>, model: string, info: ModelInfo | undefined): number {
  const claude = modelFamily(model) === 'claude';
  let budget: number;
  switch (thinking.type) {
    case 'adaptive':
      budget = info?.thinkingBudget ?? (claude ? CLAUDE_DEFAULT_BUDGET : DYNAMIC_BUDGET);
      break;
    case 'budget':
      budget = thinking.budgetTokens;
      break;
    case 'effort':
      budget = EFFORT_BUDGETS[thinking.effort];
      break;
  }
  return claude && budget !== DYNAMIC_BUDGET ? Math.max(budget, CLAUDE_MIN_BUDGET) : budget;
}

function planThinking(request: ChatRequest, model: string, info: ModelInfo | undefined, dropSignatures: boolean): ThinkingPlan {
  // No preference stated: leave the model's default, unless thoughts were asked for.
  let thinking: ThinkingRequest | undefined = request.thinking ?? (request.includeThoughts ? { type: 'adaptive' } : undefined);
  if (thinking?.type === 'budget' && thinking.budgetTokens <= 0) thinking = { type: 'disabled' };
  if (!thinking || !supportsThinking(model, info)) return {};
  // Claude with thinking on wants the signed thinking of its last tool turn
  // back; the retry after a signature 400 has stripped it, so it must not think.
  if (dropSignatures && modelFamily(model) === 'claude') return {};
  if (thinking.type === 'disabled') {
    return acceptsZeroThinkingBudget(model) ? { config: { includeThoughts: false, thinkingBudget: 0 } } : {};
  }
  const budget = budgetFor(thinking, model, info);
  return {
    config: { includeThoughts: request.includeThoughts ?? true, thinkingBudget: budget },
    budget: budget > 0 ? budget : undefined,
  };
}

/**
 * The upstream requires maxOutputTokens > thinkingBudget: raise the limit to
 * budget + headroom, clamp it to the model's maximum, and when even that
 * maximum leaves no room, shrink the budget instead.
 */
function fitOutputLimit(requested: number | undefined, plan: ThinkingPlan, modelMax: number | undefined) {
  const clamp = (n: number) => (modelMax ? Math.min(n, modelMax) : n);
  let maxOutputTokens = requested === undefined ? undefined : clamp(requested);
  const budget = plan.budget;
  if (budget === undefined || !plan.config) return maxOutputTokens;
  if (maxOutputTokens === undefined || maxOutputTokens <= budget) maxOutputTokens = clamp(budget + ANSWER_HEADROOM_TOKENS);
  if (maxOutputTokens <= budget) {
    plan.config.thinkingBudget = maxOutputTokens > 2 * ANSWER_HEADROOM_TOKENS ? maxOutputTokens - ANSWER_HEADROOM_TOKENS : Math.floor(maxOutputTokens / 2);
  }
  return maxOutputTokens;
}

export function encodeGenerationConfig(
  request: ChatRequest,
  model: string,
  info: ModelInfo | undefined,
  dropSignatures: boolean,
  schemaBudget: SchemaBudget,
): GenerationConfig {
  const config: GenerationConfig = {};
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.topP !== undefined) config.topP = request.topP;
  if (request.topK !== undefined) config.topK = request.topK;
  if (request.seed !== undefined) config.seed = request.seed;
  if (request.stopSequences?.length) config.stopSequences = request.stopSequences;

  const plan = planThinking(request, model, info, dropSignatures);
  const maxOutputTokens = fitOutputLimit(request.maxOutputTokens, plan, info?.maxOutputTokens);
  if (maxOutputTokens !== undefined) config.maxOutputTokens = maxOutputTokens;
  if (plan.config) config.thinkingConfig = plan.config;

  if (request.responseFormat?.type === 'json') {
    config.responseMimeType = 'application/json';
    if (request.responseFormat.schema) {
      const { name } = request.responseFormat;
      const owner = name ? `the response format '${name}'` : 'the response format';
      config.responseSchema = cleanSchema(request.responseFormat.schema, owner, schemaBudget);
    }
  }
  if (request.imageConfig) config.imageConfig = { ...request.imageConfig };
  return config;
}
