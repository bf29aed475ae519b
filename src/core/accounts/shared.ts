import type { OAuthTokens } from './oauth';
import type { AccountRecord, ModelLimit } from './types';

/**
 * What the pool shares with the other instances of a team (Redis, src/core/team/pool-state.ts); absent when
 * the gateway runs alone. The pool keeps its records in memory and in its data dir as always: this sits
 * beside them. Nothing here may fail a request: writes are fire-and-forget, reads of an unreachable store
 * answer undefined, and the pool carries on with what it knows.
 */
export interface SharedAccounts {
  /** The team's accounts, or undefined when the store cannot be read now. */
  load(): Promise<AccountRecord[] | undefined>;
  /** Stores and announces a record (status, disabled, order, quota, limits): the others apply it. */
  put(record: Readonly<AccountRecord>): void;
  /** Announces one limit (a 429's cooldown, an exhausted quota) at once: the others stop using the account. */
  limit(accountId: string, model: string, limit: ModelLimit): void;
  remove(accountId: string): void;
  /** The team's copy of a refresh token (stored sealed); undefined when unknown or unreachable. */
  refreshToken(accountId: string): Promise<string | undefined>;
  setRefreshToken(accountId: string, refreshToken: string): Promise<void>;
  /**
   * Calls the handlers for the others' changes; `resync` after the store came back (the pool republishes
   * what it has and reloads the rest). Returns the unsubscribe.
   */
  subscribe(handlers: SharedAccountHandlers): () => void;
  /** One refresh across the team at a time; absent: each instance refreshes on its own. */
  readonly tokens?: SharedTokens;
  /** Quota polling by one instance of the team; absent: every instance polls. */
  readonly quotaLeader?: () => boolean;
}

export interface SharedAccountHandlers {
  put(record: AccountRecord): void;
  limit(accountId: string, model: string, limit: ModelLimit): void;
  removed(accountId: string): void;
  resync(): void;
}

/**
 * Access tokens across the team: whoever holds an account's refresh lock refreshes, the others wait for the
 * token it shares. Falls back to `refresh` alone when the team's store is away.
 */
export interface SharedTokens {
  /**
   * A token valid until at least `validUntil` (and not `rejected`): the team's current one, else the one
   * this instance gets by `refresh` under the lock, else the one another instance got meanwhile.
   */
  obtain(accountId: string, options: { validUntil: number; rejected?: string; refresh: () => Promise<OAuthTokens> }): Promise<OAuthTokens>;
}
