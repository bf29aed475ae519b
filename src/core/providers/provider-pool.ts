/**
 * The providers as the scheduler sees them: which serve a model and are
 * usable now, the caps checked before a request is sent (requests/min,
 * tokens/day, the daily spend cap priced with the provider's table), what a
 * request used and cost (per UTC day, kept across restarts), and what a
 * failure does to the provider (429 → cooldown for the wait it asked,
 * 401/403 → key rejected, 5xx/overloaded → retry with backoff, then the next candidate).
 */
import { GatewayError } from '../errors';
import type { Usage } from '../ir';
import { coreMessage, englishOf, type CoreMessage } from '../messages';
import type { Clock, DocumentStore, Logger } from '../ports';
import type { UpstreamFailure } from '../upstream/failure';
import { NO_SPEND, addSpend, costOf, defaultPrice, spendOf, totalSpend } from './prices';
import type { ProviderRegistry } from './registry';
import type { ModelPrice, ProviderLimits, ProviderRecord, ProviderStatus, ProviderUsageToday } from './types';

export type { ProviderUsageToday } from './types';

export const PROVIDER_USAGE_DOCUMENT = 'provider-usage';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Retries on one provider for 5xx/overloaded before the next candidate, and their backoff. */
export const PROVIDER_SERVER_RETRIES = 2;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 8000;
/** Usage is written at most this often. */
const SAVE_INTERVAL_MS = 1000;
/** A 429 without retry-after cools the provider this long. */
const DEFAULT_COOLDOWN_MS = 30_000;

/** `pool-only` (default): providers only where the user opted in; `pool-first`: providers when no account can serve; `provider-only`; or an ordered list of `pool` and `provider:model` / `provider`. */
export type ProviderPolicy = 'pool-first' | 'pool-only' | 'provider-only' | readonly string[];

export interface ProviderCandidate {
  provider: ProviderRecord;
  /** The provider's model id. */
  model: string;
}

export type CapName = keyof ProviderLimits;

const capped = (cap: CapName, until: number, detail: CoreMessage): CapRefusal => ({ cap, until, message: englishOf(detail), detail });

export interface CapRefusal {
  cap: CapName;
  /** Says which cap, its value and when it frees up (English: the client's error, logs). */
  message: string;
  /** The same, for the hosts to word. */
  detail: CoreMessage;
  /** Epoch ms when the cap frees up. */
  until: number;
}

interface UsageDocument {
  version: 1;
  day: string;
  providers: Record<string, ProviderUsageToday>;
}

export type FailureDecision =
  /** Try the same provider again after `delayMs`. */
  | { action: 'retry'; delayMs: number }
  /** Go to the next candidate: `why` for the hosts to word, `reason` its English (logs, the client's error). */
  | { action: 'next'; reason: string; why: CoreMessage }
  /** The client's request is at fault: answer it. */
  | { action: 'fail' };

const next = (why: CoreMessage): FailureDecision => ({ action: 'next', reason: englishOf(why), why });
const providerSaid = (provider: string, failure: UpstreamFailure) => next(coreMessage('attempt.note.providerSaid', { provider, message: failure.message }));

const dayOf = (now: number): string => new Date(now).toISOString().slice(0, 10);
const nextDayStart = (now: number): number => (Math.floor(now / DAY_MS) + 1) * DAY_MS;

/** `provider:model` split at the first ":" (model ids may hold ":", provider names never). */
export function parseProviderRef(ref: string): { provider: string; model?: string } {
  const at = ref.indexOf(':');
  return at < 0 ? { provider: ref } : { provider: ref.slice(0, at), model: ref.slice(at + 1) };
}

export function priceOf(provider: ProviderRecord, model: string): ModelPrice | undefined {
  return provider.prices[model] ?? defaultPrice(model);
}

