import type { ProviderAction } from '../src/core/admin/protocol';
import type { AdminEvent } from '../src/core/admin/types';
import { DEFAULT_BASE_URLS, PROVIDER_KINDS, type ProviderKind, type ProviderStatus, type ProviderView } from '../src/core/providers/types';
import { attemptShowingError, clear, h } from './dom';
import { PRICES_SOURCE_MESSAGE } from '../src/core/providers/prices';
import { formatNumber, plural, t, tm } from './l10n';
import type { Transport } from './transport';
import { clockTime, countdown, formatTokens, formatUsd } from './view-model';

const requestCount = (count: number): string =>
  plural(count, { one: () => t('{0} request', formatNumber(count)), other: () => t('{0} requests', formatNumber(count)) });
const tokenCount = (count: number): string =>
  plural(count, { one: () => t('{0} token', formatTokens(count)), other: () => t('{0} tokens', formatTokens(count)) });

/** A card's use of today: `Today: 1 request · 12 tokens`, each count in its plural form. */
export const todayLine = (requests: number, tokens: number): string => t('Today: {0} · {1}', requestCount(requests), tokenCount(tokens));

const CAP_LABELS = {
  requestsPerMinute: () => t('requests per minute'),
  tokensPerDay: () => t('tokens per day'),
  dailySpendCapUsd: () => t('daily spend'),
} as const;

export function providerKindLabel(kind: ProviderKind): string {
  switch (kind) {
    case 'anthropic':
      return 'Anthropic';
    case 'gemini-api':
      return 'Gemini API';
    case 'openai-compatible':
      return t('OpenAI-compatible');
  }
}

/** The state line of a provider card: `Ready`, `Cooling down until 14:05 (3m): …`, `Key rejected: …`, `Over its daily spend cap: …`. */
export function providerStateLine(status: ProviderStatus | undefined, now: number): string {
  switch (status?.kind) {
    case undefined:
    case 'ok':
      return t('Ready');
    case 'disabled':
      return t('Disabled');
    case 'key_rejected':
      return status.message ? t('Key rejected: {0}', status.message) : t('Key rejected');
    case 'cooling_down':
      return t('Cooling down until {0} ({1}): {2}', clockTime(status.until), countdown(status.until, now), status.reason);
    case 'capped':
      return t('Over its {0} cap: {1}', CAP_LABELS[status.cap](), status.detail ? tm(status.detail) : status.message);
  }
}

/** Today's spend against the daily cap, and how it splits by kind of token. */
export function spendLines(provider: ProviderView): { total: string; split?: string; fraction?: number } {
  const today = provider.today;
  const cap = provider.limits.dailySpendCapUsd;
  const spent = today?.spendUsd ?? 0;
  const total = cap === undefined ? t('Spend today: {0} (no daily cap)', formatUsd(spent)) : t('Spend today: {0} of {1}', formatUsd(spent), formatUsd(cap));
  const split =
    today?.spend && spent > 0
      ? t(
          'input {0} · cached input {1} · cache write {2} · output {3}',
          formatUsd(today.spend.uncachedInputUsd),
          formatUsd(today.spend.cachedInputUsd),
          formatUsd(today.spend.cacheWriteUsd),
          formatUsd(today.spend.outputUsd),
        )
      : undefined;
  return { total, split, fraction: cap === undefined || cap <= 0 ? undefined : Math.min(1, spent / cap) };
}

/** The API-key providers beside the account cards: state, models, use and spend of today, actions, and the add form. */
export class ProvidersView {
  readonly element = h('section', { className: 'providers', attrs: { 'aria-label': t('API key providers') } });
  private readonly list = h('ul', { className: 'provider-list', attrs: { 'aria-label': t('API key providers') } });
  private readonly error = h('p', { className: 'error', attrs: { role: 'alert' } });
  private providers: ProviderView[] = [];
  private reloading: Promise<void> | undefined;
  private reloadAgain = false;

  constructor(
    private readonly transport: Transport,
    private readonly say: (message: string) => void,
  ) {
    this.element.append(h('h2', { text: t('API key providers') }), this.addForm(), this.error, this.list);
  }

