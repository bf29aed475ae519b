import type { RequestFilter } from '../src/core/admin/protocol';
import type { AdminEvent, ClientProtocol, GatewayInfo, RequestRecord } from '../src/core/admin/types';
import { describeNext, describeOutcome, hostLabel } from '../src/core/monitor/attempt-words';
import { maskEmail } from '../src/core/monitor/mask';
import { select, textField } from './controls';
import { clear, h } from './dom';
import type { Transport } from './transport';
import { formatLatency, formatTokens, matchesFilter, mergeRows, requestRow } from './view-model';
import { formatDateTime, t, tm } from './l10n';

const MAX_ROWS = 200;
const PROTOCOLS: ClientProtocol[] = ['anthropic', 'openai-chat', 'openai-responses', 'openai-completions', 'gemini'];
const COLUMNS = [t('Time'), t('Protocol'), t('Model'), t('Account'), t('Status'), t('Latency'), t('Tokens in / out'), t('Attempts')];
/** How often the whole-team view asks for the other instances' latest requests (they come through Redis, not the event stream). */
const PEER_REFRESH_MS = 2_000;

type MonitorScope = 'instance' | 'team';

/** The live request table: filters, rows streaming in, a row opens its attempt trail. */
export class MonitorView {
  readonly element = h('section', { className: 'view monitor', attrs: { 'aria-label': t('Live monitor') } });
  private readonly body = h('tbody');
  private readonly detail = h('aside', { className: 'detail', attrs: { 'aria-label': t('Request details'), 'aria-live': 'polite' } });
  private readonly inFlight = h('p', { className: 'muted' });
  private readonly error = h('p', { className: 'error', attrs: { role: 'alert' } });
  private rows: RequestRecord[] = [];
  private running = new Set<string>();
  private selected: string | undefined;
  private readonly head = h('tr');
  /** Team mode only: this instance's requests, or the whole team's (its own and those followed from the others). */
  private readonly scopeSwitch = h('div', { className: 'scope-switch', attrs: { role: 'group', 'aria-label': t('Requests of'), hidden: true } });
  private scope: MonitorScope = 'instance';
  private team: GatewayInfo['team'];
  private peers: RequestRecord[] = [];
  private peerTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly transport: Transport,
    private filter: RequestFilter,
    private readonly filterChanged: (filter: RequestFilter) => void,
  ) {
    const table = h('table', { className: 'requests', attrs: { 'aria-label': t('Recent requests, newest first') } }, h('thead', {}, this.head), this.body);
    this.renderHead();
    this.element.append(
      this.scopeSwitch,
      this.filters(),
      this.inFlight,
      this.error,
      h('div', { className: 'monitor-layout' }, h('div', { className: 'table-wrap' }, table), this.detail),
    );
  }

  async load(): Promise<void> {
    try {
      const { inFlight, records } = await this.transport.call('requests', { ...this.filter, limit: MAX_ROWS });
      this.running = new Set(inFlight.map((request) => request.id));
      this.rows = records;
      this.error.textContent = '';
      this.render();
    } catch (err) {
      this.error.textContent = err instanceof Error ? err.message : String(err);
    }
  }

  /** Shows the scope switch in team mode only; a gateway that left its team goes back to its own requests. */
  gatewayChanged(info: GatewayInfo): void {
    this.team = info.team;
    if (!this.team) {
      this.scopeSwitch.hidden = true;
      if (this.scope === 'team') this.setScope('instance');
      return;
    }
    this.scopeSwitch.hidden = false;
    this.renderScopeSwitch();
  }

  private setScope(scope: MonitorScope): void {
    this.scope = scope;
    clearInterval(this.peerTimer);
    this.peerTimer = undefined;
    if (scope === 'team') {
      void this.loadPeers();
      this.peerTimer = setInterval(() => void this.loadPeers(), PEER_REFRESH_MS);
    } else {
      this.peers = [];
    }
    this.renderScopeSwitch();
    this.renderHead();
    this.render();
  }

  private async loadPeers(): Promise<void> {
    try {
      this.peers = await this.transport.call('teamRequests', {});
      if (this.scope === 'team') this.render();
    } catch (err) {
      this.error.textContent = err instanceof Error ? err.message : String(err);
    }
  }

  private renderScopeSwitch(): void {
    const option = (scope: MonitorScope, label: string) =>
      h('button', {
        text: label,
        attrs: { type: 'button', 'aria-pressed': this.scope === scope ? 'true' : 'false', 'data-scope': scope },
        on: { click: () => this.setScope(scope) },
      });
    this.scopeSwitch.replaceChildren(
      h('span', { className: 'muted', text: t('Requests of') }),
      option('instance', t('This instance')),
      option('team', t('Whole team')),
    );
  }

  private renderHead(): void {
    const columns = this.scope === 'team' ? [...COLUMNS, t('Instance')] : COLUMNS;
    this.head.replaceChildren(...columns.map((column) => h('th', { text: column, attrs: { scope: 'col' } })));
  }

  /** The rows shown: this instance's, with the others' (as filtered) in the whole-team view. */
  private shown(): RequestRecord[] {
    if (this.scope !== 'team') return this.rows;
    return mergeRows(
      this.rows,
      this.peers.filter((record) => matchesFilter(record, this.filter)),
      MAX_ROWS,
    );
  }

  handle(event: AdminEvent): void {
    if (event.type === 'request-started') {
      this.running.add(event.request.id);
      this.renderInFlight();
    } else if (event.type === 'request-finished') {
      this.running.delete(event.record.id);
      if (matchesFilter(event.record, this.filter)) {
        this.rows = mergeRows(this.rows, [event.record], MAX_ROWS);
        this.render();
      } else {
        this.renderInFlight();
      }
    }
  }

  private filters(): HTMLElement {
    const status = select(
      'filter-status',
      t('Status'),
      [
        ['', t('Any')],
        ['ok', t('Succeeded')],
        ['error', t('Failed')],
        ['429', '429'],
        ['499', t('Cancelled (499)')],
      ],
      this.filter.status === undefined ? '' : String(this.filter.status),
    );
    const protocol = select('filter-protocol', t('Protocol'), [['', t('Any')], ...PROTOCOLS.map((name) => [name, name] as const)], this.filter.protocol ?? '');
    const model = textField('filter-model', t('Model'), this.filter.model ?? '', { type: 'search', placeholder: t('exact model id') });
    const account = textField('filter-account', t('Account'), this.filter.account ?? '', { type: 'search', placeholder: t('email') });
    const apply = () => {
      const next: RequestFilter = {};
      const statusValue = status.control.value;
      if (statusValue === 'ok' || statusValue === 'error') next.status = statusValue;
      else if (statusValue) next.status = Number(statusValue);
      if (protocol.control.value) next.protocol = protocol.control.value as ClientProtocol;
      if (model.control.value.trim()) next.model = model.control.value.trim();
      if (account.control.value.trim()) next.account = account.control.value.trim();
      this.filter = next;
      this.filterChanged(next);
      void this.load();
    };
    for (const control of [status.control, protocol.control, model.control, account.control]) control.addEventListener('change', apply);
    return h(
      'form',
      { className: 'filters', attrs: { role: 'search', 'aria-label': t('Filter requests') }, on: { submit: (event) => (event.preventDefault(), apply()) } },
      status.field,
      protocol.field,
      model.field,
      account.field,
    );
  }

  private renderInFlight(): void {
    this.inFlight.textContent = t('{0} in flight · {1} shown', this.running.size, this.shown().length);
  }

  private render(): void {
    this.renderInFlight();
    clear(this.body);
    const team = this.scope === 'team';
    const rows = this.shown();
    for (const record of rows) {
      const row = requestRow(record);
      const open = () => this.select(record);
      this.body.append(
        h(
          'tr',
          {
            className: `status-${row.statusClass}`,
            attrs: { tabindex: 0, 'data-request': row.id, 'aria-selected': this.selected === row.id ? 'true' : 'false' },
            on: {
              click: open,
              keydown: (event) => {
                if (event.key === 'Enter' || event.key === ' ') {
                  event.preventDefault();
                  open();
                }
              },
            },
          },
          h('td', { text: row.time }),
          h('td', { text: row.protocol }),
          h('td', { text: row.model }),
          // A narrow table breaks an email after its @, not in the middle of a word.
          h('td', {}, ...row.account.split(/(?=@)/).flatMap((part, index) => (index === 0 ? [part] : [h('wbr'), part]))),
          ...[row.status, row.latency, row.tokens, String(row.attempts)].map((text) => h('td', { text })),
          team ? h('td', { text: record.instance ?? t('this instance'), attrs: { 'data-instance': record.instance ?? '' } }) : null,
        ),
      );
    }
    if (rows.length === 0) this.body.append(h('tr', {}, h('td', { text: t('No requests yet.'), attrs: { colspan: COLUMNS.length + (team ? 1 : 0) } })));
  }

  private async select(record: RequestRecord): Promise<void> {
    const { id } = record;
    this.selected = id;
    for (const row of Array.from(this.body.querySelectorAll<HTMLElement>('tr[data-request]'))) {
      row.setAttribute('aria-selected', row.dataset.request === id ? 'true' : 'false');
    }
    try {
      // Another instance's request is known only by the record it published; this instance's, in full.
      this.showDetail(record.instance ? record : await this.transport.call('request', { id }));
    } catch (err) {
      this.detail.replaceChildren(h('p', { className: 'error', text: err instanceof Error ? err.message : String(err) }));
    }
  }

  private showDetail(record: RequestRecord): void {
    const usage = record.usage;
    const facts: Array<[string, string]> = [
      [t('Request'), record.id],
      [t('Started'), formatDateTime(record.startedAt, { dateStyle: 'medium', timeStyle: 'medium' })],
      [t('Endpoint'), record.stream ? t('{0} (stream)', `${record.protocol} ${record.path}`) : `${record.protocol} ${record.path}`],
      [t('Model'), record.upstreamModel ? `${record.clientModel} → ${record.upstreamModel}` : record.clientModel],
      [t('Account'), record.accountEmail ?? '–'],
      [t('Client key'), record.clientKey ?? '–'],
      [t('Status'), String(record.status)],
      [t('Latency'), t('{0} (first byte {1})', formatLatency(record.latencyMs), formatLatency(record.ttfbMs))],
    ];
    if (usage) {
      facts.push([
        t('Tokens'),
        t(
          'in {0} (cached {1}) · out {2} · thinking {3}',
          formatTokens(usage.inputTokens),
          formatTokens(usage.cachedInputTokens),
          formatTokens(usage.outputTokens),
          formatTokens(usage.thinkingTokens),
        ),
      ]);
    }
    if (record.error) facts.push([t('Error'), record.error]);
    // The list numbers the entries; the text does not repeat the number.
    const attempts = record.attempts.map((attempt) =>
      h(
        'li',
        { className: attempt.outcome === 'ok' ? 'attempt ok' : 'attempt failed' },
        h('strong', { text: describeOutcome(attempt) }),
        ` ${maskEmail(attempt.accountEmail)} · ${attempt.model}${attempt.host ? ` · ${hostLabel(attempt.host)}` : ''} · ${formatLatency(attempt.durationMs)}`,
        attempt.message && attempt.message !== attempt.reason ? h('div', { className: 'muted', text: attempt.message }) : null,
        attempt.next ? h('div', { className: 'next', text: `→ ${tm(describeNext(attempt.next))}` }) : null,
      ),
    );
    const noAttempt = record.status >= 400 ? t('Rejected before any upstream call (HTTP {0}).', record.status) : t('No upstream call.');
    this.detail.replaceChildren(
      h('h3', { text: t('Request') }),
      h('dl', {}, ...facts.flatMap(([term, value]) => [h('dt', { text: term }), h('dd', { text: value })])),
      h('h3', { text: attempts.length > 1 ? t('Attempt trail ({0} upstream calls)', attempts.length) : t('Attempt trail') }),
      attempts.length > 0 ? h('ol', { className: 'attempts' }, ...attempts) : h('p', { className: 'muted', text: noAttempt }),
    );
  }
}