export class ProviderPool {
  private readonly minuteWindows = new Map<string, number[]>();
  private readonly cooldowns = new Map<string, { until: number; reason: string }>();
  private usage: UsageDocument;
  private writing: Promise<void> = Promise.resolve();
  private pendingWrite = false;
  private saveTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly registry: ProviderRegistry,
    private readonly documents: DocumentStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    stored: UsageDocument | undefined,
  ) {
    const today = dayOf(clock.now());
    this.usage = stored && stored.day === today ? stored : { version: 1, day: today, providers: {} };
  }

  static async open(options: { registry: ProviderRegistry; documents: DocumentStore; clock: Clock; logger: Logger }): Promise<ProviderPool> {
    const stored = await options.documents.read<UsageDocument>(PROVIDER_USAGE_DOCUMENT);
    const valid = stored && stored.version === 1 && typeof stored.day === 'string' && typeof stored.providers === 'object' && stored.providers !== null;
    return new ProviderPool(options.registry, options.documents, options.clock, options.logger, valid ? stored : undefined);
  }

  /**
   * The provider candidates for a model, in priority order: every enabled
   * provider serving it (or the one named by `name:model`), with why each
   * other one cannot serve right now (key rejected, cooling down, a cap).
   */
  candidates(model: string): { usable: ProviderCandidate[]; skipped: Array<{ provider: string; reason: string }> } {
    const explicit = model.includes(':') ? parseProviderRef(model) : undefined;
    const named = explicit ? this.registry.find(explicit.provider) : undefined;
    const serving = named
      ? [{ provider: named, model: explicit!.model ?? '' }]
      : this.registry
          .records()
          .filter((provider) => provider.models.includes(model))
          .map((provider) => ({ provider, model }));
    const usable: ProviderCandidate[] = [];
    const skipped: Array<{ provider: string; reason: string }> = [];
    for (const candidate of serving) {
      const reason = this.unusableReason(candidate);
      if (reason) skipped.push({ provider: candidate.provider.name, reason });
      else usable.push(candidate);
    }
    return { usable, skipped };
  }

  private unusableReason({ provider, model }: ProviderCandidate): string | undefined {
    if (!provider.enabled) return 'disabled';
    if (provider.state === 'key_rejected') return `key rejected: ${provider.stateReason ?? 'no message'}`;
    if (!provider.models.includes(model)) return `does not serve ${model}`;
    const cooldown = this.cooldowns.get(provider.id);
    const now = this.clock.now();
    if (cooldown && cooldown.until > now) return `cooling down for ${Math.ceil((cooldown.until - now) / 1000)} s (${cooldown.reason})`;
    return this.capRefusal({ provider, model }, 0)?.message;
  }

  /** The first cap that stops a request of about `estimatedTokens` input tokens now, if any. */
  capRefusal({ provider, model }: ProviderCandidate, estimatedTokens: number): CapRefusal | undefined {
    const { limits } = provider;
    const now = this.clock.now();
    const today = this.today(provider.id);
    if (limits.requestsPerMinute !== undefined) {
      const window = this.window(provider.id, now);
      if (window.length >= limits.requestsPerMinute) {
        const until = window[0] + MINUTE_MS;
        return capped(
          'requestsPerMinute',
          until,
          coreMessage('providers.cap.requestsPerMinute', { provider: provider.name, cap: limits.requestsPerMinute, seconds: Math.ceil((until - now) / 1000) }),
        );
      }
    }
    if (limits.tokensPerDay !== undefined && today.tokens + estimatedTokens > limits.tokensPerDay) {
      return capped(
        'tokensPerDay',
        nextDayStart(now),
        coreMessage('providers.cap.tokensPerDay', { provider: provider.name, cap: limits.tokensPerDay, used: today.tokens }),
      );
    }
    if (limits.dailySpendCapUsd !== undefined) {
      const price = priceOf(provider, model);
      const estimate = price ? costOf({ inputTokens: estimatedTokens, outputTokens: 0 }, price) : 0;
      if (today.spendUsd + estimate >= limits.dailySpendCapUsd) {
        return capped(
          'dailySpendCapUsd',
          nextDayStart(now),
          coreMessage('providers.cap.dailySpend', { provider: provider.name, cap: limits.dailySpendCapUsd, spent: today.spendUsd.toFixed(4) }),
        );
      }
      if (!price) {
        return capped('dailySpendCapUsd', nextDayStart(now), coreMessage('providers.cap.noPrice', { provider: provider.name, model }));
      }
    }
    return undefined;
  }

  /** Counts a request toward the requests/min cap as it is sent; throws a rate_limit GatewayError naming the cap when one stops it. */
  admit(candidate: ProviderCandidate, estimatedTokens: number): void {
    const refusal = this.capRefusal(candidate, estimatedTokens);
    if (refusal) {
      throw new GatewayError('rate_limit', refusal.message, { retryAfterSeconds: Math.max(1, Math.ceil((refusal.until - this.clock.now()) / 1000)) });
    }
    this.window(candidate.provider.id, this.clock.now()).push(this.clock.now());
    this.today(candidate.provider.id).requests += 1;
  }

  /** What a request used: tokens and spend of today (UTC). */
  record({ provider, model }: ProviderCandidate, usage: Usage): void {
    const today = this.today(provider.id);
    const tokens = usage.inputTokens + usage.outputTokens + usage.thinkingTokens;
    today.tokens += tokens;
    today.inputTokens += usage.inputTokens;
    today.cachedInputTokens += usage.cachedInputTokens;
    const price = priceOf(provider, model);
    if (price) {
      const spend = spendOf(
        {
          inputTokens: usage.inputTokens,
          cachedInputTokens: usage.cachedInputTokens,
          cacheWriteTokens: usage.cacheWriteTokens,
          outputTokens: usage.outputTokens + usage.thinkingTokens,
        },
        price,
      );
      addSpend(today.spend, spend);
      today.spendUsd += totalSpend(spend);
    } else {
      today.unpricedTokens += tokens;
    }
    this.save();
  }

  /** What a failure on this provider does, and to it. `attempt` counts from 0 on this provider. */
  onFailure({ provider }: ProviderCandidate, failure: UpstreamFailure, attempt: number): FailureDecision {
    const now = this.clock.now();
    switch (failure.kind) {
      case 'rate_limited': {
        const wait = failure.retryAfterMs ?? DEFAULT_COOLDOWN_MS;
        this.cooldowns.set(provider.id, { until: now + wait, reason: failure.message });
        return next(coreMessage('attempt.note.providerRateLimited', { provider: provider.name, seconds: Math.ceil(wait / 1000) }));
      }
      case 'quota_exhausted': {
        const until = failure.resetAt ?? (failure.retryAfterMs !== undefined ? now + failure.retryAfterMs : nextDayStart(now));
        this.cooldowns.set(provider.id, { until, reason: failure.message });
        return providerSaid(provider.name, failure);
      }
      case 'forbidden':
      case 'auth_expired':
      case 'auth_revoked':
        void this.registry
          .markKeyRejected(provider.id, failure.message.replace(/^key rejected: /, ''))
          .catch((err: unknown) => this.logger.warn('could not save a provider state', { provider: provider.name, error: String(err) }));
        return next(coreMessage('attempt.note.providerKeyRejected', { provider: provider.name, detail: failure.message.replace(/^key rejected: /, '') }));
      case 'capacity':
      case 'server':
      case 'network':
      case 'timeout':
        if (attempt < PROVIDER_SERVER_RETRIES) return { action: 'retry', delayMs: Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt) };
        return providerSaid(provider.name, failure);
      case 'not_found':
        return providerSaid(provider.name, failure);
      default:
        return { action: 'fail' };
    }
  }

  /** Whether the provider can take a request now: disabled, key rejected, cooling down, or a cap reached (named). */
  status(providerId: string): ProviderStatus {
    const provider = this.registry.find(providerId);
    if (!provider) return { kind: 'disabled' };
    if (!provider.enabled) return { kind: 'disabled' };
    if (provider.state === 'key_rejected') return { kind: 'key_rejected', message: provider.stateReason ?? '' };
    const cooldown = this.cooldowns.get(provider.id);
    if (cooldown && cooldown.until > this.clock.now()) return { kind: 'cooling_down', until: cooldown.until, reason: cooldown.reason };
    // The spend cap is checked with a priced model where it has one (an unpriced one is refused under a cap).
    const model = provider.models.find((id) => priceOf(provider, id)) ?? provider.models[0] ?? '';
    const refusal = this.capRefusal({ provider, model }, 0);
    return refusal ? { kind: 'capped', cap: refusal.cap, until: refusal.until, message: refusal.message, detail: refusal.detail } : { kind: 'ok' };
  }

  usageToday(providerId: string): ProviderUsageToday {
    const today = this.today(providerId);
    return { ...today, spend: { ...today.spend } };
  }

  private today(providerId: string): ProviderUsageToday {
    const day = dayOf(this.clock.now());
    if (this.usage.day !== day) this.usage = { version: 1, day, providers: {} };
    const today = (this.usage.providers[providerId] ??= {
      day,
      requests: 0,
      tokens: 0,
      spendUsd: 0,
      spend: { ...NO_SPEND },
      inputTokens: 0,
      cachedInputTokens: 0,
      unpricedTokens: 0,
    });
    // Kept by an earlier version without the split: the split starts from here.
    today.spend ??= { ...NO_SPEND };
    today.inputTokens ??= 0;
    today.cachedInputTokens ??= 0;
    return today;
  }

  private window(providerId: string, now: number): number[] {
    let window = this.minuteWindows.get(providerId);
    if (!window) this.minuteWindows.set(providerId, (window = []));
    while (window.length > 0 && window[0] <= now - MINUTE_MS) window.shift();
    return window;
  }

  /**
   * At most one write a second (every answer changes the usage, and each write syncs a file: written per
   * request, it was a quarter of a passed-through request's CPU); the last state lands. The timer is not
   * unref'd, so a process ending normally still writes the last second.
   */
  private save(): void {
    if (this.pendingWrite || this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.writeNow(), SAVE_INTERVAL_MS);
  }

  private writeNow(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    this.pendingWrite = true;
    this.writing = this.writing
      .catch(() => undefined)
      .then(() => {
        this.pendingWrite = false;
        return this.documents.write(PROVIDER_USAGE_DOCUMENT, this.usage);
      })
      .catch((err: unknown) => this.logger.warn('could not save provider usage', { error: String(err) }));
  }

  /** Resolves when the usage recorded so far is saved (a write waiting for its second starts now). */
  flush(): Promise<void> {
    if (this.saveTimer) this.writeNow();
    return this.writing;
  }
}

/**
 * The order in which a model's candidates are tried, as stages: accounts
 * (`pool`) and provider candidates. `pool-first` puts providers after the
 * accounts (the dispatcher moves on only when no account can serve);
 * `pool-only` ignores providers unless the model names one (`name:model`).
 */
export function candidateStages(policy: ProviderPolicy, model: string): Array<{ kind: 'pool' } | { kind: 'providers'; model: string }> {
  if (model.includes(':') && parseProviderRef(model).model) return [{ kind: 'providers', model }];
  if (policy === 'pool-only') return [{ kind: 'pool' }];
  if (policy === 'provider-only') return [{ kind: 'providers', model }];
  if (policy === 'pool-first') return [{ kind: 'pool' }, { kind: 'providers', model }];
  return policy.map((entry) =>
    entry === 'pool' ? { kind: 'pool' as const } : { kind: 'providers' as const, model: entry.includes(':') ? entry : `${entry}:${model}` },
  );
}
