import type { AccountAction } from '../src/core/admin/protocol';
import type { AdminAccount, AdminEvent } from '../src/core/admin/types';
import { attemptShowingError, clear, h } from './dom';
import { ProvidersView } from './providers-view';
import type { Transport } from './transport';
import { accountStateLine, ago, moveItem, quotaBar } from './view-model';
import { t } from './l10n';

/** Account cards: quota bars with reset countdowns, actions, reorder by drag or by the move buttons, add account. */
export class AccountsView {
  readonly element = h('section', { className: 'view accounts', attrs: { 'aria-label': t('Accounts') } });
  private readonly list = h('ol', { className: 'account-list', attrs: { 'aria-label': t('Accounts in the order they are used') } });
  private readonly error = h('p', { className: 'error', attrs: { role: 'alert' } });
  private accounts: AdminAccount[] = [];
  private dragged: string | undefined;
  /** The API-key providers, beside the accounts in the same pool. */
  private readonly providers: ProvidersView;

  constructor(
    private readonly transport: Transport,
    private readonly say: (message: string) => void,
  ) {
    this.providers = new ProvidersView(transport, say);
    this.element.append(this.addForm(), this.error, this.list, this.providers.element);
  }

  async load(): Promise<void> {
    await Promise.all([this.transport.call('accounts', {}).then((accounts) => this.show(accounts)), this.providers.load()]);
  }

  handle(event: AdminEvent): void {
    this.providers.handle(event);
    if (event.type === 'account') {
      const at = this.accounts.findIndex((account) => account.id === event.account.id);
      const next = [...this.accounts];
      if (at >= 0) next[at] = event.account;
      else next.push(event.account);
      this.show(next.sort((a, b) => a.priority - b.priority));
    } else if (event.type === 'account-removed') {
      this.show(this.accounts.filter((account) => account.id !== event.id));
    }
  }

  /** Rewrites the countdowns in place (every second), without re-rendering the cards. */
  tick(now: number): void {
    this.providers.tick(now);
    for (const element of Array.from(this.list.querySelectorAll<HTMLElement>('[data-account]'))) {
      const account = this.accounts.find((candidate) => candidate.id === element.dataset.account);
      if (!account) continue;
      element.querySelector('.state-line')!.textContent = accountStateLine(account, now);
      element.querySelectorAll<HTMLElement>('[data-model]').forEach((row) => {
        const quota = account.models.find((model) => model.model === row.dataset.model);
        if (quota) row.querySelector('.quota-note')!.textContent = quotaBar(quota, now).note;
      });
    }
  }

  private show(accounts: AdminAccount[]): void {
    const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.focusKey : undefined;
    this.accounts = accounts;
    clear(this.list);
    const now = Date.now();
    accounts.forEach((account, index) => this.list.append(this.card(account, index, now)));
    if (accounts.length === 0) this.list.append(h('li', { className: 'empty', text: t('No accounts yet: add one above.') }));
    // Re-rendering must not drop the keyboard user's place (a move keeps focus on the moved card's button).
    if (focused) this.restoreFocus(focused);
  }

  /** Back to the same button; a move button that became disabled (the card reached an end) hands over to its twin. */
  private restoreFocus(key: string): void {
    const find = (candidate: string) => this.list.querySelector<HTMLButtonElement>(`[data-focus-key="${CSS.escape(candidate)}"]`);
    let target = find(key);
    if (target?.disabled) target = find(key.replace(/:(up|down)$/, (_, which: string) => (which === 'up' ? ':down' : ':up')));
    target?.focus();
  }

