import type { AdminEvent, NextPick, PoolAccountIssue, PoolModel, PoolOverview } from '../src/core/admin/types';
import { h } from './dom';
import type { Transport } from './transport';
import { countdown } from './view-model';
import { formatNumber, t, tm } from './l10n';

/** Events refresh the overview at most this often. */
const REFRESH_MIN_MS = 2000;
/** Countdowns are redrawn this often. */
const TICK_MS = 5000;

const FAMILY_NAME = { claude: 'Claude', gemini: 'Gemini' } as const;

const percent = (fraction: number) => `${Math.round(fraction * 100)} %`;

/** The first tab: pool-wide quota per model, account states with reasons, today's counts, the next pick, health. */
export class OverviewView {
  readonly element = h('section', { className: 'view pool-overview', attrs: { 'aria-label': t('Overview') } });
  private readonly error = h('p', { className: 'error', attrs: { role: 'alert' } });
  private readonly body = h('div', { className: 'overview-body' });
  private overview: PoolOverview | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private loadedAt = 0;
  private renderedAt = 0;

  constructor(private readonly transport: Transport) {
    this.element.append(this.error, this.body);
  }

  async load(): Promise<void> {
    try {
      this.loadedAt = Date.now();
      this.overview = await this.transport.call('overview', {});
      this.error.textContent = '';
      this.render(Date.now());
    } catch (err) {
      this.error.textContent = err instanceof Error ? err.message : String(err);
    }
  }

