import { randomBytes } from 'node:crypto';
import { GatewayError } from '../errors';
import { silentLogger, systemClock, type Clock, type DocumentStore, type Logger, type SecretStore } from '../ports';
import { UpstreamFailure } from '../upstream/failure';
import type { AccountApi, ModelQuotaSnapshot } from '../upstream/upstream';
import { isUsable, pruneLimits, toView } from './account-state';
import { createAccountStore } from './account-store';
import { TypedEmitter } from './emitter';
import { parseAccountImport } from './import';
import type { OAuthClient } from './oauth';
import { createPoolSharing } from './pool-sharing';
import { startQuotaPoller, type QuotaPoller } from './quota-poller';
import type { SharedAccounts } from './shared';
import { AccountSetupError, verifyAccount, type VerifiedAccount } from './setup';
import { DEFAULT_SIGN_IN_PORTS, startSignIn, type SignInOptions, type SignInSession } from './sign-in';
import { createTokenManager } from './token-manager';
import type { AccountRecord, AccountView, ModelLimit, SchedulableAccounts } from './types';

/**
 * The account pool: the accounts, their state and quota, persisted; the API
 * hosts and the dashboard use to manage them; and what the scheduler needs
 * (SchedulableAccounts).
 *
 * ~500 lines in one closure: state changes, persistence (including the deferred `lastUsedAt` save) and events
 * must stay in step on the same records; the parts that stand alone (token manager, quota poller, sign-in, import,
 * account store, view) are already their own modules.
 */

export interface AccountPoolOptions {
  documents: DocumentStore;
  secrets: SecretStore;
  oauth: OAuthClient;
  api: AccountApi;
  clock?: Clock;
  logger?: Logger;
  random?: () => number;
  /** `oauth.refreshSkewMs`; a function for live settings. Default 90 s. */
  refreshSkewMs?: number | (() => number);
  /** `quota.refreshIntervalMs`; a function for live settings. Default 5 min. */
  quotaRefreshIntervalMs?: number | (() => number);
  /** Loopback ports for the sign-in redirect; default 51121–51126. */
  signInPorts?: number[];
  /** Team mode: accounts, their state and tokens shared with the other instances (src/core/team). */
  shared?: SharedAccounts;
}

export interface AccountPoolEvents {
  added: AccountView;
  updated: AccountView;
  removed: { id: string; email: string };
}

export interface AddedAccount {
  account: AccountView;
  /** False when an account with that email existed and was updated. */
  created: boolean;
}

export interface ImportReport {
  added: AccountView[];
  updated: AccountView[];
  /** `index` is the entry's position in the file. */
  failed: Array<{ index: number; email?: string; error: string }>;
}

export interface PoolStats {
  total: number;
  usable: number;
}

export interface AccountPool extends SchedulableAccounts {
  /** In the user's order (priority, then date added). */
  list(): AccountView[];
  get(accountId: string): AccountView | undefined;
  /** For /healthz. */
  stats(): PoolStats;
  on<E extends keyof AccountPoolEvents>(event: E, listener: (payload: AccountPoolEvents[E]) => void): () => void;

  /** Refresh, email, project (onboarding if needed), first quota; an AccountSetupError names the failed step. */
  addByRefreshToken(refreshToken: string, options?: { signal?: AbortSignal; expectedEmail?: string }): Promise<AddedAccount>;
  /** Google sign-in on a loopback redirect; the host opens `authorizeUrl`. */
  beginSignIn(options?: SignInOptions): Promise<SignInSession>;
  /** A JSON file's text or parsed content; see `parseAccountImport` for the formats. */
  importAccounts(input: unknown, options?: { signal?: AbortSignal }): Promise<ImportReport>;
  remove(accountId: string): Promise<void>;
  enable(accountId: string): Promise<AccountView>;
  disable(accountId: string): Promise<AccountView>;
  /** Accounts in `accountIds` come first, in that order; the others keep their order after them. */
  reorder(accountIds: string[]): Promise<void>;
  /** One account, or every enabled signed-in account. Failures land in the views' `quotaError`. */
  refreshQuota(accountId?: string): Promise<void>;
  /**
   * Re-runs the setup with the stored refresh token, or a new one for the same
   * email; clears needs-re-auth / forbidden on success.
   */
  reauthenticate(accountId: string, options?: { refreshToken?: string; signal?: AbortSignal }): Promise<AccountView>;

