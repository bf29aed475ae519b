import type { ModelQuotaSnapshot } from '../upstream/upstream';

/** Why one account cannot serve one model for a while (upstream-protocol §6). */
export interface ModelLimit {
  /** cooldown: a rate limit with a known delay; exhausted: the quota is spent until its reset. */
  kind: 'cooldown' | 'exhausted';
  /** Epoch ms when the account may serve the model again. */
  until: number;
  reason: string;
}

/** Account-wide condition; per-model limits are kept apart in `limits`. */
export type AccountStatus = 'active' | 'needs_reauth' | 'forbidden';

/**
 * What is persisted about an account (DocumentStore). Never a token: the
 * refresh token lives in the SecretStore, access tokens only in memory.
 */
export interface AccountRecord {
  id: string;
  email: string;
  /** Tier id from loadCodeAssist (`paidTier` when present, else `currentTier`). */
  tier?: string;
  projectId: string;
  /** User's order: lower runs first; equal priorities are balanced by quota. */
  priority: number;
  status: AccountStatus;
  statusReason?: string;
  /** Where the user must go to lift a `forbidden` state (403 VALIDATION_REQUIRED). */
  actionUrl?: string;
  /** Switched off by the user; independent of `status`. */
  disabled: boolean;
  /** Per upstream model id. Expired entries are ignored and pruned on save. */
  limits: Record<string, ModelLimit>;
  quota?: ModelQuotaSnapshot;
  /** Why the last quota fetch failed; cleared by the next success. */
  quotaError?: string;
  addedAt: number;
  lastUsedAt?: number;
}

/** What a host shows: `disabled` wins over the account-wide status. */
export type AccountState = AccountStatus | 'disabled';

/** Subscription level, for preference (Ultra > Pro > Free, upstream-protocol §4) and display. */
export type Plan = 'ultra' | 'pro' | 'free';

export interface AccountModelView {
  id: string;
  displayName?: string;
  remainingFraction?: number;
  resetAt?: number;
  /** Set while the account cannot serve this model. */
  limit?: ModelLimit;
}

/** An account as hosts and the dashboard see it. Holds no secret. */
export interface AccountView {
  id: string;
  email: string;
  tier?: string;
  plan: Plan;
  projectId: string;
  priority: number;
  state: AccountState;
  stateReason?: string;
  actionUrl?: string;
  /** Whether a request could be routed to this account right now, for some model. */
  usable: boolean;
  models: AccountModelView[];
  quotaFetchedAt?: number;
  quotaError?: string;
  addedAt: number;
  lastUsedAt?: number;
}

/**
 * The pool as the scheduler sees it: read the accounts, get tokens, and
 * report what the upstream said about an account.
 */
export interface SchedulableAccounts {
  snapshot(): ReadonlyArray<Readonly<AccountRecord>>;
  /** A valid access token; refreshed ahead of expiry, one refresh in flight per account. */
  accessToken(accountId: string, signal?: AbortSignal): Promise<string>;
  /** A token other than `rejected` (the upstream answered 401 to it). */
  renewAccessToken(accountId: string, rejected: string, signal?: AbortSignal): Promise<string>;
  markLimited(accountId: string, model: string, limit: ModelLimit): void;
  markNeedsReauth(accountId: string, reason: string): void;
  markForbidden(accountId: string, reason: string, actionUrl?: string): void;
  markUsed(accountId: string): void;
  /** Re-fetch the account's quota in the background (after a 429), coalesced. */
  refreshQuotaSoon(accountId: string): void;
}
