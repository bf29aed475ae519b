import { coreMessage, type CoreMessage } from '../messages';

/**
 * Which pool account the IDE should use: the one whose quota lasts longest
 * for the model families the user works with. The score is what the UI shows
 * next to each account, so it must be explainable in a sentence.
 */

export const MODEL_FAMILIES = ['claude', 'gemini-pro', 'gemini-flash'] as const;
export type ModelFamilyId = (typeof MODEL_FAMILIES)[number];

/** Product names: the same in every language. */
export const FAMILY_TITLES: Record<ModelFamilyId, string> = {
  claude: 'Claude',
  'gemini-pro': 'Gemini Pro',
  'gemini-flash': 'Gemini Flash',
};

export function familyOfModel(model: string): ModelFamilyId | undefined {
  const id = model.toLowerCase();
  if (id.includes('claude')) return 'claude';
  if (!id.includes('gemini') || id.includes('image')) return undefined;
  if (id.includes('flash')) return 'gemini-flash';
  if (id.includes('pro')) return 'gemini-pro';
  return undefined;
}

/** What the score needs of an account (an AdminAccount fits). */
export interface ScorableAccount {
  id: string;
  email: string;
  state: string;
  models: Array<{ model: string; remainingFraction?: number; resetAt?: number; limit?: { until: number } }>;
}

export interface FamilyQuota {
  family: ModelFamilyId;
  /** 0…1 left on the family's best model; undefined: the account offers no model of the family. */
  left?: number;
  /** When that quota resets (epoch ms), if known. */
  resetAt?: number;
  /** The reset time passed since the quota was fetched: counted as full. */
  refilled: boolean;
}

export interface AccountScore {
  accountId: string;
  email: string;
  /** 0–100; meaningful only when `eligible`. */
  score: number;
  /** Mean of the families' quota, 0–100: the tie-breaker. */
  mean: number;
  families: FamilyQuota[];
  eligible: boolean;
  /** Why not eligible, for the host to word. */
  reason?: CoreMessage;
  current: boolean;
}

/** How the score is made, in a few sentences (the English in src/core/messages.ts). */
export const SCORE_EXPLANATION: CoreMessage = coreMessage('ide.score.explanation');

function familyQuota(account: ScorableAccount, family: ModelFamilyId, now: number): FamilyQuota {
  let best: FamilyQuota = { family, refilled: false };
  for (const model of account.models) {
    if (familyOfModel(model.model) !== family || model.remainingFraction === undefined) continue;
    const refilled = model.resetAt !== undefined && model.resetAt <= now && model.remainingFraction < 1;
    let left = refilled ? 1 : Math.max(0, Math.min(1, model.remainingFraction));
    if (model.limit && model.limit.until > now) left = 0;
    if (best.left === undefined || left > best.left) {
      best = { family, left, refilled, ...(model.resetAt !== undefined && !refilled ? { resetAt: model.resetAt } : {}) };
    }
  }
  return best;
}

/**
 * Every account scored, best first. `currentEmail` (the IDE's account now) is
 * marked and not a candidate for "best".
 */
export function scoreAccounts(accounts: readonly ScorableAccount[], families: readonly ModelFamilyId[], now: number, currentEmail?: string): AccountScore[] {
  const chosen = families.length > 0 ? [...new Set(families)] : [...MODEL_FAMILIES];
  const scored = accounts.map((account): AccountScore => {
    const quotas = chosen.map((family) => familyQuota(account, family, now));
    const known = quotas.filter((q) => q.left !== undefined).map((q) => q.left as number);
    const score = known.length === quotas.length && known.length > 0 ? Math.round(Math.min(...known) * 100) : 0;
    const mean = known.length > 0 ? Math.round((known.reduce((a, b) => a + b, 0) / known.length) * 100) : 0;
    const current = currentEmail !== undefined && account.email.toLowerCase() === currentEmail.toLowerCase();
    let reason: CoreMessage | undefined;
    if (account.state !== 'active')
      reason = account.state === 'disabled' ? coreMessage('ide.reason.disabled') : coreMessage('ide.reason.state', { state: account.state });
    else if (account.models.length === 0) reason = coreMessage('ide.reason.noQuotaData');
    else if (known.length < quotas.length) {
      reason = coreMessage('ide.reason.missingFamilies', {
        families: quotas
          .filter((q) => q.left === undefined)
          .map((q) => FAMILY_TITLES[q.family])
          .join(', '),
      });
    } else if (score === 0) reason = coreMessage('ide.reason.familyEmpty');
    return {
      accountId: account.id,
      email: account.email,
      score,
      mean,
      families: quotas,
      eligible: reason === undefined,
      ...(reason ? { reason } : {}),
      current,
    };
  });
  const soonestReset = (s: AccountScore) => Math.min(...s.families.map((f) => f.resetAt ?? Infinity));
  return scored.sort(
    (a, b) =>
      Number(b.eligible) - Number(a.eligible) || b.score - a.score || b.mean - a.mean || soonestReset(a) - soonestReset(b) || a.email.localeCompare(b.email),
  );
}

/** The best candidate other than the IDE's current account. */
export const bestAccount = (scores: readonly AccountScore[]): AccountScore | undefined => scores.find((s) => s.eligible && !s.current);

/** "Claude 80% · Gemini Pro 100% (refilled)": one message per family, which the host words and joins with ` · `. */
export function describeFamilies(score: AccountScore): CoreMessage[] {
  return score.families.map((f) => {
    const family = FAMILY_TITLES[f.family];
    const quota =
      f.left === undefined ? coreMessage('ide.family.unknown', { family }) : coreMessage('ide.family.quota', { family, percent: Math.round(f.left * 100) });
    return f.refilled ? coreMessage('ide.family.refilled', { quota }) : quota;
  });
}

export function parseFamilies(text: string): ModelFamilyId[] {
  const parts = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const unknown = parts.filter((p) => !(MODEL_FAMILIES as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`unknown model famil${unknown.length > 1 ? 'ies' : 'y'} ${unknown.join(', ')}; one of ${MODEL_FAMILIES.join(', ')}`);
  return parts as ModelFamilyId[];
}