  /**
   * What signing another program (the Antigravity IDE) into the account takes: an access
   * token valid for at least `minValidityMs`, its expiry, and the stored refresh token.
   */
  handoverTokens(
    accountId: string,
    minValidityMs: number,
    signal?: AbortSignal,
  ): Promise<{ email: string; tier?: string; accessToken: string; expiresAt: number; refreshToken: string }>;

  startQuotaPolling(): void;
  /** Stops polling, cancels sign-ins in progress, and waits for the last write. */
  close(): Promise<void>;
}

/** 429-triggered quota fetches of one account are this far apart at least: a burst of 429s costs one fetch. */
const QUOTA_COALESCE_MS = 10_000;
/** How long a `lastUsedAt` change may wait for its save. */
const USED_SAVE_DELAY_MS = 5_000;
const DEFAULT_REFRESH_SKEW_MS = 90_000;
const DEFAULT_QUOTA_INTERVAL_MS = 5 * 60_000;

const setting = (value: number | (() => number) | undefined, fallback: number): (() => number) =>
  typeof value === 'function' ? value : () => value ?? fallback;

const newAccountId = (): string => `acct_${randomBytes(6).toString('hex')}`;

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export async function createAccountPool(options: AccountPoolOptions): Promise<AccountPool> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const random = options.random ?? Math.random;
  const { oauth, api } = options;
  const store = createAccountStore({ documents: options.documents, secrets: options.secrets, logger });
  const emitter = new TypedEmitter<AccountPoolEvents>((event, err) => logger.error('account event listener failed', { event, error: messageOf(err) }));
  const records = new Map<string, AccountRecord>();
  for (const record of await store.load()) records.set(record.id, record);

  const tokens = createTokenManager({
    oauth,
    clock,
    refreshSkewMs: setting(options.refreshSkewMs, DEFAULT_REFRESH_SKEW_MS),
    refreshTokenOf: (id) => (sharing ? sharing.refreshToken(id) : store.refreshToken(id)),
    onRefreshTokenRotated: (id, refreshToken) => (sharing ? sharing.setRefreshToken(id, refreshToken) : store.setRefreshToken(id, refreshToken)),
    shared: options.shared?.tokens,
  });
  const quotaFlights = new Map<string, Promise<void>>();
  /** When a 429 last triggered a quota fetch, per account. */
  const quotaRefreshedAfter429 = new Map<string, number>();
  const signIns = new Set<SignInSession>();
  let poller: QuotaPoller | undefined;

  const ordered = (): AccountRecord[] => [...records.values()].sort((a, b) => a.priority - b.priority || a.addedAt - b.addedAt);

  const persist = (): Promise<void> =>
    store.save(() => {
      const now = clock.now();
      const accounts = ordered();
      accounts.forEach((a) => pruneLimits(a, now));
      return accounts;
    });

  /** Scheduler-side changes must never fail a request because a write failed. */
  const persistInBackground = () => void persist().catch((err) => logger.error('saving accounts failed', { error: messageOf(err) }));

  /**
   * `lastUsedAt` changes on every request: an atomic file write (fsync, rename)
   * per request cost more CPU than the whole translation. It rides along with
   * the next write, or is saved `USED_SAVE_DELAY_MS` later, and at close.
   */
  let usedSaveTimer: ReturnType<typeof setTimeout> | undefined;
  const persistUsedSoon = () => {
    if (usedSaveTimer) return;
    usedSaveTimer = setTimeout(() => {
      usedSaveTimer = undefined;
      persistInBackground();
    }, USED_SAVE_DELAY_MS);
    usedSaveTimer.unref?.();
  };

  const changed = (account: AccountRecord): AccountView => {
    const view = toView(account, clock.now());
    emitter.emit('updated', view);
    return view;
  };

  /** A change the other instances of a team must see (not `lastUsedAt`, which changes on every request). */
  const shared = (account: AccountRecord): AccountView => {
    sharing?.put(account);
    return changed(account);
  };
  const sharing =
    options.shared &&
    createPoolSharing({
      shared: options.shared,
      records,
      store,
      tokens,
      logger,
      added: (account) => emitter.emit('added', toView(account, clock.now())),
      updated: changed,
      removed: (account) => emitter.emit('removed', { id: account.id, email: account.email }),
      persist: () => persistInBackground(),
    });
  await sharing?.sync().catch((err) => logger.warn("reading the team's accounts failed: starting with the local ones", { error: messageOf(err) }));

  function accountOrThrow(accountId: string): AccountRecord {
    const account = records.get(accountId);
    if (!account) throw new GatewayError('not_found', `No account with id "${accountId}"`);
    return account;
  }

  const findByEmail = (email: string): AccountRecord | undefined => [...records.values()].find((a) => a.email.toLowerCase() === email.toLowerCase());

  function markNeedsReauth(accountId: string, reason: string): void {
    const account = records.get(accountId);
    if (!account) return;
    account.status = 'needs_reauth';
    account.statusReason = reason;
    delete account.actionUrl;
    tokens.forget(accountId);
    logger.warn('account needs re-authentication', { accountId, email: account.email, reason });
    shared(account);
    persistInBackground();
  }

  function markForbidden(accountId: string, reason: string, actionUrl?: string): void {
    const account = records.get(accountId);
    if (!account) return;
    account.status = 'forbidden';
    account.statusReason = reason;
    if (actionUrl) account.actionUrl = actionUrl;
    else delete account.actionUrl;
    logger.warn('account forbidden', { accountId, email: account.email, reason });
    shared(account);
    persistInBackground();
  }

  /** A dead refresh token is the pool's business, whoever asked for the token. */
  async function withTokenFailures(accountId: string, get: () => Promise<string>): Promise<string> {
    try {
      return await get();
    } catch (err) {
      if (err instanceof UpstreamFailure && err.kind === 'auth_revoked') markNeedsReauth(accountId, err.message);
      throw err;
    }
  }

  const accessToken = (accountId: string, signal?: AbortSignal) => withTokenFailures(accountId, () => tokens.get(accountId, signal));

  const renewAccessToken = (accountId: string, rejected: string, signal?: AbortSignal) =>
    withTokenFailures(accountId, () => tokens.renew(accountId, rejected, signal));

  /** The reset time the quota data gives is authoritative for an exhausted limit (upstream-protocol §4). */
  function applyQuota(account: AccountRecord, snapshot: ModelQuotaSnapshot): void {
    const now = clock.now();
    // Stamped with the pool's clock: the poller and the 429 coalescing measure age with it.
    account.quota = { ...snapshot, fetchedAt: now };
    delete account.quotaError;
    for (const [model, limit] of Object.entries(account.limits)) {
      const info = snapshot.models.find((m) => m.id === model);
      if (limit.kind === 'exhausted' && info && info.remainingFraction <= 0 && info.resetAt !== undefined && info.resetAt > now) {
        limit.until = info.resetAt;
      }
    }
  }

  async function fetchQuotaOnce(accountId: string): Promise<void> {
    const account = records.get(accountId);
    if (!account) return;
    try {
      let token = await accessToken(accountId);
      let snapshot: ModelQuotaSnapshot;
      try {
        snapshot = await api.fetchAvailableModels(token, account.projectId);
      } catch (err) {
        if (!(err instanceof UpstreamFailure && err.kind === 'auth_expired')) throw err;
        token = await renewAccessToken(accountId, token);
        snapshot = await api.fetchAvailableModels(token, account.projectId);
      }
      if (records.get(accountId) !== account) return; // removed meanwhile
      applyQuota(account, snapshot);
    } catch (err) {
      if (records.get(accountId) !== account) return;
      account.quotaError = messageOf(err);
      if (err instanceof UpstreamFailure && err.kind === 'forbidden') markForbidden(accountId, err.message, err.actionUrl);
      logger.warn('quota fetch failed', { accountId, email: account.email, error: account.quotaError });
    }
    shared(account);
    persistInBackground();
  }

  /** Never rejects: failures are recorded on the account. One fetch in flight per account. */
  function fetchQuota(accountId: string): Promise<void> {
    const existing = quotaFlights.get(accountId);
    if (existing) return existing;
    const flight = fetchQuotaOnce(accountId).finally(() => quotaFlights.delete(accountId));
    quotaFlights.set(accountId, flight);
    return flight;
  }

  const pollable = () => [...records.values()].filter((a) => !a.disabled && a.status === 'active');

  async function upsert(verified: VerifiedAccount): Promise<AddedAccount> {
    const existing = findByEmail(verified.email);
    const account: AccountRecord = existing ?? {
      id: newAccountId(),
      email: verified.email,
      projectId: verified.projectId,
      // Joins the last group of the user's order.
      priority: Math.max(0, ...[...records.values()].map((a) => a.priority)),
      status: 'active',
      disabled: false,
      limits: {},
      addedAt: clock.now(),
    };
    account.email = verified.email;
    account.projectId = verified.projectId;
    if (verified.tier) account.tier = verified.tier;
    account.status = 'active';
    delete account.statusReason;
    delete account.actionUrl;
    applyQuota(account, verified.quota);
    // The secret goes first: a crash in between leaves an unused secret, never an account without a token.
    await (sharing ? sharing.setRefreshToken(account.id, verified.refreshToken) : store.setRefreshToken(account.id, verified.refreshToken));
    records.set(account.id, account);
    sharing?.put(account);
    tokens.seed(account.id, verified.tokens);
    const view = toView(account, clock.now());
    emitter.emit(existing ? 'updated' : 'added', view);
    await persist();
    logger.info(existing ? 'account updated' : 'account added', { accountId: account.id, email: account.email });
    return { account: view, created: !existing };
  }

  async function addByRefreshToken(refreshToken: string, opts: { signal?: AbortSignal; expectedEmail?: string } = {}): Promise<AddedAccount> {
    const token = refreshToken.trim();
    if (!token) throw new AccountSetupError('token refresh', new Error('the refresh token is empty'));
    return upsert(await verifyAccount({ oauth, api }, { refreshToken: token, expectedEmail: opts.expectedEmail }, opts.signal));
  }

  async function setDisabled(accountId: string, disabled: boolean): Promise<AccountView> {
    const account = accountOrThrow(accountId);
    account.disabled = disabled;
    const view = shared(account);
    await persist();
    return view;
  }

  const pool: AccountPool = {
    list: () => {
      const now = clock.now();
      return ordered().map((a) => toView(a, now));
    },
    get: (accountId) => {
      const account = records.get(accountId);
      return account && toView(account, clock.now());
    },
    stats: () => {
      const now = clock.now();
      return { total: records.size, usable: [...records.values()].filter((a) => isUsable(a, now)).length };
    },
    on: (event, listener) => emitter.on(event, listener),

    addByRefreshToken,

    async beginSignIn(signInOptions = {}) {
      const session = await startSignIn(
        {
          oauth,
          clock,
          finish: async (fresh, signal) =>
            (await upsert(await verifyAccount({ oauth, api }, { refreshToken: fresh.refreshToken, tokens: fresh }, signal))).account,
        },
        { ports: options.signInPorts ?? DEFAULT_SIGN_IN_PORTS, ...signInOptions },
      );
      signIns.add(session);
      session.completion.then(
        () => signIns.delete(session),
        () => signIns.delete(session),
      );
      return session;
    },

    async importAccounts(input, opts = {}) {
      const parsed = parseAccountImport(input);
      const report: ImportReport = {
        added: [],
        updated: [],
        failed: parsed.skipped.map(({ index, reason }) => ({ index, error: reason })),
      };
      // One at a time: a bulk import must not burst the token endpoint.
      for (const entry of parsed.entries) {
        if (opts.signal?.aborted) throw opts.signal.reason;
        try {
          const { account, created } = await addByRefreshToken(entry.refreshToken, opts);
          (created ? report.added : report.updated).push(account);
        } catch (err) {
          if (opts.signal?.aborted) throw opts.signal.reason;
          report.failed.push(entry.email ? { index: entry.index, email: entry.email, error: messageOf(err) } : { index: entry.index, error: messageOf(err) });
        }
      }
      report.failed.sort((a, b) => a.index - b.index);
      return report;
    },

    async remove(accountId) {
      const account = accountOrThrow(accountId);
      records.delete(accountId);
      quotaRefreshedAfter429.delete(accountId);
      tokens.forget(accountId);
      await store.deleteRefreshToken(accountId);
      sharing?.remove(accountId);
      emitter.emit('removed', { id: account.id, email: account.email });
      await persist();
      logger.info('account removed', { accountId, email: account.email });
    },

    enable: (accountId) => setDisabled(accountId, false),
    disable: (accountId) => setDisabled(accountId, true),

    async reorder(accountIds) {
      accountIds.forEach(accountOrThrow);
      const first = [...new Set(accountIds)].map((id) => records.get(id) as AccountRecord);
      const rest = ordered().filter((a) => !first.includes(a));
      [...first, ...rest].forEach((account, index) => {
        if (account.priority === index) return;
        account.priority = index;
        shared(account);
      });
      await persist();
    },

    async refreshQuota(accountId) {
      if (accountId !== undefined) {
        accountOrThrow(accountId);
        return fetchQuota(accountId);
      }
      await Promise.all(pollable().map((a) => fetchQuota(a.id)));
    },

    async reauthenticate(accountId, opts = {}) {
      const account = accountOrThrow(accountId);
      const refreshToken = opts.refreshToken?.trim() || (await store.refreshToken(accountId));
      if (!refreshToken) {
        throw new AccountSetupError('token refresh', new Error('no refresh token is stored; sign in again'));
      }
      tokens.forget(accountId);
      let verified: VerifiedAccount;
      try {
        verified = await verifyAccount({ oauth, api }, { refreshToken }, opts.signal);
      } catch (err) {
        const cause = err instanceof AccountSetupError ? err.cause : undefined;
        if (cause instanceof UpstreamFailure && cause.kind === 'auth_revoked') markNeedsReauth(accountId, cause.message);
        if (cause instanceof UpstreamFailure && cause.kind === 'forbidden') markForbidden(accountId, cause.message, cause.actionUrl);
        throw err;
      }
      if (verified.email.toLowerCase() !== account.email.toLowerCase()) {
        throw new AccountSetupError('email lookup', new Error(`that refresh token belongs to ${verified.email}, not ${account.email}`));
      }
      return (await upsert(verified)).account;
    },

    async handoverTokens(accountId, minValidityMs, signal) {
      const account = accountOrThrow(accountId);
      let fresh: { accessToken: string; expiresAt: number } | undefined;
      await withTokenFailures(accountId, async () => (fresh = await tokens.getWithExpiry(accountId, minValidityMs, signal)).accessToken);
      if (!fresh) throw new GatewayError('not_found', `No access token for ${account.email}`);
      const refreshToken = await store.refreshToken(accountId);
      if (!refreshToken) throw new GatewayError('not_found', `No refresh token is stored for ${account.email}; sign in again`);
      return {
        email: account.email,
        ...(account.tier ? { tier: account.tier } : {}),
        accessToken: fresh.accessToken,
        expiresAt: fresh.expiresAt,
        refreshToken,
      };
    },

    startQuotaPolling() {
      if (poller) return;
      poller = startQuotaPoller({
        clock,
        logger,
        random,
        intervalMs: setting(options.quotaRefreshIntervalMs, DEFAULT_QUOTA_INTERVAL_MS),
        // In a team one instance polls (its results reach the others as account changes).
        pollable: () => (options.shared?.quotaLeader?.() === false ? [] : pollable().map((a) => ({ id: a.id, fetchedAt: a.quota?.fetchedAt }))),
        poll: fetchQuota,
      });
    },

    async close() {
      sharing?.close();
      poller?.stop();
      poller = undefined;
      for (const session of signIns) session.cancel();
      await Promise.allSettled([...quotaFlights.values()]);
      clearTimeout(usedSaveTimer);
      usedSaveTimer = undefined;
      await persist();
    },

    // SchedulableAccounts
    snapshot: () => [...records.values()],
    accessToken,
    renewAccessToken,
    markLimited(accountId, model, limit: ModelLimit) {
      const account = records.get(accountId);
      if (!account) return;
      account.limits[model] = { ...limit };
      // Published on its own at once: the other instances must stop using the account before their next request.
      sharing?.limit(accountId, model, limit);
      changed(account);
      persistInBackground();
    },
    markNeedsReauth,
    markForbidden,
    markUsed(accountId) {
      const account = records.get(accountId);
      if (!account) return;
      account.lastUsedAt = clock.now();
      // Once per request: the view is built only for a listener (the dashboard, the status bar).
      if (emitter.listens('updated')) changed(account);
      persistUsedSoon();
    },
    refreshQuotaSoon(accountId) {
      if (!records.has(accountId) || quotaFlights.has(accountId)) return;
      // Quota data from before the 429 is stale whatever its age; only a burst of 429s is coalesced.
      const last = quotaRefreshedAfter429.get(accountId);
      if (last !== undefined && clock.now() - last < QUOTA_COALESCE_MS) return;
      quotaRefreshedAfter429.set(accountId, clock.now());
      void fetchQuota(accountId);
    },
  };
  return pool;
}
