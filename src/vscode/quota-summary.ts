import { l10n } from 'vscode';
import type { AdminAccount, AdminModelQuota } from '../core/admin/types';
import type { PoolQuota } from '../core/server/pool-quota';

/**
 * What the status bar says about quota, from the accounts as the admin API gives them (in this window's core or
 * in the window that owns the gateway), in the editor's display language (`l10n.t`).
 */

/** The quota the status bar shows: the most left on the chosen model across the accounts that can serve. */
export interface QuotaHeadline {
  model: string;
  /** 0..1 */
  fraction: number;
}

/** What is left of one model on one account; an exhausted model has nothing left whatever the last fetch said. */
export function remainingOf(model: AdminModelQuota): number | undefined {
  if (model.limit?.kind === 'exhausted') return 0;
  return model.remainingFraction;
}

const isClaude = (modelId: string) => modelId.startsWith('claude');

/**
 * `preferredModel` (the setting `agate.statusBar.model`) picks one upstream model; empty picks the Claude model
 * with the most left, the family most clients of this gateway use. Accounts that cannot serve (disabled,
 * signed out, forbidden) do not count. Undefined when no account reports quota for such a model.
 */
export function headlineQuota(accounts: readonly AdminAccount[], preferredModel: string): QuotaHeadline | undefined {
  let best: QuotaHeadline | undefined;
  for (const account of accounts) {
    if (account.state !== 'active') continue;
    for (const model of account.models) {
      if (preferredModel ? model.model !== preferredModel : !isClaude(model.model)) continue;
      const fraction = remainingOf(model);
      if (fraction === undefined) continue;
      if (!best || fraction > best.fraction) best = { model: model.model, fraction };
    }
  }
  return best;
}

/** The same choice on a team gateway's pool quota (`GET /v1/agate/quota`: per model, no accounts). */
export function poolHeadline(quota: PoolQuota, preferredModel: string): QuotaHeadline | undefined {
  let best: QuotaHeadline | undefined;
  for (const model of quota.models) {
    if (preferredModel ? model.model !== preferredModel : !isClaude(model.model)) continue;
    if (!best || model.remainingFraction > best.fraction) best = { model: model.model, fraction: model.remainingFraction };
  }
  return best;
}

/** A Markdown table of a team gateway's pool quota: per model, the most left on one account, how many have some, the soonest reset. */
export function poolQuotaTable(quota: PoolQuota, now: number): string {
  if (quota.models.length === 0) return l10n.t('No quota reported yet.');
  const rows = quota.models.map(
    (model) =>
      `| ${escapeMarkdown(model.model)} | ${percent(model.remainingFraction)} | ${model.accountsWithQuota} | ${model.resetAt ? formatResetIn(model.resetAt, now) : ''} |`,
  );
  return [`| ${l10n.t('Model')} | ${l10n.t('Left')} | ${l10n.t('Accounts')} | ${l10n.t('Resets')} |`, '|:--|--:|--:|:--|', ...rows].join('\n');
}

export const percent = (fraction: number): string => `${Math.round(fraction * 100)}%`;

/** `in 3 h 20 min`, `in 12 min`, `now`: reset times as the tooltip shows them. */
export function formatResetIn(resetAt: number, now: number): string {
  const minutes = Math.ceil((resetAt - now) / 60_000);
  if (minutes <= 0) return l10n.t('now');
  if (minutes < 60) return l10n.t('in {0} min', minutes);
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 48) return rest ? l10n.t('in {0} h {1} min', hours, rest) : l10n.t('in {0} h', hours);
  return l10n.t('in {0} days', Math.round(hours / 24));
}

const PLAN_NAMES: Record<AdminAccount['plan'], string> = { ultra: 'Ultra', pro: 'Pro', free: 'Free' };
function stateName(state: AdminAccount['state']): string {
  switch (state) {
    case 'active':
      return l10n.t('active');
    case 'disabled':
      return l10n.t('disabled');
    case 'needs_reauth':
      return l10n.t('needs re-authentication');
    case 'forbidden':
      return l10n.t('blocked by Google');
  }
}

export function describeAccount(account: AdminAccount): string {
  return `${PLAN_NAMES[account.plan]} · ${stateName(account.state)}`;
}

/** Characters of emails, model ids and error messages that Markdown would read as formatting, links or table cells. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`);
}

/** A Markdown table of one account's models: what is left and when it resets. */
export function quotaTable(account: AdminAccount, now: number): string {
  const rows = account.models
    .filter((model) => remainingOf(model) !== undefined || model.limit)
    .map((model) => {
      const left = remainingOf(model);
      const reset = model.limit ? formatResetIn(model.limit.until, now) : model.resetAt ? formatResetIn(model.resetAt, now) : '';
      return `| ${escapeMarkdown(model.model)} | ${left === undefined ? '—' : percent(left)} | ${reset} |`;
    });
  if (rows.length === 0) return account.quotaError ? l10n.t('Quota unavailable: {0}', escapeMarkdown(account.quotaError)) : l10n.t('No quota reported yet.');
  return [`| ${l10n.t('Model')} | ${l10n.t('Left')} | ${l10n.t('Resets')} |`, '|:--|--:|:--|', ...rows].join('\n');
}
