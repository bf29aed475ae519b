import type { AccountView } from '../accounts/types';

/**
 * What a client key may read about the pool's quota (`GET /v1/agate/quota`): per upstream model, the most left
 * on any account that can serve it, how many accounts have some left, and the soonest reset. Nothing that names
 * or tells apart an account (no email, id, project, plan or order): a client key sees the pool as one supply.
 */
export interface PoolQuota {
  object: 'agate.quota';
  /** The same counts `/healthz` gives. */
  accounts: { total: number; usable: number };
  models: PoolModelQuota[];
}

export interface PoolModelQuota {
  model: string;
  /** 0…1: the most left on one active account (what the next request can get); 0 when every one is spent. */
  remainingFraction: number;
  /** Active accounts with some of this model's quota left and no limit in force. */
  accountsWithQuota: number;
  /** Epoch ms of the soonest reset among the active accounts that report one. */
  resetAt?: number;
}

/**
 * The pool's quota per model, for the models `visible` lets the caller see (a client key's allowance). Accounts
 * that cannot serve (disabled, signed out, forbidden) do not count; a model in a limit (cooldown or exhausted)
 * has nothing left on that account until it ends.
 */
export function poolQuotaOf(
  accounts: readonly AccountView[],
  stats: { total: number; usable: number },
  visible: (model: string) => boolean = () => true,
): PoolQuota {
  const byModel = new Map<string, PoolModelQuota>();
  for (const account of accounts) {
    if (account.state !== 'active') continue;
    for (const model of account.models) {
      if (!visible(model.id)) continue;
      const left = model.limit ? 0 : model.remainingFraction;
      if (left === undefined) continue;
      const entry = byModel.get(model.id) ?? { model: model.id, remainingFraction: 0, accountsWithQuota: 0 };
      entry.remainingFraction = Math.max(entry.remainingFraction, left);
      if (left > 0) entry.accountsWithQuota += 1;
      const resetAt = model.limit?.until ?? model.resetAt;
      if (resetAt !== undefined && (entry.resetAt === undefined || resetAt < entry.resetAt)) entry.resetAt = resetAt;
      byModel.set(model.id, entry);
    }
  }
  return {
    object: 'agate.quota',
    accounts: { total: stats.total, usable: stats.usable },
    models: [...byModel.values()].sort((a, b) => a.model.localeCompare(b.model)),
  };
}
