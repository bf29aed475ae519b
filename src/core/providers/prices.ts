/**
 * Default prices for well-known models, in US dollars per million tokens.
 * Source: the vendors' public price pages (anthropic.com/pricing,
 * openai.com/api/pricing, ai.google.dev/gemini-api/docs/pricing), as published
 * on 2025-11-20; Gemini 2.5 Pro at its rate for prompts up to 200k tokens.
 * Users override any of them per provider; a model with no price here and none
 * set counts tokens but no spend, and a spend cap then cannot apply to it.
 */
import { coreMessage, englishOf } from '../messages';
import type { ModelPrice, SpendSplit } from './types';

export type { SpendSplit } from './types';

/** Where the default prices come from, for the host to word; PRICES_SOURCE is its English. */
export const PRICES_SOURCE_MESSAGE = coreMessage('providers.pricesSource', {
  pages: 'anthropic.com/pricing, openai.com/api/pricing, ai.google.dev/gemini-api/docs/pricing',
  date: '2025-11-20',
});
export const PRICES_SOURCE = englishOf(PRICES_SOURCE_MESSAGE);

export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  'claude-opus-4-5': { input: 5, output: 25, cachedInput: 0.5, cacheWrite: 6.25 },
  'claude-sonnet-4-5': { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 },
  'claude-haiku-4-5': { input: 1, output: 5, cachedInput: 0.1, cacheWrite: 1.25 },
  'claude-opus-4-1': { input: 15, output: 75, cachedInput: 1.5, cacheWrite: 18.75 },
  'claude-sonnet-4': { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 },
  'gpt-4o': { input: 2.5, output: 10, cachedInput: 1.25 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cachedInput: 0.075 },
  'gpt-4.1': { input: 2, output: 8, cachedInput: 0.5 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cachedInput: 0.1 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4, cachedInput: 0.025 },
  'gpt-5': { input: 1.25, output: 10, cachedInput: 0.125 },
  'gpt-5-mini': { input: 0.25, output: 2, cachedInput: 0.025 },
  'o4-mini': { input: 1.1, output: 4.4, cachedInput: 0.275 },
  o3: { input: 2, output: 8, cachedInput: 0.5 },
  'gemini-2.5-pro': { input: 1.25, output: 10, cachedInput: 0.125 },
  'gemini-2.5-flash': { input: 0.3, output: 2.5, cachedInput: 0.03 },
  'gemini-2.5-flash-lite': { input: 0.1, output: 0.4, cachedInput: 0.01 },
  'deepseek-chat': { input: 0.28, output: 0.42, cachedInput: 0.028 },
  'deepseek-reasoner': { input: 0.28, output: 0.42, cachedInput: 0.028 },
};

/** A dated snapshot or moving tag of a known id: `-20251001`, `-2024-08-06`, `-latest`. */
const SNAPSHOT_SUFFIX = /^-(?:\d{8}|\d{4}-\d{2}-\d{2}|latest)$/;

/**
 * The default price of a model id: exact, else of the id it is a snapshot of
 * (`claude-haiku-4-5-20251001`, `gpt-4o-2024-08-06`), also behind a router's
 * vendor prefix (`openai/gpt-4o` on OpenRouter). Another version
 * (`claude-sonnet-4-6`) is another model: no default.
 */
export function defaultPrice(model: string): ModelPrice | undefined {
  const bare = model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : model;
  if (DEFAULT_PRICES[bare]) return DEFAULT_PRICES[bare];
  for (const id of Object.keys(DEFAULT_PRICES)) {
    if (bare.startsWith(id) && SNAPSHOT_SUFFIX.test(bare.slice(id.length))) return DEFAULT_PRICES[id];
  }
  return undefined;
}

export interface TokenUsage {
  inputTokens: number;
  /** Of inputTokens, read from the cache. */
  cachedInputTokens?: number;
  /** Of inputTokens, written to the cache. */
  cacheWriteTokens?: number;
  outputTokens: number;
}

export const NO_SPEND: Readonly<SpendSplit> = { uncachedInputUsd: 0, cachedInputUsd: 0, cacheWriteUsd: 0, outputUsd: 0 };

/** The cost of `usage` under `price`, split by kind of token; cached and written tokens are part of `inputTokens`. */
export function spendOf(usage: TokenUsage, price: ModelPrice): SpendSplit {
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const written = Math.min(usage.cacheWriteTokens ?? 0, usage.inputTokens - cached);
  const plain = usage.inputTokens - cached - written;
  return {
    uncachedInputUsd: (plain * price.input) / 1_000_000,
    cachedInputUsd: (cached * (price.cachedInput ?? price.input)) / 1_000_000,
    cacheWriteUsd: (written * (price.cacheWrite ?? price.input)) / 1_000_000,
    outputUsd: (usage.outputTokens * price.output) / 1_000_000,
  };
}

export const totalSpend = (spend: SpendSplit): number => spend.uncachedInputUsd + spend.cachedInputUsd + spend.cacheWriteUsd + spend.outputUsd;

/** Adds `more` into `into`. */
export function addSpend(into: SpendSplit, more: SpendSplit): void {
  into.uncachedInputUsd += more.uncachedInputUsd;
  into.cachedInputUsd += more.cachedInputUsd;
  into.cacheWriteUsd += more.cacheWriteUsd;
  into.outputUsd += more.outputUsd;
}

/** US dollars a request cost under `price`. */
export function costOf(usage: TokenUsage, price: ModelPrice): number {
  return totalSpend(spendOf(usage, price));
}
