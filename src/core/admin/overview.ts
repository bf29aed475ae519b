import { activeLimit, availability, stateOf } from '../accounts/account-state';
import type { AccountRecord } from '../accounts/types';
import type { SchedulingMode } from '../config/types';
import { coreMessage, englishOf, textMessage, type CoreMessage } from '../messages';
import { createAccountSelector } from '../scheduler/selector';

/**
 * The dashboard's first answer: how much of each model is left across the
 * whole pool and when it comes back, which accounts can serve, what the
 * scheduler would pick next, and one line on the gateway's health.
 */

export type ModelFamily = 'claude' | 'gemini' | 'other';

export interface PoolModel {
  model: string;
  displayName?: string;
  family: ModelFamily;
  /** Accounts that list the model. */
  accounts: number;
  /** Of those, the ones that could take a request for it now. */
  usableAccounts: number;
  /** Sum of the remaining fractions over the accounts that list it: 2.5 = two and a half accounts' worth. */
  remaining: number;
  /** The same as a share of the pool's total for this model (0…1). */
  remainingShare: number;
  /** Accounts cooling down or out of quota for it, and the earliest time one of them comes back. */
  limitedAccounts: number;
  backAt?: number;
  /** The earliest quota reset among the accounts that have used some of it. */
  nextResetAt?: number;
}

export interface PoolAccountIssue {
  email: string;
  /** Worded by the host (the account's recorded reason, when it has one, as it is). */
  reason: CoreMessage;
  /** For a cooldown or spent quota: when the account is usable again. */
  until?: number;
  actionUrl?: string;
}

export interface NextPick {
  family: 'claude' | 'gemini';
  /** The model the pick was made for: the family's most widely offered one. */
  model: string;
  email?: string;
  remainingFraction?: number;
  resetAt?: number;
  /** Set when no account can take the family now. */
  none?: CoreMessage;
  /** When no account can take it now: the earliest comeback. */
  backAt?: number;
}

export interface PoolOverview {
  generatedAt: number;
  models: PoolModel[];
  accounts: {
    total: number;
    usable: number;
    /** Every model of the account limited for now (cooldown or spent quota). */
    coolingDown: PoolAccountIssue[];
    needsSignIn: PoolAccountIssue[];
    forbidden: PoolAccountIssue[];
    disabled: number;
  };
  /** Since local midnight; absent when the request monitor is off. */
  today?: { requests: number; errors: number };
  next: NextPick[];
  /** `message` is for the user (the host words it); `verdict` is its English, for logs and API readers. */
  health: { level: 'ok' | 'degraded' | 'down'; verdict: string; message: CoreMessage };
}

export const familyOf = (model: string): ModelFamily => (model.startsWith('claude') ? 'claude' : model.startsWith('gemini') ? 'gemini' : 'other');

type Account = Readonly<AccountRecord>;

function poolModels(accounts: readonly Account[], now: number): PoolModel[] {
  const byModel = new Map<string, PoolModel & { capacity: number }>();
  for (const account of accounts) {
    if (stateOf(account) === 'disabled') continue;
    for (const info of account.quota?.models ?? []) {
      let entry = byModel.get(info.id);
      if (!entry) {
        entry = { model: info.id, family: familyOf(info.id), accounts: 0, usableAccounts: 0, limitedAccounts: 0, remaining: 0, remainingShare: 0, capacity: 0 };
        if (info.displayName) entry.displayName = info.displayName;
        byModel.set(info.id, entry);
      }
      entry.accounts++;
      entry.capacity++;
      const state = availability(account, info.id, now);
      // A spent quota whose reset has passed is back in full; a limited account counts for nothing until then.
      const fraction = info.resetAt !== undefined && info.resetAt <= now ? 1 : info.remainingFraction;
      if (state.usable) {
        entry.usableAccounts++;
        entry.remaining += Math.max(0, Math.min(1, fraction));
      } else if (state.until !== undefined) {
        entry.limitedAccounts++;
        entry.backAt = Math.min(entry.backAt ?? Infinity, state.until);
      }
      if (info.resetAt !== undefined && info.resetAt > now && fraction < 1) {
        entry.nextResetAt = Math.min(entry.nextResetAt ?? Infinity, info.resetAt);
      }
    }
  }
  return [...byModel.values()]
    .map(({ capacity, ...model }): PoolModel => ({
      ...model,
      remaining: Math.round(model.remaining * 100) / 100,
      remainingShare: capacity ? model.remaining / capacity : 0,
    }))
    .sort((a, b) => a.family.localeCompare(b.family) || a.model.localeCompare(b.model));
}

/** Accounts whose every listed model is limited right now, with the soonest comeback. */
function coolingDown(account: Account, now: number): PoolAccountIssue | undefined {
  const models = account.quota?.models ?? [];
  if (models.length === 0) return undefined;
  let until = Infinity;
  let reason: CoreMessage = coreMessage('overview.reason.rateLimited');
  for (const info of models) {
    const state = availability(account, info.id, now);
    if (state.usable) return undefined;
    if (state.until === undefined) continue;
    if (state.until < until) {
      until = state.until;
      const limit = activeLimit(account, info.id, now);
      reason = coreMessage(limit?.kind === 'cooldown' ? 'overview.reason.rateLimited' : 'overview.reason.quotaSpent');
    }
  }
  return until < Infinity ? { email: account.email, reason, until } : undefined;
}