  async load(): Promise<void> {
    this.show(await this.transport.call('providers', {}));
  }

  handle(event: AdminEvent): void {
    if (event.type === 'provider') {
      const at = this.providers.findIndex((provider) => provider.id === event.provider.id);
      const next = [...this.providers];
      if (at >= 0) next[at] = event.provider;
      else next.push(event.provider);
      this.show(next.sort((a, b) => a.priority - b.priority));
    } else if (event.type === 'provider-removed') {
      this.show(this.providers.filter((provider) => provider.id !== event.id));
    } else if (event.type === 'request-finished' && event.record.accountId?.startsWith('provider:')) {
      // A request through a provider changed its use and spend of today: one reload at a time, one more after a burst.
      this.reloadSoon();
    }
  }

  tick(now: number): void {
    for (const element of Array.from(this.list.querySelectorAll<HTMLElement>('[data-provider]'))) {
      const provider = this.providers.find((candidate) => candidate.id === element.dataset.provider);
      if (provider?.status?.kind === 'cooling_down') element.querySelector('.state-line')!.textContent = providerStateLine(provider.status, now);
    }
  }

  private reloadSoon(): void {
    if (this.reloading) {
      this.reloadAgain = true;
      return;
    }
    this.reloading = this.load()
      .catch(() => undefined)
      .finally(() => {
        this.reloading = undefined;
        if (this.reloadAgain) {
          this.reloadAgain = false;
          this.reloadSoon();
        }
      });
  }

  private show(providers: ProviderView[]): void {
    this.providers = providers;
    clear(this.list);
    const now = Date.now();
    for (const provider of providers) this.list.append(this.card(provider, now));
    if (providers.length === 0) this.list.append(h('li', { className: 'empty', text: t('No API key providers: add one with the form above.') }));
  }

  private card(provider: ProviderView, now: number): HTMLElement {
    const button = (label: string, onClick: () => void) => h('button', { text: label, attrs: { type: 'button' }, on: { click: onClick } });
    const run = (action: ProviderAction, done: string) => () => void this.act(provider, action, done);
    const spend = spendLines(provider);
    const meter =
      spend.fraction === undefined
        ? null
        : h('div', {
            className: `quota-bar level-${spend.fraction >= 1 ? 'empty' : spend.fraction >= 0.8 ? 'medium' : 'high'}`,
            attrs: {
              role: 'meter',
              'aria-label': t('Spend of {0} against its daily cap', provider.name),
              'aria-valuemin': 0,
              'aria-valuemax': 100,
              'aria-valuenow': Math.round(spend.fraction * 100),
            },
          });
    if (meter) {
      const fill = h('div', { className: 'quota-fill' });
      fill.style.width = `${Math.round(spend.fraction! * 100)}%`;
      meter.append(fill);
    }
    const removeButton = button(t('Remove'), () => {
      // Two steps instead of confirm(), which webviews do not show.
      if (removeButton.dataset.armed) return void this.act(provider, 'remove', t('Removed {0}', provider.name));
      removeButton.dataset.armed = 'true';
      removeButton.textContent = t('Confirm remove');
      setTimeout(() => {
        delete removeButton.dataset.armed;
        removeButton.textContent = t('Remove');
      }, 5000);
    });
    removeButton.classList.add('danger');
    const usable = provider.status === undefined || provider.status.kind === 'ok';
    const today = provider.today;
    return h(
      'li',
      {
        className: `account-card provider-card${provider.enabled ? '' : ' state-disabled'}${usable || !provider.enabled ? '' : ' unusable'}`,
        attrs: { 'data-provider': provider.id, 'aria-label': t('Provider {0}', provider.name) },
      },
      h(
        'header',
        { className: 'card-header' },
        h('h3', { className: 'provider-name', text: provider.name }),
        h('span', { className: 'badge', text: providerKindLabel(provider.kind) }),
        h('span', { className: 'badge', text: provider.enabled ? t('Enabled') : t('Disabled') }),
      ),
      h('p', { className: 'muted base-url', text: provider.baseUrl }),
      h('p', { className: 'state-line', text: providerStateLine(provider.enabled ? provider.status : { kind: 'disabled' }, now) }),
      h('p', { className: 'provider-models', text: t('Models: {0}', provider.models.join(', ')) }),
      h('p', {
        className: 'provider-today',
        text: todayLine(today?.requests ?? 0, today?.tokens ?? 0),
      }),
      h('p', { className: 'provider-spend', text: spend.total }),
      meter,
      spend.split ? h('p', { className: 'muted provider-spend-split', text: spend.split }) : null,
      h('p', { className: 'muted', text: t('Priority {0} · key …{1}', provider.priority, provider.keyHint) }),
      Object.values(provider.effectivePrices).some((price) => price.source === 'default')
        ? h('p', { className: 'muted provider-prices-source', text: t('Default prices: {0}.', tm(PRICES_SOURCE_MESSAGE)) })
        : null,
      h(
        'div',
        { className: 'actions', attrs: { role: 'group', 'aria-label': t('Actions for {0}', provider.name) } },
        provider.enabled
          ? button(t('Disable'), run('disable', t('{0} disabled', provider.name)))
          : button(t('Enable'), run('enable', t('{0} enabled', provider.name))),
        removeButton,
      ),
    );
  }

