import type { Logger } from '../ports';
import type { AccountStore } from './account-store';
import type { SharedAccounts } from './shared';
import type { TokenManager } from './token-manager';
import type { AccountRecord, ModelLimit } from './types';

/**
 * The pool's side of team mode: its records go to the team's store as they change, and the others' changes
 * are applied to the same record objects (the pool compares identities to spot a removal mid-fetch). A
 * refresh token learnt from the team is also kept in the local secret store, so the instance can go on
 * alone when Redis goes away. Limits merge (the later `until` wins), so two instances marking two models of
 * one account at once both hold.
 */
export interface PoolSharing {
  /** Reads the team's accounts into the pool, and puts the pool's own ones the team lacks. */
  sync(): Promise<void>;
  put(account: Readonly<AccountRecord>): void;
  limit(accountId: string, model: string, limit: ModelLimit): void;
  remove(accountId: string): void;
  /** The team's copy (a rotation on another instance lands there), else the local one. */
  refreshToken(accountId: string): Promise<string | undefined>;
  setRefreshToken(accountId: string, refreshToken: string): Promise<void>;
  close(): void;
}

export interface PoolSharingDeps {
  shared: SharedAccounts;
  records: Map<string, AccountRecord>;
  store: AccountStore;
  tokens: TokenManager;
  logger: Logger;
  /** The pool's events and its background save. */
  added(account: AccountRecord): void;
  updated(account: AccountRecord): void;
  removed(account: AccountRecord): void;
  persist(): void;
}

/** `into` gains the limits of `from` that end later than its own. */
export function mergeLimits(into: Record<string, ModelLimit>, from: Readonly<Record<string, ModelLimit>>): boolean {
  let changed = false;
  for (const [model, limit] of Object.entries(from)) {
    const current = into[model];
    if (current && current.until >= limit.until) continue;
    into[model] = { ...limit };
    changed = true;
  }
  return changed;
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function createPoolSharing(deps: PoolSharingDeps): PoolSharing {
  const { shared, records, store, tokens, logger } = deps;

  /** Keeps a team account's refresh token locally too, for the time Redis is away. */
  const keepLocally = (accountId: string) =>
    void shared
      .refreshToken(accountId)
      .then(async (token) => {
        if (token && token !== (await store.refreshToken(accountId))) await store.setRefreshToken(accountId, token);
      })
      .catch((err) => logger.warn('keeping a team refresh token locally failed', { accountId, error: messageOf(err) }));

  /**
   * The same Google account under two ids: added on two instances before they shared (a migration to team
   * mode). The team keeps the older record (then the smaller id), everywhere alike. True: `remote` lost.
   */
  function settleTwin(remote: AccountRecord): boolean {
    const email = remote.email.toLowerCase();
    const twin = [...records.values()].find((account) => account.id !== remote.id && account.email.toLowerCase() === email);
    if (!twin) return false;
    const remoteWins = remote.addedAt < twin.addedAt || (remote.addedAt === twin.addedAt && remote.id < twin.id);
    if (!remoteWins) {
      shared.put(twin);
      void store
        .refreshToken(twin.id)
        .then(async (token) => {
          if (token) await shared.setRefreshToken(twin.id, token);
        })
        .catch(() => undefined);
      shared.remove(remote.id);
      return true;
    }
    records.delete(twin.id);
    tokens.forget(twin.id);
    void store.deleteRefreshToken(twin.id).catch(() => undefined);
    deps.removed(twin);
    return false;
  }

  function apply(remote: AccountRecord): void {
    if (settleTwin(remote)) return;
    const local = records.get(remote.id);
    if (!local) {
      records.set(remote.id, remote);
      keepLocally(remote.id);
      deps.added(remote);
      deps.persist();
      return;
    }
    // Signed in again elsewhere: the cached token may belong to the old grant.
    if (local.status !== 'active' && remote.status === 'active') tokens.forget(remote.id);
    const limits = { ...local.limits };
    mergeLimits(limits, remote.limits);
    const lastUsedAt = Math.max(local.lastUsedAt ?? 0, remote.lastUsedAt ?? 0) || undefined;
    for (const key of Object.keys(local) as Array<keyof AccountRecord>) delete local[key];
    Object.assign(local, remote, { limits }, lastUsedAt !== undefined && { lastUsedAt });
    deps.updated(local);
    deps.persist();
  }

  const unsubscribe = shared.subscribe({
    put: apply,
    limit(accountId, model, limit) {
      const account = records.get(accountId);
      if (!account || !mergeLimits(account.limits, { [model]: limit })) return;
      deps.updated(account);
      deps.persist();
    },
    removed(accountId) {
      const account = records.get(accountId);
      if (!account) return;
      records.delete(accountId);
      tokens.forget(accountId);
      void store.deleteRefreshToken(accountId).catch(() => undefined);
      deps.removed(account);
      deps.persist();
    },
    resync: () => void sync(true).catch((err) => logger.warn('team resync failed', { error: messageOf(err) })),
  });

  /** `everything`: after an outage the team's store may have come back empty, so all of ours go up again. */
  async function sync(everything = false): Promise<void> {
    const team = await shared.load();
    if (!team) return;
    const known = new Set(team.map((record) => record.id));
    for (const remote of team) apply(remote);
    for (const account of records.values()) {
      if (known.has(account.id) && !everything) continue;
      shared.put(account);
      const token = await store.refreshToken(account.id);
      if (token && !(await shared.refreshToken(account.id))) await shared.setRefreshToken(account.id, token);
    }
  }

  return {
    sync: () => sync(false),
    put: (account) => shared.put(account),
    limit: (accountId, model, limit) => shared.limit(accountId, model, limit),
    remove: (accountId) => shared.remove(accountId),
    async refreshToken(accountId) {
      return (await shared.refreshToken(accountId)) ?? (await store.refreshToken(accountId));
    },
    async setRefreshToken(accountId, refreshToken) {
      await store.setRefreshToken(accountId, refreshToken);
      await shared.setRefreshToken(accountId, refreshToken).catch((err) => logger.warn('sharing a refresh token failed', { accountId, error: messageOf(err) }));
    },
    close: unsubscribe,
  };
}