  /** Account changes and finished requests change the picture: reload, throttled. */
  handle(event: AdminEvent): void {
    if (event.type !== 'account' && event.type !== 'account-removed' && event.type !== 'request-finished') return;
    if (this.timer) return;
    const wait = Math.max(0, this.loadedAt + REFRESH_MIN_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.load();
    }, wait);
  }

  /** Countdowns follow the clock without a reload, every few seconds; never under the keyboard user's focus. */
  tick(now: number): void {
    if (!this.overview || now - this.renderedAt < TICK_MS || this.element.contains(document.activeElement)) return;
    this.render(now);
  }

  private render(now: number): void {
    this.renderedAt = now;
    const overview = this.overview!;
    const { accounts } = overview;
    const cards = h(
      'div',
      { className: 'overview-cards' },
      this.card(
        t('Requests today'),
        overview.today ? formatNumber(overview.today.requests) : '–',
        overview.today ? t('{0} failed', formatNumber(overview.today.errors)) : t('monitor off'),
      ),
      this.card(t('Accounts usable'), t('{0} of {1}', accounts.usable, accounts.total), accountBreakdown(accounts)),
      ...overview.next.map((pick) =>
        this.card(t('Next {0} account', FAMILY_NAME[pick.family]), pick.email ?? t('none'), nextNote(pick, now), `next-${pick.family}`),
      ),
    );
    this.body.replaceChildren(
      h('p', { className: `health health-${overview.health.level}`, attrs: { 'data-health': overview.health.level }, text: tm(overview.health.message) }),
      cards,
      h('h3', { text: t('Quota left across the pool') }),
      this.modelTable(overview.models, now),
      ...this.issues(accounts, now),
    );
  }

  private card(title: string, value: string, note: string, id?: string): HTMLElement {
    return h(
      'div',
      { className: 'overview-card', attrs: id ? { 'data-card': id } : {} },
      h('div', { className: 'muted', text: title }),
      h('div', { className: 'overview-value', text: value }),
      h('div', { className: 'muted', text: note }),
    );
  }

  private modelTable(models: PoolModel[], now: number): HTMLElement {
    if (models.length === 0) return h('p', { className: 'muted', text: t('No quota known yet: add an account, or refresh its quota.') });
    const rows = models.map((model) => {
      const level = model.usableAccounts === 0 ? 'empty' : model.remainingShare < 0.2 ? 'low' : model.remainingShare < 0.5 ? 'medium' : 'high';
      const meter = h('div', {
        className: `quota-bar level-${level}`,
        attrs: {
          role: 'meter',
          'aria-valuemin': 0,
          'aria-valuemax': 100,
          'aria-valuenow': Math.round(model.remainingShare * 100),
          'aria-label': `${model.model} left`,
        },
      });
      const fill = h('div', { className: 'quota-fill' });
      fill.style.width = `${Math.round(model.remainingShare * 100)}%`;
      meter.append(fill);
      const back =
        model.backAt !== undefined
          ? model.usableAccounts === 0
            ? t('back in {0}', countdown(model.backAt, now))
            : t('{0} more in {1}', model.limitedAccounts, countdown(model.backAt, now))
          : model.nextResetAt !== undefined
            ? t('next reset in {0}', countdown(model.nextResetAt, now))
            : '–';
      return h(
        'tr',
        { attrs: { 'data-model': model.model } },
        h(
          'th',
          { attrs: { scope: 'row' } },
          h('div', { text: model.displayName ?? model.model }),
          model.displayName ? h('div', { className: 'muted', text: model.model }) : null,
        ),
        h(
          'td',
          {},
          meter,
          h('div', {
            className: 'muted',
            text: `${percent(model.remainingShare)} · ${model.accounts === 1 ? t("{0} of {1} account's worth", formatNumber(model.remaining), model.accounts) : t("{0} of {1} accounts' worth", formatNumber(model.remaining), model.accounts)}`,
          }),
        ),
        h('td', { text: `${model.usableAccounts}/${model.accounts}` }),
        h('td', { text: back }),
      );
    });
    return h(
      'div',
      { className: 'table-wrap' },
      h(
        'table',
        { className: 'pool-models', attrs: { 'aria-label': t('Quota left per model across all accounts') } },
        h(
          'thead',
          {},
          h('tr', {}, ...[t('Model'), t('Left'), t('Usable accounts'), t('Comes back')].map((text) => h('th', { text, attrs: { scope: 'col' } }))),
        ),
        h('tbody', {}, ...rows),
      ),
    );
  }

  private issues(accounts: PoolOverview['accounts'], now: number): HTMLElement[] {
    // The data attribute stays English (tests and styles find the section by it); the heading is in the language.
    const sections: Array<[string, PoolAccountIssue[], (issue: PoolAccountIssue) => string, string]> = [
      ['Cooling down', accounts.coolingDown, (issue) => t('{0}, back in {1}', tm(issue.reason), countdown(issue.until ?? now, now)), t('Cooling down')],
      ['Need to sign in again', accounts.needsSignIn, (issue) => tm(issue.reason), t('Need to sign in again')],
      ['Blocked by Google', accounts.forbidden, (issue) => tm(issue.reason), t('Blocked by Google')],
    ];
    return sections
      .filter(([, issues]) => issues.length > 0)
      .map(([title, issues, describe, heading]) =>
        h(
          'div',
          { className: 'overview-issues', attrs: { 'data-issues': title } },
          h('h3', { text: `${heading} (${issues.length})` }),
          h(
            'ul',
            {},
            ...issues.map((issue) =>
              h(
                'li',
                {},
                h('strong', { text: issue.email }),
                ` — ${describe(issue)}`,
                issue.actionUrl ? h('a', { text: t(' (verify)'), attrs: { href: issue.actionUrl, target: '_blank', rel: 'noreferrer' } }) : null,
              ),
            ),
          ),
        ),
      );
  }
}

function accountBreakdown(accounts: PoolOverview['accounts']): string {
  const parts: string[] = [];
  if (accounts.coolingDown.length) parts.push(t('{0} cooling down', accounts.coolingDown.length));
  if (accounts.needsSignIn.length) parts.push(t('{0} need sign-in', accounts.needsSignIn.length));
  if (accounts.forbidden.length) parts.push(t('{0} forbidden', accounts.forbidden.length));
  if (accounts.disabled) parts.push(t('{0} disabled', accounts.disabled));
  return parts.join(' · ') || t('all ready');
}

function nextNote(pick: NextPick, now: number): string {
  if (pick.none) return `${tm(pick.none)}${pick.backAt !== undefined ? t(', back in {0}', countdown(pick.backAt, now)) : ''} (${pick.model})`;
  const left = pick.remainingFraction !== undefined ? t('{0} left', percent(pick.remainingFraction)) : t('quota unknown');
  const reset = pick.resetAt !== undefined && pick.resetAt > now ? t(', resets in {0}', countdown(pick.resetAt, now)) : '';
  return `${pick.model}: ${left}${reset}`;
}