  private async act(provider: ProviderView, action: ProviderAction, done: string): Promise<void> {
    await this.attempt(async () => {
      this.show(await this.transport.call('providerAction', { id: provider.id, action }));
      this.say(done);
    });
  }

  private attempt(work: () => Promise<void>): Promise<void> {
    return attemptShowingError(this.error, work);
  }

  private addForm(): HTMLElement {
    const field = (id: string, label: string, control: HTMLElement) =>
      h('div', { className: 'field' }, h('label', { text: label, attrs: { for: id } }), control);
    const kind = h(
      'select',
      { attrs: { id: 'provider-kind' } },
      ...PROVIDER_KINDS.map((value) => h('option', { text: providerKindLabel(value), attrs: { value } })),
    );
    const name = h('input', { attrs: { id: 'provider-name', type: 'text', autocomplete: 'off', spellcheck: 'false', required: true } });
    const baseUrl = h('input', { attrs: { id: 'provider-base-url', type: 'url', autocomplete: 'off', spellcheck: 'false' } });
    const key = h('input', { attrs: { id: 'provider-key', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true } });
    const models = h('input', {
      attrs: { id: 'provider-models', type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: t('from its models endpoint') },
    });
    const placeholder = () => {
      const url = DEFAULT_BASE_URLS[kind.value as ProviderKind];
      baseUrl.placeholder = url ?? 'https://api.openai.com/v1';
      baseUrl.required = url === undefined;
    };
    kind.addEventListener('change', placeholder);
    placeholder();
    return h(
      'form',
      {
        className: 'add-account add-provider',
        attrs: { 'aria-label': t('Add an API key provider') },
        on: {
          submit: (event) => {
            event.preventDefault();
            const listed = models.value
              .split(/[\s,]+/)
              .map((model) => model.trim())
              .filter(Boolean);
            void this.attempt(async () => {
              const added = await this.transport.call('addProvider', {
                kind: kind.value as ProviderKind,
                name: name.value.trim(),
                key: key.value.trim(),
                ...(baseUrl.value.trim() ? { baseUrl: baseUrl.value.trim() } : {}),
                ...(listed.length > 0 ? { models: listed } : {}),
              });
              name.value = key.value = baseUrl.value = models.value = '';
              await this.load();
              const count = added.models.length;
              this.say(
                plural(count, {
                  one: () => t('Added provider {0} ({1} model)', added.name, count),
                  other: () => t('Added provider {0} ({1} models)', added.name, count),
                }),
              );
            });
          },
        },
      },
      field('provider-kind', t('Kind'), kind),
      field('provider-name', t('Name'), name),
      field('provider-base-url', t('Base URL'), baseUrl),
      field('provider-key', t('API key'), key),
      field('provider-models', t('Models (optional)'), models),
      h('button', { text: t('Add provider'), attrs: { type: 'submit' } }),
    );
  }
}
