/**
 * The models each simulated paid provider serves, with the limits its
 * validators enforce. Thinking models think only when the request asks.
 */
import type { ModelFamily, SimModel } from '../models';
import type { ProviderKind } from '../types';

export interface ProviderModel extends SimModel {
  /** Epoch seconds, as the models endpoints report creation. */
  created: number;
  /** OpenAI reasoning models refuse `max_tokens` (they take `max_completion_tokens`). */
  reasoning?: boolean;
}

function model(
  id: string,
  displayName: string,
  family: ModelFamily,
  maxTokens: number,
  maxOutputTokens: number,
  thinking: boolean,
  created: number,
  reasoning = false,
): ProviderModel {
  return {
    id,
    displayName,
    family,
    maxTokens,
    maxOutputTokens,
    thinking,
    requiresCallSignatures: id.startsWith('gemini-3'),
    image: false,
    thinkingBudget: thinking ? 24_576 : undefined,
    recommended: true,
    created,
    reasoning,
  };
}

export const PROVIDER_MODELS: Readonly<Record<ProviderKind, readonly ProviderModel[]>> = {
  anthropic: [
    model('claude-opus-5-5', 'Claude Opus 5.5', 'claude', 200_000, 128_000, true, 1_790_000_000),
    model('claude-sonnet-5-5', 'Claude Sonnet 5.5', 'claude', 200_000, 64_000, true, 1_790_000_000),
    model('claude-haiku-5-5', 'Claude Haiku 5.5', 'claude', 200_000, 64_000, true, 1_790_000_000),
    // Claude Code's default model id.
    model('claude-opus-4-8', 'Claude Opus 4.8', 'claude', 200_000, 64_000, true, 1_785_000_000),
    model('claude-opus-4-6', 'Claude Opus 4.6', 'claude', 200_000, 64_000, true, 1_770_000_000),
    model('claude-sonnet-4-6', 'Claude Sonnet 4.6', 'claude', 200_000, 64_000, true, 1_771_000_000),
    model('claude-haiku-4-5', 'Claude Haiku 4.5', 'claude', 200_000, 64_000, true, 1_760_000_000),
  ],
  'gemini-api': [
    model('gemini-2.5-pro', 'Gemini 2.5 Pro', 'gemini', 1_048_576, 65_536, true, 1_750_000_000),
    model('gemini-2.5-flash', 'Gemini 2.5 Flash', 'gemini', 1_048_576, 65_536, true, 1_750_000_000),
    model('gemini-2.5-flash-lite', 'Gemini 2.5 Flash-Lite', 'gemini', 1_048_576, 65_536, false, 1_753_000_000),
    model('gemini-3-pro-preview', 'Gemini 3 Pro Preview', 'gemini', 1_048_576, 65_536, true, 1_763_000_000),
  ],
  openai: [
    model('gpt-4o', 'GPT-4o', 'gpt', 128_000, 16_384, false, 1_715_367_049),
    model('gpt-4o-mini', 'GPT-4o mini', 'gpt', 128_000, 16_384, false, 1_721_172_741),
    model('gpt-4.1', 'GPT-4.1', 'gpt', 1_047_576, 32_768, false, 1_744_316_542),
    model('o4-mini', 'o4-mini', 'gpt', 200_000, 100_000, true, 1_744_225_351, true),
  ],
};

export function findProviderModel(kind: ProviderKind, id: string): ProviderModel | undefined {
  return PROVIDER_MODELS[kind].find((candidate) => candidate.id === id);
}
