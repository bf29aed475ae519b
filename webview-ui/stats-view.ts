import type { Chart, ChartConfiguration } from 'chart.js' with { 'resolution-mode': 'import' };
import type { StatsGroupBy, StatsQueryResult } from '../src/core/admin/types';
import { button, select } from './controls';
import { h } from './dom';
import type { Transport } from './transport';
import {
  bucketLabel,
  firstShownBucket,
  formatTokens,
  formatUsd,
  fromBucket,
  latencyAndErrors,
  overviewOf,
  RANGE_PRESETS,
  rangeOf,
  stackedSeries,
  type StatsMetric,
} from './view-model';
import { formatPercent, t } from './l10n';

/** Chart.js ships as an ES module only: loaded (and its parts registered) when the first chart is drawn. */
let chartClass: Promise<typeof Chart> | undefined;
function loadChart(): Promise<typeof Chart> {
  chartClass ??= import('chart.js').then((module) => {
    const { BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip } = module;
    module.Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);
    return module.Chart;
  });
  return chartClass;
}

/** Series colours that read on light and dark themes. */
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#9c755f'];

export interface StatsSelection {
  range: string;
  groupBy: Exclude<StatsGroupBy, 'none' | 'clientKey'> | 'clientKey';
}

const cssVar = (name: string, fallback: string): string => getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;

/** Token and request charts by model, account or key over time, latency p50/p95 and error rate, CSV export. */
export class StatsView {
  readonly element = h('section', { className: 'view stats', attrs: { 'aria-label': t('Token stats') } });
  private readonly overview = h('dl', { className: 'overview', attrs: { 'aria-label': t('Totals of the range') } });
  private readonly error = h('p', { className: 'error', attrs: { role: 'alert' } });
  private readonly charts = new Map<string, Chart>();
  private readonly canvases = {
    tokens: h('canvas', { attrs: { role: 'img', 'aria-label': t('Tokens over time, stacked') } }),
    requests: h('canvas', { attrs: { role: 'img', 'aria-label': t('Requests over time, stacked') } }),
    latency: h('canvas', { attrs: { role: 'img', 'aria-label': t('Latency p50 and p95 and error rate over time') } }),
  };
  private loading: Promise<void> | undefined;

  constructor(
    private readonly transport: Transport,
    private selection: StatsSelection,
    private readonly selectionChanged: (selection: StatsSelection) => void,
  ) {
    const figure = (title: string, canvas: HTMLCanvasElement) =>
      h('figure', { className: 'chart' }, h('figcaption', { text: title }), h('div', { className: 'chart-box' }, canvas));
    this.element.append(
      this.controls(),
      this.error,
      this.overview,
      h(
        'div',
        { className: 'chart-grid' },
        figure(t('Tokens (in + out + thinking)'), this.canvases.tokens),
        figure(t('Requests'), this.canvases.requests),
        figure(t('Latency and errors'), this.canvases.latency),
      ),
    );
  }

