/** The models the simulated Cloud Code serves (upstream-protocol §4, §5). */

/** Thought signatures are bound to a family and never valid in another (upstream-protocol §7). */
export type ModelFamily = 'claude' | 'gemini' | 'gpt';

export interface SimModel {
  id: string;
  displayName: string;
  family: ModelFamily;
  /** Context window. */
  maxTokens: number;
  maxOutputTokens: number;
  /** Thinks, emits thought parts on request, signs its function calls. */
  thinking: boolean;
  /** Gemini 3 refuses a replayed functionCall without a signature. */
  requiresCallSignatures: boolean;
  image: boolean;
  thinkingBudget?: number;
  recommended: boolean;
}

function isThinkingId(id: string): boolean {
  return id.endsWith('-thinking') || id.startsWith('gemini-3') || id.startsWith('gemini-2.5') || id === 'gemini-pro-agent';
}

function model(id: string, displayName: string, family: ModelFamily, maxTokens: number, maxOutputTokens: number, recommended = true): SimModel {
  const thinking = isThinkingId(id);
  return {
    id,
    displayName,
    family,
    maxTokens,
    maxOutputTokens,
    thinking,
    requiresCallSignatures: id.startsWith('gemini-3') || id === 'gemini-pro-agent',
    image: id.endsWith('-image'),
    thinkingBudget: thinking ? (family === 'claude' ? 32000 : 24576) : undefined,
    recommended,
  };
}

export const SIM_MODELS: readonly SimModel[] = [
  model('claude-opus-4-6-thinking', 'Claude Opus 4.6 (Thinking)', 'claude', 200_000, 64_000),
  model('claude-sonnet-4-6', 'Claude Sonnet 4.6', 'claude', 200_000, 64_000),
  model('gemini-3-flash', 'Gemini 3 Flash', 'gemini', 1_048_576, 65_536),
  model('gemini-3.1-pro-low', 'Gemini 3.1 Pro (Low)', 'gemini', 1_048_576, 65_536),
  model('gemini-3.1-pro-high', 'Gemini 3.1 Pro (High)', 'gemini', 1_048_576, 65_536),
  model('gemini-pro-agent', 'Gemini Pro Agent', 'gemini', 1_048_576, 65_536),
  model('gemini-3.1-flash-lite', 'Gemini 3.1 Flash Lite', 'gemini', 1_048_576, 65_536),
  model('gemini-2.5-flash', 'Gemini 2.5 Flash', 'gemini', 1_048_576, 65_536, false),
  model('gemini-2.5-pro', 'Gemini 2.5 Pro', 'gemini', 1_048_576, 65_536, false),
  model('gemini-3.1-flash-image', 'Gemini 3.1 Flash Image', 'gemini', 131_072, 32_768),
  model('gemini-3-pro-image', 'Gemini 3 Pro Image', 'gemini', 131_072, 32_768),
  model('gpt-oss-120b-medium', 'GPT-OSS 120B (Medium)', 'gpt', 131_072, 32_768, false),
];

/** Old ids fetchAvailableModels lists as deprecated; generation refuses them (404) like any unknown id. */
export const DEPRECATED_MODEL_IDS: Readonly<Record<string, string>> = {
  'claude-sonnet-4-5': 'claude-sonnet-4-6',
  'claude-sonnet-4-5-thinking': 'claude-sonnet-4-6',
  'claude-opus-4-5-thinking': 'claude-opus-4-6-thinking',
  'gemini-3-pro-low': 'gemini-3.1-pro-low',
  'gemini-3-pro-high': 'gemini-3.1-pro-high',
};

const BY_ID = new Map(SIM_MODELS.map((m) => [m.id, m]));

export function findModel(id: string): SimModel | undefined {
  return BY_ID.get(id);
}
