/**
 * Paid API-key providers: pool members beside the Antigravity accounts. The
 * record is plain JSON kept in the `providers` document; the key never is —
 * it lives in the SecretStore under `providerKeyName(id)`.
 */
import type { CoreMessage } from '../messages';

export const PROVIDER_KINDS = ['anthropic', 'gemini-api', 'openai-compatible'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** Where each kind lives by default; OpenAI-compatible has none (OpenAI, OpenRouter, DeepSeek, a local server …). */
export const DEFAULT_BASE_URLS: Readonly<Record<ProviderKind, string | undefined>> = {
  anthropic: 'https://api.anthropic.com',
  'gemini-api': 'https://generativelanguage.googleapis.com',
  'openai-compatible': undefined,
};

/** US dollars per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
  /** Input read from the provider's prompt cache; default: `input`. */
  cachedInput?: number;
  /** Input written to the prompt cache (Anthropic); default: `input`. */
  cacheWrite?: number;
}

/** What a request cost, in US dollars, by kind of token: input not from the cache, input read from and written to the cache, output. */
export interface SpendSplit {
  uncachedInputUsd: number;
  cachedInputUsd: number;
  cacheWriteUsd: number;
  outputUsd: number;
}

/** Absent fields: no limit. */
export interface ProviderLimits {
  requestsPerMinute?: number;
  tokensPerDay?: number;
  /** US dollars per day (UTC), priced with the provider's price table. */
  dailySpendCapUsd?: number;
}

export type ProviderState = 'active' | 'key_rejected';

export interface ProviderRecord {
  id: string;
  /** The user's name for it, unique; routes name it as `name:model`. */
  name: string;
  kind: ProviderKind;
  /** Without a trailing slash. OpenAI-compatible: up to and including the version (`https://api.openai.com/v1`). */
  baseUrl: string;
  /** Model ids it serves. */
  models: string[];
  /** Whether `models` came from the provider's models endpoint or were listed by the user. */
  modelsSource: 'fetched' | 'listed';
  /** Lower runs first (as accounts). */
  priority: number;
  enabled: boolean;
  limits: ProviderLimits;
  /** Per model; overrides the defaults of DEFAULT_PRICES. */
  prices: Record<string, ModelPrice>;
  state: ProviderState;
  /** The key's last four characters, to tell keys apart (never more of it). */
  keyHint: string;
  /** Why it is not active: the provider's own message. */
  stateReason?: string;
  addedAt: number;
}

export const providerKeyName = (id: string): string => `provider:${id}:key`;

/** A provider's use of today (UTC): what its caps and spend count. */
export interface ProviderUsageToday {
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  requests: number;
  tokens: number;
  spendUsd: number;
  /** `spendUsd` by kind of token (uncached input, cached input, cache write, output). */
  spend: SpendSplit;
  /** Input tokens, and of them those read from the provider's cache. */
  inputTokens: number;
  cachedInputTokens: number;
  /** Tokens of models with no price known: counted, not priced. */
  unpricedTokens: number;
}

/** Whether a provider can take a request now, and if not why (a dashboard card's state line). */
export type ProviderStatus =
  | { kind: 'ok' }
  | { kind: 'disabled' }
  | { kind: 'key_rejected'; message: string }
  | { kind: 'cooling_down'; until: number; reason: string }
  /** A cap of its limits stops it until `until`; `message` names the cap. */
  | { kind: 'capped'; cap: keyof ProviderLimits; until: number; message: string; detail?: CoreMessage };

/** A provider as the admin API shows it (never the key). */
export interface ProviderView extends ProviderRecord {
  /** Set where the gateway routes requests (the admin API): use and spend of today. */
  today?: ProviderUsageToday;
  /** Set where the gateway routes requests: usable now, or why not. */
  status?: ProviderStatus;
  /** Prices in force per served model (defaults merged with the user's), and where each came from. */
  effectivePrices: Record<string, ModelPrice & { source: 'user' | 'default' }>;
}
