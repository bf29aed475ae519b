import type { ModelInfo } from '../upstream';

/**
 * What the Cloud Code wire needs to know about a model id. The live model
 * list (fetchAvailableModels, upstream-protocol §4) is authoritative where it says
 * something; these name rules fill the gaps it leaves.
 */

/** Thought signatures are bound to the family that minted them (upstream-protocol §7). */
export type ModelFamily = 'claude' | 'gemini' | 'other';

export function modelFamily(model: string): ModelFamily {
  if (model.startsWith('claude')) return 'claude';
  if (model.startsWith('gemini')) return 'gemini';
  return 'other';
}

/**
 * Gemini 3 rejects a replayed functionCall that carries no thought signature
 * (upstream-protocol §7); `gemini-pro-agent` is served by the same generation.
 */
export function requiresCallSignature(model: string): boolean {
  return /^gemini-(3|pro-agent)/.test(model);
}

export function isImageModel(model: string): boolean {
  return /-image(-|$)/.test(model);
}

export function supportsThinking(model: string, info?: ModelInfo): boolean {
  if (info?.supportsThinking !== undefined) return info.supportsThinking;
  switch (modelFamily(model)) {
    case 'claude':
      return model.includes('thinking');
    case 'gemini':
      return /^gemini-(2\.5|3|pro-agent)/.test(model);
    default:
      return false;
  }
}

/**
 * Whether an answer will think: a thinking model whose encoded request does not
 * turn thinking off (`thinkingBudget: 0`). Such answers can run for minutes and
 * carry thought signatures, so they are always streamed from the upstream.
 */
export function answerThinks(model: string, info: ModelInfo | undefined, thinkingConfig: { thinkingBudget?: number } | undefined): boolean {
  return supportsThinking(model, info) && thinkingConfig?.thinkingBudget !== 0;
}

/**
 * Only the 2.5 Flash line accepts `thinkingBudget: 0`; 2.5 Pro and Gemini 3
 * always think, and Claude simply thinks when no thinkingConfig is sent.
 */
export function acceptsZeroThinkingBudget(model: string): boolean {
  return model.startsWith('gemini-2.5-flash');
}
