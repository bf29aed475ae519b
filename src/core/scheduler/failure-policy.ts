import type { ModelLimit } from '../accounts/types';
import type { UpstreamFailure } from '../upstream/failure';

/**
 * What to do after a failed attempt, decided from the failure's class alone
 * (upstream-protocol §6), never from a status code. Pure: the dispatcher carries it out.
 */

export interface FailurePolicySettings {
  /** Rate limits with a delay up to this are waited out on the same account. */
  retrySameAccountMaxDelayMs: number;
  /** Capacity errors retried on the same account before moving on. */
  capacityRetries: number;
}

/** What has been tried on the current account. */
export interface TriesSoFar {
  rateLimitRetries: number;
  capacityRetries: number;
  tokenRenewed: boolean;
}

export type AccountMark =
  { kind: 'limit'; model: string; limit: ModelLimit } | { kind: 'needs_reauth'; reason: string } | { kind: 'forbidden'; reason: string; actionUrl?: string };

export type FailureDecision =
  /** Same account again after `delayMs`. */
  | { action: 'retry'; delayMs: number; renewToken?: true }
  /** Another account; `mark` records what the upstream said about this one. */
  | { action: 'switch'; mark?: AccountMark; refreshQuota?: true }
  /** Give the client the upstream's answer. */
  | { action: 'fail' };

export interface FailureContext {
  now: number;
  model: string;
  settings: FailurePolicySettings;
  tries: TriesSoFar;
  random: () => number;
  /** The account's known quota reset for the model, when the 429 carries none. */
  quotaResetAt?: number;
}

/** Short 429s waited out on one account before it is cooled down instead. */
export const SAME_ACCOUNT_RATE_LIMIT_RETRIES = 2;
/** A 429 without a retry delay: Google nearly always sends one; this is a cautious stand-in. */
export const DEFAULT_RATE_LIMIT_DELAY_MS = 1_000;
/** A spent quota without any reset time: look again after this (a quota refresh usually corrects it sooner). */
export const DEFAULT_EXHAUSTION_MS = 5 * 60_000;
export const CAPACITY_BACKOFF_BASE_MS = 500;

/** base · 2^n, jittered to 50–150 %, so that waiting requests do not retry in step. */
export const capacityBackoffMs = (retry: number, random: () => number): number => Math.round(CAPACITY_BACKOFF_BASE_MS * 2 ** retry * (0.5 + random()));

export function decideFailure(failure: UpstreamFailure, ctx: FailureContext): FailureDecision {
  const { now, model, settings, tries } = ctx;
  switch (failure.kind) {
    case 'rate_limited': {
      const delay = failure.retryAfterMs ?? DEFAULT_RATE_LIMIT_DELAY_MS;
      if (delay <= settings.retrySameAccountMaxDelayMs && tries.rateLimitRetries < SAME_ACCOUNT_RATE_LIMIT_RETRIES) {
        return { action: 'retry', delayMs: delay };
      }
      const until = now + Math.max(delay, DEFAULT_RATE_LIMIT_DELAY_MS);
      return {
        action: 'switch',
        mark: { kind: 'limit', model, limit: { kind: 'cooldown', until, reason: failure.message } },
        refreshQuota: true,
      };
    }
    case 'quota_exhausted': {
      const until =
        failure.resetAt ??
        (failure.retryAfterMs !== undefined ? now + failure.retryAfterMs : undefined) ??
        (ctx.quotaResetAt !== undefined && ctx.quotaResetAt > now ? ctx.quotaResetAt : now + DEFAULT_EXHAUSTION_MS);
      return {
        action: 'switch',
        mark: { kind: 'limit', model, limit: { kind: 'exhausted', until, reason: failure.message } },
        refreshQuota: true,
      };
    }
    case 'capacity':
      // The model is busy, not the account: back off briefly, then let another account try.
      if (tries.capacityRetries < settings.capacityRetries) {
        return { action: 'retry', delayMs: capacityBackoffMs(tries.capacityRetries, ctx.random) };
      }
      return { action: 'switch' };
    case 'auth_expired':
      if (!tries.tokenRenewed) return { action: 'retry', delayMs: 0, renewToken: true };
      return { action: 'switch', mark: { kind: 'needs_reauth', reason: `a fresh access token was rejected too (${failure.message})` } };
    case 'auth_revoked':
      return { action: 'switch', mark: { kind: 'needs_reauth', reason: failure.message } };
    case 'forbidden':
      return { action: 'switch', mark: { kind: 'forbidden', reason: failure.message, actionUrl: failure.actionUrl } };
    case 'signature_invalid':
      // The upstream has already tried without the signatures: the request itself is at fault.
      return { action: 'fail' };
    case 'server':
    case 'network':
    case 'timeout':
      // The upstream client already tried the other hosts: this account's turn is over.
      return { action: 'switch' };
    case 'bad_request':
    case 'not_found':
      return { action: 'fail' };
  }
}
