import type { AccountModelView, AccountRecord, AccountState, AccountView, ModelLimit, Plan } from './types';

/** Whether one account may serve one model now, and if not, why and until when. */
export type Availability = { usable: true; remainingFraction?: number } | { usable: false; reason: UnavailableReason; until?: number; detail?: string };

export type UnavailableReason = 'disabled' | 'needs_reauth' | 'forbidden' | 'unsupported' | 'cooldown' | 'exhausted';

/** Tier ids look like `free-tier`, `g1-pro-tier`, `g1-ultra-tier`. */
export function planOf(tier: string | undefined): Plan {
  if (!tier) return 'free';
  if (/ultra/i.test(tier)) return 'ultra';
  if (/pro/i.test(tier)) return 'pro';
  return 'free';
}

export const planRank: Record<Plan, number> = { ultra: 3, pro: 2, free: 1 };

export function stateOf(account: Readonly<AccountRecord>): AccountState {
  return account.disabled ? 'disabled' : account.status;
}

/** The limit on `model` still in force at `now`, if any. */
export function activeLimit(account: Readonly<AccountRecord>, model: string, now: number): ModelLimit | undefined {
  const limit = account.limits[model];
  return limit && limit.until > now ? limit : undefined;
}

export function availability(account: Readonly<AccountRecord>, model: string, now: number): Availability {
  const state = stateOf(account);
  if (state !== 'active') return { usable: false, reason: state, detail: account.statusReason };
  const limit = activeLimit(account, model, now);
  if (limit) return { usable: false, reason: limit.kind, until: limit.until, detail: limit.reason };
  // Without a quota snapshot (the fetch failed) nothing is known: let the upstream decide.
  if (!account.quota) return { usable: true };
  const info = account.quota.models.find((m) => m.id === model);
  if (!info) return { usable: false, reason: 'unsupported' };
  // A spent quota whose reset time has passed is stale data: the quota is back.
  if (info.remainingFraction <= 0 && info.resetAt !== undefined && info.resetAt > now) {
    return { usable: false, reason: 'exhausted', until: info.resetAt, detail: 'quota spent' };
  }
  return { usable: true, remainingFraction: info.remainingFraction };
}

/** True when some model (or, before any quota is known, any request) could go to this account. */
export function isUsable(account: Readonly<AccountRecord>, now: number): boolean {
  if (stateOf(account) !== 'active') return false;
  if (!account.quota) return true;
  return account.quota.models.some((m) => availability(account, m.id, now).usable);
}

/** Drops limits that ended; true when something changed. */
export function pruneLimits(account: AccountRecord, now: number): boolean {
  let changed = false;
  for (const [model, limit] of Object.entries(account.limits)) {
    if (limit.until <= now) {
      delete account.limits[model];
      changed = true;
    }
  }
  return changed;
}

function modelViews(account: Readonly<AccountRecord>, now: number): AccountModelView[] {
  const views = new Map<string, AccountModelView>();
  for (const info of account.quota?.models ?? []) {
    const view: AccountModelView = { id: info.id, remainingFraction: info.remainingFraction };
    if (info.displayName) view.displayName = info.displayName;
    if (info.resetAt !== undefined) view.resetAt = info.resetAt;
    views.set(info.id, view);
  }
  for (const model of Object.keys(account.limits)) {
    const limit = activeLimit(account, model, now);
    if (!limit) continue;
    const view = views.get(model) ?? { id: model };
    view.limit = { ...limit };
    views.set(model, view);
  }
  return [...views.values()].sort((a, b) => a.id.localeCompare(b.id));
}

export function toView(account: Readonly<AccountRecord>, now: number): AccountView {
  const view: AccountView = {
    id: account.id,
    email: account.email,
    plan: planOf(account.tier),
    projectId: account.projectId,
    priority: account.priority,
    state: stateOf(account),
    usable: isUsable(account, now),
    models: modelViews(account, now),
    addedAt: account.addedAt,
  };
  if (account.tier) view.tier = account.tier;
  if (account.statusReason) view.stateReason = account.statusReason;
  if (account.actionUrl) view.actionUrl = account.actionUrl;
  if (account.quota) view.quotaFetchedAt = account.quota.fetchedAt;
  if (account.quotaError) view.quotaError = account.quotaError;
  if (account.lastUsedAt !== undefined) view.lastUsedAt = account.lastUsedAt;
  return view;
}