/** The family's most widely offered model: the one most requests of that family end on. */
function representativeModel(models: PoolModel[], family: 'claude' | 'gemini'): string | undefined {
  return models
    .filter((model) => model.family === family)
    .sort((a, b) => b.accounts - a.accounts || b.usableAccounts - a.usableAccounts || a.model.localeCompare(b.model))[0]?.model;
}

/** The scheduler's own ranking (tier, the user's order, remaining quota) for a request without a conversation. */
function nextPick(accounts: readonly Account[], models: PoolModel[], family: 'claude' | 'gemini', mode: SchedulingMode, now: number): NextPick | undefined {
  const model = representativeModel(models, family);
  if (!model) return undefined;
  const selection = createAccountSelector({ inFlight: () => 0 }).select(accounts, { model, mode, stickyWaitMs: 0, now });
  if (selection.kind === 'candidates') {
    const account = selection.accounts[0];
    const info = account.quota?.models.find((m) => m.id === model);
    const pick: NextPick = { family, model, email: account.email };
    if (info) pick.remainingFraction = info.remainingFraction;
    if (info?.resetAt !== undefined) pick.resetAt = info.resetAt;
    return pick;
  }
  if (selection.kind === 'limited') return { family, model, none: coreMessage('overview.none.allLimited'), backAt: selection.until };
  return { family, model, none: coreMessage(selection.kind === 'unavailable' ? 'overview.none.noAccount' : 'overview.none.waiting') };
}

export function poolOverview(input: {
  accounts: readonly Account[];
  mode: SchedulingMode;
  now: number;
  today?: { requests: number; errors: number };
  /** Team mode: whether this instance reaches the team's Redis. */
  team?: { connected: boolean };
}): PoolOverview {
  const { accounts, now } = input;
  const models = poolModels(accounts, now);
  const summary: PoolOverview['accounts'] = { total: accounts.length, usable: 0, coolingDown: [], needsSignIn: [], forbidden: [], disabled: 0 };
  for (const account of accounts) {
    const state = stateOf(account);
    if (state === 'disabled') summary.disabled++;
    else if (state === 'needs_reauth')
      summary.needsSignIn.push({
        email: account.email,
        reason: account.statusReason ? textMessage(account.statusReason) : coreMessage('overview.reason.refreshTokenFailed'),
      });
    else if (state === 'forbidden') {
      const issue: PoolAccountIssue = {
        email: account.email,
        reason: account.statusReason ? textMessage(account.statusReason) : coreMessage('overview.reason.blockedByGoogle'),
      };
      if (account.actionUrl) issue.actionUrl = account.actionUrl;
      summary.forbidden.push(issue);
    } else {
      const cooling = coolingDown(account, now);
      if (cooling) summary.coolingDown.push(cooling);
      else summary.usable++;
    }
  }
  const next = (['claude', 'gemini'] as const)
    .map((family) => nextPick(accounts, models, family, input.mode, now))
    .filter((pick): pick is NextPick => pick !== undefined);
  const overview: PoolOverview = { generatedAt: now, models, accounts: summary, next, health: health(summary, next, now, input.today, input.team) };
  if (input.today) overview.today = input.today;
  return overview;
}

const inMinutes = (at: number, now: number): CoreMessage => {
  const minutes = Math.max(1, Math.ceil((at - now) / 60_000));
  return minutes < 120 ? coreMessage('time.inMinutes', { minutes }) : coreMessage('time.inHours', { hours: Math.round(minutes / 60) });
};

const FAMILY_TITLE = { claude: 'Claude', gemini: 'Gemini' } as const;

function health(
  accounts: PoolOverview['accounts'],
  next: NextPick[],
  now: number,
  today?: { requests: number; errors: number },
  team?: { connected: boolean },
): PoolOverview['health'] {
  const verdict = (level: PoolOverview['health']['level'], message: CoreMessage): PoolOverview['health'] => ({ level, verdict: englishOf(message), message });
  if (accounts.total === 0) return verdict('down', coreMessage('overview.down.noAccount'));
  if (accounts.usable === 0) {
    const back = Math.min(...accounts.coolingDown.map((issue) => issue.until ?? Infinity));
    return verdict(
      'down',
      back < Infinity ? coreMessage('overview.down.comesBack', { when: inMinutes(back, now) }) : coreMessage('overview.down.allNeedAttention'),
    );
  }
  const problems: CoreMessage[] = [];
  const blocked = next.filter((pick) => pick.none).map((pick) => FAMILY_TITLE[pick.family]);
  if (blocked.length === 1) problems.push(coreMessage('overview.problem.unavailable', { family: blocked[0] }));
  if (blocked.length > 1) problems.push(coreMessage('overview.problem.unavailableBoth', { first: blocked[0], second: blocked[1] }));
  const attention = accounts.needsSignIn.length + accounts.forbidden.length;
  if (attention > 0) problems.push(coreMessage(attention === 1 ? 'overview.problem.attention.one' : 'overview.problem.attention.many', { count: attention }));
  if (today && today.requests >= 10 && today.errors / today.requests > 0.2) {
    problems.push(coreMessage('overview.problem.failedShare', { percent: Math.round((today.errors / today.requests) * 100) }));
  }
  // Serving goes on, but cooldowns and sign-in problems the other instances learn no longer reach this one.
  if (team && !team.connected) problems.push(coreMessage('overview.problem.teamRedis'));
  const usable = coreMessage(accounts.total === 1 ? 'overview.usable.one' : 'overview.usable.many', { usable: accounts.usable, total: accounts.total });
  if (problems.length === 0) return verdict('ok', coreMessage('overview.healthy', { usable }));
  return verdict('degraded', coreMessage('overview.degraded', { problems, usable }));
}