  private card(account: AdminAccount, index: number, now: number): HTMLElement {
    const button = (label: string, key: string, onClick: () => void, attrs: Record<string, string | boolean> = {}) =>
      h('button', { text: label, attrs: { type: 'button', 'data-focus-key': `${account.id}:${key}`, ...attrs }, on: { click: onClick } });
    const run = (action: AccountAction, done: string) => () => void this.act(account, action, done);
    const models = account.models.map((quota) => {
      const bar = quotaBar(quota, now);
      const meter = h('div', {
        className: `quota-bar level-${bar.level}`,
        attrs: {
          role: 'meter',
          'aria-label': t('{0} quota left', bar.label),
          'aria-valuemin': 0,
          'aria-valuemax': 100,
          'aria-valuenow': bar.percent,
          'aria-valuetext': bar.percent === undefined ? t('unknown') : `${bar.percent}%`,
        },
      });
      const fill = h('div', { className: 'quota-fill' });
      fill.style.width = `${bar.percent ?? 0}%`;
      meter.append(fill);
      return h(
        'li',
        { className: 'quota-row', attrs: { 'data-model': quota.model } },
        h('span', { className: 'quota-model', text: bar.label }),
        meter,
        h('span', { className: 'quota-percent', text: bar.percent === undefined ? '?' : `${bar.percent}%` }),
        h('span', { className: 'quota-note', text: bar.note }),
      );
    });
    const removeButton = button(t('Remove'), 'remove', () => {
      // Two steps instead of confirm(), which webviews do not show.
      if (removeButton.dataset.armed) return void this.act(account, 'remove', t('Removed {0}', account.email));
      removeButton.dataset.armed = 'true';
      removeButton.textContent = t('Confirm remove');
      setTimeout(() => {
        delete removeButton.dataset.armed;
        removeButton.textContent = t('Remove');
      }, 5000);
    });
    removeButton.classList.add('danger');
    const card = h(
      'li',
      {
        className: `account-card state-${account.state}${account.usable ? '' : ' unusable'}`,
        attrs: { 'data-account': account.id, draggable: 'true', 'aria-label': account.email },
        on: {
          dragstart: (event) => {
            this.dragged = account.id;
            event.dataTransfer?.setData('text/plain', account.id);
          },
          dragover: (event) => event.preventDefault(),
          drop: (event) => {
            event.preventDefault();
            const from = this.accounts.findIndex((candidate) => candidate.id === this.dragged);
            if (from >= 0) void this.move(from, index);
          },
        },
      },
      h(
        'header',
        { className: 'card-header' },
        h('span', { className: 'drag-handle', text: '⋮⋮', attrs: { 'aria-hidden': 'true', title: t('Drag to reorder') } }),
        h('h3', { className: 'email', text: account.email }),
        h('span', { className: `badge plan-${account.plan}`, text: account.tier ? `${account.plan} · ${account.tier}` : account.plan }),
      ),
      h('p', { className: 'state-line', text: accountStateLine(account, now) }),
      account.actionUrl ? h('a', { text: t('Verify the account'), attrs: { href: account.actionUrl, target: '_blank', rel: 'noreferrer' } }) : null,
      account.quotaError ? h('p', { className: 'error', text: t('Quota: {0}', account.quotaError) }) : null,
      h('ul', { className: 'quota-list', attrs: { 'aria-label': t('Quota of {0}', account.email) } }, ...models),
      h('p', { className: 'muted', text: t('Last used {0} · priority {1}', ago(account.lastUsedAt, now), index + 1) }),
      h(
        'div',
        { className: 'actions', attrs: { role: 'group', 'aria-label': t('Actions for {0}', account.email) } },
        button('↑', 'up', () => void this.move(index, index - 1), { 'aria-label': t('Move {0} up', account.email), disabled: index === 0 }),
        button('↓', 'down', () => void this.move(index, index + 1), {
          'aria-label': t('Move {0} down', account.email),
          disabled: index === this.accounts.length - 1,
        }),
        button(t('Refresh quota'), 'refresh', run('refreshQuota', t('Quota of {0} refreshed', account.email))),
        account.state === 'disabled'
          ? button(t('Enable'), 'toggle', run('enable', t('{0} enabled', account.email)))
          : button(t('Disable'), 'toggle', run('disable', t('{0} disabled', account.email))),
        button(t('Re-authenticate'), 'reauth', () => void this.reauthenticate(account)),
        ...(this.transport.switchIdeAccount
          ? [
              button(t('Use in Antigravity IDE'), 'ide', () => void this.attempt(() => this.transport.switchIdeAccount!(account.id)), {
                title: t('Sign the Antigravity IDE into {0} (Agate asks before it closes the IDE, keeps a backup, and can undo)', account.email),
              }),
            ]
          : []),
        removeButton,
      ),
    );
    return card;
  }

  private async act(account: AdminAccount, action: AccountAction, done: string): Promise<void> {
    await this.attempt(async () => {
      this.show(await this.transport.call('accountAction', { id: account.id, action }));
      this.say(done);
    });
  }

  private async move(from: number, to: number): Promise<void> {
    const ids = moveItem(
      this.accounts.map((account) => account.id),
      from,
      to,
    );
    await this.attempt(async () => {
      this.show(await this.transport.call('reorderAccounts', { ids }));
      const moved = this.accounts.find((account) => account.id === ids[Math.max(0, Math.min(ids.length - 1, to))]);
      if (moved) this.say(t('{0} is now number {1}', moved.email, this.accounts.indexOf(moved) + 1));
    });
  }

  private async reauthenticate(account: AdminAccount): Promise<void> {
    await this.attempt(async () => {
      await this.transport.call('reauthenticate', { id: account.id });
      await this.load();
      this.say(t('{0} signed in again', account.email));
    });
  }

  private attempt(work: () => Promise<void>): Promise<void> {
    return attemptShowingError(this.error, work);
  }

  private addForm(): HTMLElement {
    const input = h('input', {
      attrs: { id: 'refresh-token', type: 'password', autocomplete: 'off', spellcheck: 'false', placeholder: '1//…' },
    });
    const form = h(
      'form',
      {
        className: 'add-account',
        attrs: { 'aria-label': t('Add an account') },
        on: {
          submit: (event) => {
            event.preventDefault();
            const refreshToken = input.value.trim();
            if (!refreshToken) return input.focus();
            void this.attempt(async () => {
              const account = await this.transport.call('addAccount', { refreshToken });
              input.value = '';
              await this.load();
              this.say(t('Added {0}', account.email));
            });
          },
        },
      },
      h('button', {
        text: t('Sign in with Google'),
        attrs: { type: 'button' },
        on: { click: () => void this.attempt(() => this.transport.addAccountWithGoogle()) },
      }),
      h('label', { text: t('or a refresh token'), attrs: { for: 'refresh-token' } }),
      input,
      h('button', { text: t('Add account'), attrs: { type: 'submit' } }),
    );
    return form;
  }
}