  /** Coalesced: a burst of traffic reloads once. */
  load(): Promise<void> {
    this.loading ??= this.fetchAndDraw().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private controls(): HTMLElement {
    const range = select(
      'stats-range',
      t('Range'),
      RANGE_PRESETS.map((preset) => [preset.id, preset.label] as const),
      this.selection.range,
    );
    const groupBy = select(
      'stats-group',
      t('Stack by'),
      [
        ['model', t('Model')],
        ['account', t('Account')],
        ['clientKey', t('Client key')],
      ],
      this.selection.groupBy,
    );
    const changed = () => {
      this.selection = { range: range.control.value, groupBy: groupBy.control.value as StatsSelection['groupBy'] };
      this.selectionChanged(this.selection);
      void this.load();
    };
    range.control.addEventListener('change', changed);
    groupBy.control.addEventListener('change', changed);
    return h(
      'div',
      { className: 'filters', attrs: { role: 'group', 'aria-label': t('Stats range') } },
      range.field,
      groupBy.field,
      button(t('Refresh'), () => void this.load(), { secondary: true }),
      button(t('Export CSV'), () => void this.exportCsv(), { secondary: true }),
    );
  }

  private async fetchAndDraw(): Promise<void> {
    const range = rangeOf(this.selection.range, Date.now());
    try {
      const [grouped, overall] = await Promise.all([
        this.transport.call('stats', { ...range, groupBy: this.selection.groupBy }),
        this.transport.call('stats', { ...range, groupBy: 'none' }),
      ]);
      const ChartClass = await loadChart();
      this.error.textContent = '';
      // Both queries cover the same buckets: cut them at the same place.
      const start = firstShownBucket(overall);
      this.draw(ChartClass, fromBucket(grouped, start), fromBucket(overall, start));
    } catch (err) {
      this.error.textContent = err instanceof Error ? err.message : String(err);
    }
  }

  private async exportCsv(): Promise<void> {
    const range = rangeOf(this.selection.range, Date.now());
    try {
      const csv = await this.transport.call('statsCsv', range);
      await this.transport.save(`agate-token-stats-${this.selection.range}.csv`, csv);
    } catch (err) {
      this.error.textContent = err instanceof Error ? err.message : String(err);
    }
  }

  private draw(ChartClass: typeof Chart, grouped: StatsQueryResult, overall: StatsQueryResult): void {
    const totals = overviewOf(overall);
    const facts: Array<[string, string]> = [
      [t('Requests'), formatTokens(totals.requests)],
      [t('Errors'), `${formatTokens(totals.errors)} (${formatPercent(totals.errorRate)})`],
      [t('Input tokens'), formatTokens(totals.inputTokens)],
      [t('Cached'), formatTokens(totals.cachedTokens)],
      [t('Output tokens'), formatTokens(totals.outputTokens)],
      [t('Thinking'), formatTokens(totals.thinkingTokens)],
    ];
    // Only API-key providers cost money; the accounts' requests are free.
    if (totals.spendUsd > 0) {
      const { spend } = totals;
      facts.push(
        [t('Spend (API key providers)'), formatUsd(totals.spendUsd)],
        [
          t('Spend by token kind'),
          t(
            'input {0} · cached input {1} · cache write {2} · output {3}',
            formatUsd(spend.uncachedInputUsd),
            formatUsd(spend.cachedInputUsd),
            formatUsd(spend.cacheWriteUsd),
            formatUsd(spend.outputUsd),
          ),
        ],
      );
    }
    this.overview.replaceChildren(...facts.map(([term, value]) => h('div', {}, h('dt', { text: term }), h('dd', { text: value }))));

    const labels = grouped.buckets.map((start) => bucketLabel(start, grouped.granularity));
    const stacked = (metric: StatsMetric): ChartConfiguration<'bar'> => ({
      type: 'bar',
      data: {
        labels,
        datasets: stackedSeries(grouped, metric).map((series, index) => ({
          label: series.label,
          data: series.data,
          backgroundColor: PALETTE[index % PALETTE.length],
          stack: 'all',
        })),
      },
      options: this.options({ stacked: true }),
    });
    const lines = latencyAndErrors(overall);
    const latency: ChartConfiguration<'line'> = {
      type: 'line',
      data: {
        labels: overall.buckets.map((start) => bucketLabel(start, overall.granularity)),
        datasets: [
          { label: t('p50 ms'), data: lines.p50, borderColor: PALETTE[0], backgroundColor: PALETTE[0], yAxisID: 'y', spanGaps: true },
          { label: t('p95 ms'), data: lines.p95, borderColor: PALETTE[1], backgroundColor: PALETTE[1], yAxisID: 'y', spanGaps: true },
          { label: t('error %'), data: lines.errorRate, borderColor: PALETTE[3], backgroundColor: PALETTE[3], yAxisID: 'errors', spanGaps: true },
        ],
      },
      options: {
        ...this.options({ stacked: false }),
        scales: {
          x: this.axis(),
          y: { ...this.axis(), beginAtZero: true, title: { display: true, text: t('ms'), color: cssVar('--vscode-descriptionForeground', '#888') } },
          errors: { ...this.axis(), position: 'right', min: 0, max: 100, grid: { drawOnChartArea: false } },
        },
      },
    };
    const render = (name: string, canvas: HTMLCanvasElement, config: ChartConfiguration) => {
      // Replaced, not updated: another grouping is another set of series.
      this.charts.get(name)?.destroy();
      this.charts.set(name, new ChartClass(canvas, config));
    };
    render('tokens', this.canvases.tokens, stacked('tokens') as ChartConfiguration);
    render('requests', this.canvases.requests, stacked('requests') as ChartConfiguration);
    render('latency', this.canvases.latency, latency as ChartConfiguration);
  }

  private axis() {
    return { ticks: { color: cssVar('--vscode-descriptionForeground', '#888') }, grid: { color: cssVar('--agate-grid', 'rgba(128,128,128,0.2)') } };
  }

  private options({ stacked }: { stacked: boolean }) {
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: false as const,
      interaction: { mode: 'index' as const, intersect: false },
      plugins: { legend: { labels: { color: cssVar('--vscode-foreground', '#ccc') } } },
      scales: { x: { ...this.axis(), stacked }, y: { ...this.axis(), stacked, beginAtZero: true } },
    };
  }
}
