import type { RequestFilter } from '../src/core/admin/protocol';
import type { AdminEvent, GatewayInfo } from '../src/core/admin/types';
import { AccountsView } from './accounts-view';
import { announcer, h } from './dom';
import { MonitorView } from './monitor-view';
import { OverviewView } from './overview-view';
import { ProxyView } from './proxy-view';
import { StatsView, type StatsSelection } from './stats-view';
import type { LiveState, Transport } from './transport';
import { currentLanguage, LANGUAGE_STORAGE_KEY, LANGUAGES, parseLanguage, t } from './l10n';
import { usableAccounts } from './view-model';

type TabId = 'overview' | 'accounts' | 'monitor' | 'stats' | 'proxy';

/** What survives hide/show (webview) or reload (browser). */
interface SavedState {
  tab: TabId;
  filter: RequestFilter;
  stats: StatsSelection;
}

const TABS: Array<{ id: TabId; label: string }> = [
  { id: 'overview', label: t('Overview') },
  { id: 'accounts', label: t('Accounts') },
  { id: 'monitor', label: t('Live monitor') },
  { id: 'stats', label: t('Token stats') },
  { id: 'proxy', label: t('API Proxy') },
];
/** Stats follow traffic at most this often while their tab is open. */
const STATS_REFRESH_MS = 5000;

export function startApp(root: HTMLElement, transport: Transport): void {
  const saved = transport.loadState<SavedState>();
  const state: SavedState = {
    tab: saved?.tab ?? 'overview',
    filter: saved?.filter ?? {},
    stats: saved?.stats ?? { range: '24h', groupBy: 'model' },
  };
  const save = () => transport.saveState(state);
  const live = announcer();
  const accounts = new AccountsView(transport, live.say);
  const monitor = new MonitorView(transport, state.filter, (filter) => ((state.filter = filter), save()));
  const stats = new StatsView(transport, state.stats, (selection) => ((state.stats = selection), save()));
  const proxy = new ProxyView(transport, live.say);
  const overview = new OverviewView(transport);
  const views: Record<TabId, { element: HTMLElement }> = { overview, accounts, monitor, stats, proxy };

  const gatewayLine = h('p', { className: 'gateway-line', attrs: { 'aria-live': 'polite' } });
  const liveBadge = h('span', { className: 'live-badge', text: liveStateLabel('connecting') });
  const showGateway = (info: GatewayInfo) => {
    const where = info.running ? info.url : t('stopped');
    gatewayLine.textContent = t(
      'Agate {0} · {1} · auth {2} · {3} · {4}',
      info.version,
      where ?? '',
      info.authMode,
      info.schedulingMode,
      usableAccounts(info.accounts.usable, info.accounts.total),
    );
    monitor.gatewayChanged(info);
  };

  const tabButtons = TABS.map((tab) =>
    h('button', {
      text: tab.label,
      attrs: { id: `tab-${tab.id}`, role: 'tab', type: 'button', 'aria-controls': `panel-${tab.id}` },
      on: {
        click: () => select(tab.id),
        keydown: (event) => {
          // Arrow keys move between tabs (WAI-ARIA tabs pattern).
          const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
          if (!step) return;
          const next = TABS[(TABS.findIndex((candidate) => candidate.id === tab.id) + step + TABS.length) % TABS.length];
          select(next.id);
          document.getElementById(`tab-${next.id}`)?.focus();
        },
      },
    }),
  );
  const panels = TABS.map((tab) =>
    h('div', { attrs: { id: `panel-${tab.id}`, role: 'tabpanel', 'aria-labelledby': `tab-${tab.id}`, tabindex: 0 } }, views[tab.id].element),
  );

  let statsTimer: ReturnType<typeof setTimeout> | undefined;
  function select(tab: TabId): void {
    state.tab = tab;
    save();
    TABS.forEach((candidate, index) => {
      const selected = candidate.id === tab;
      tabButtons[index].setAttribute('aria-selected', String(selected));
      tabButtons[index].tabIndex = selected ? 0 : -1;
      panels[index].hidden = !selected;
    });
    if (tab === 'overview') void overview.load();
    if (tab === 'stats') void stats.load();
    if (tab === 'proxy') void proxy.load();
  }

  root.replaceChildren(
    h('header', { className: 'top' }, h('h1', { text: 'Agate' }), gatewayLine, liveBadge, transport.kind === 'vscode' ? null : languageSwitch()),
    h('nav', { className: 'tabs', attrs: { role: 'tablist', 'aria-label': t('Dashboard sections') } }, ...tabButtons),
    ...panels,
    live.element,
  );
  select(state.tab);

  transport.onLiveState((liveState: LiveState) => {
    liveBadge.textContent = liveStateLabel(liveState);
    liveBadge.className = `live-badge ${liveState}`;
    // After a reconnect, whatever happened meanwhile is in the lists, not in the stream.
    if (liveState === 'live') void Promise.all([accounts.load(), monitor.load()]).catch(() => undefined);
  });
  transport.onEvent((event: AdminEvent) => {
    if (event.type === 'gateway') {
      showGateway(event.gateway);
      proxy.gatewayChanged(event.gateway);
    }
    accounts.handle(event);
    monitor.handle(event);
    if (state.tab === 'overview') overview.handle(event);
    if (event.type === 'request-finished' && state.tab === 'stats') {
      statsTimer ??= setTimeout(() => {
        statsTimer = undefined;
        void stats.load();
      }, STATS_REFRESH_MS);
    }
  });
  const refreshGateway = () => transport.call('gateway', {}).then(showGateway, () => undefined);
  void refreshGateway();
  void accounts.load().catch(() => undefined);
  void monitor.load();
  setInterval(() => {
    accounts.tick(Date.now());
    if (state.tab === 'overview') overview.tick(Date.now());
  }, 1000);
  // Pool counts change without an event of their own (a limit ends); the header follows every half minute.
  setInterval(() => void refreshGateway(), 30_000);
}

function liveStateLabel(state: LiveState): string {
  switch (state) {
    case 'connecting':
      return t('connecting');
    case 'live':
      return t('live');
    case 'offline':
      return t('offline');
  }
}

/**
 * The browser's language picker: the choice is remembered (localStorage) and the page reloads in it; the tab,
 * filters and stats range survive the reload (saved state). The webview has none: it speaks the editor's language.
 */
function languageSwitch(): HTMLElement {
  const picker = h(
    'select',
    {
      className: 'language-switch',
      attrs: { 'aria-label': t('Language'), 'data-language-switch': '' },
      on: {
        change: () => {
          const language = parseLanguage(picker.value);
          if (!language || language === currentLanguage()) return;
          try {
            localStorage.setItem(LANGUAGE_STORAGE_KEY, language);
          } catch {
            // Storage refused: the page still switches, for this load.
          }
          location.reload();
        },
      },
    },
    ...LANGUAGES.map((language) =>
      h('option', { text: language.name, attrs: { value: language.id, lang: language.locale, selected: language.id === currentLanguage() } }),
    ),
  ) as HTMLSelectElement;
  return picker;
}
