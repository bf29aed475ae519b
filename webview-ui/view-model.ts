/**
 * What the views show, computed from the admin API's data without touching
 * the DOM: formatting, countdowns, filters, chart series. Pure functions, so
 * they are unit-tested in Node (test/unit/dashboard). Words and numbers in the dashboard's language (l10n.ts).
 */
import type { RequestFilter } from '../src/core/admin/protocol';
import type { AdminAccount, AdminModelQuota, RequestRecord, StatsGranularity, StatsQueryResult, StatsTotals } from '../src/core/admin/types';
import { formatDateTime, formatNumber, formatUnit, plural, t } from './l10n';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `resetIn(now + 90 min)` → `1h 30m`; past or now → `now`. */
export function countdown(until: number, now: number): string {
  const left = until - now;
  if (left <= 0) return t('now');
  const two = (big: number, bigUnit: 'day' | 'hour' | 'minute', small: number, smallUnit: 'hour' | 'minute' | 'second') =>
    small > 0 ? `${formatUnit(big, bigUnit)} ${formatUnit(small, smallUnit)}` : formatUnit(big, bigUnit);
  if (left < MINUTE) return formatUnit(Math.ceil(left / SECOND), 'second');
  if (left < HOUR) return two(Math.floor(left / MINUTE), 'minute', Math.floor((left % MINUTE) / SECOND), 'second');
  if (left < DAY) return two(Math.floor(left / HOUR), 'hour', Math.floor((left % HOUR) / MINUTE), 'minute');
  return two(Math.floor(left / DAY), 'day', Math.floor((left % DAY) / HOUR), 'hour');
}

/** `relativeTime(now - 5 min)` → `5m ago`. */
export function ago(time: number | undefined, now: number): string {
  if (time === undefined) return t('never');
  const passed = now - time;
  if (passed < 5 * SECOND) return t('just now');
  return t('{0} ago', countdown(now + passed, now));
}

/** 1234 → `1,234`; 1_234_567 → `1.23M`. */
export function formatTokens(count: number): string {
  // Compact from a million on: `2.35M` in English, `234.57万` in Chinese.
  if (count >= 1_000_000) return formatNumber(count, { notation: 'compact', minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return formatNumber(count);
}

export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1000) return t('{0} ms', formatNumber(Math.round(ms)));
  const digits = ms < 10_000 ? 2 : 1;
  return t('{0} s', formatNumber(ms / 1000, { minimumFractionDigits: digits, maximumFractionDigits: digits }));
}

/** Local `HH:MM:SS` of an epoch time. */
export function clockTime(time: number): string {
  const date = new Date(time);
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
}

export type QuotaLevel = 'high' | 'medium' | 'low' | 'empty' | 'unknown';

export interface QuotaBar {
  model: string;
  label: string;
  /** 0…100, rounded; undefined when the upstream did not say. */
  percent: number | undefined;
  level: QuotaLevel;
  /** `resets in 2h 5m`, `limited: <reason> (3m)` or ''. */
  note: string;
}

export function quotaBar(quota: AdminModelQuota, now: number): QuotaBar {
  const fraction = quota.remainingFraction;
  const percent = fraction === undefined ? undefined : Math.round(Math.min(1, Math.max(0, fraction)) * 100);
  const level: QuotaLevel = percent === undefined ? 'unknown' : percent === 0 ? 'empty' : percent < 20 ? 'low' : percent < 50 ? 'medium' : 'high';
  let note = '';
  if (quota.limit && quota.limit.until > now) note = `${limitKindLabel(quota.limit.kind)}: ${quota.limit.reason} (${countdown(quota.limit.until, now)})`;
  else if (quota.resetAt !== undefined && quota.resetAt > now) note = t('resets in {0}', countdown(quota.resetAt, now));
  return { model: quota.model, label: quota.displayName ?? quota.model, percent, level, note };
}

/** The kind of a model's limit, in words. */
function limitKindLabel(kind: NonNullable<AdminModelQuota['limit']>['kind']): string {
  switch (kind) {
    case 'cooldown':
      return t('cooldown');
    case 'exhausted':
      return t('exhausted');
  }
}

function stateLabel(state: AdminAccount['state']): string {
  switch (state) {
    case 'active':
      return t('Active');
    case 'disabled':
      return t('Disabled');
    case 'needs_reauth':
      return t('Needs sign-in');
    case 'forbidden':
      return t('Forbidden');
  }
}

/** The state line of an account card: `Active`, `Limited until 14:05 (3m)`, `Needs sign-in: token revoked`. */
export function accountStateLine(account: AdminAccount, now: number): string {
  if (account.state === 'active' && account.limitedUntil !== undefined && account.limitedUntil > now) {
    return t('Limited — every model, for {0}', countdown(account.limitedUntil, now));
  }
  const label = stateLabel(account.state);
  return account.stateReason && account.state !== 'active' ? `${label}: ${account.stateReason}` : label;
}

/** The ids with the one at `from` moved to `to` (clamped); the same array when nothing moves. */
export function moveItem<T>(items: readonly T[], from: number, to: number): T[] {
  const target = Math.max(0, Math.min(items.length - 1, to));
  if (from < 0 || from >= items.length || from === target) return [...items];
  const moved = [...items];
  const [item] = moved.splice(from, 1);
  moved.splice(target, 0, item);
  return moved;
}

/** The live table keeps the rows the server's filter would return (src/core/monitor/request-monitor.ts). */
export function matchesFilter(record: RequestRecord, filter: RequestFilter): boolean {
  const { status, model, account, protocol } = filter;
  if (status === 'ok' && record.status >= 400) return false;
  if (status === 'error' && !countsAsError(record.status)) return false;
  if (typeof status === 'number' && record.status !== status) return false;
  if (model && record.clientModel !== model && record.upstreamModel !== model) return false;
  if (account && record.accountEmail !== account && record.accountId !== account) return false;
  if (protocol && record.protocol !== protocol) return false;
  return true;
}

/** A client hanging up (499) is not the gateway's error. */
const countsAsError = (status: number): boolean => status >= 400 && status !== 499;

/** Newest first, at most `limit`, without duplicates (a record can arrive by the list and by the stream). */
export function mergeRows(rows: readonly RequestRecord[], incoming: readonly RequestRecord[], limit: number): RequestRecord[] {
  const seen = new Set<string>();
  const merged: RequestRecord[] = [];
  for (const record of [...incoming, ...rows].sort((a, b) => b.startedAt + b.latencyMs - (a.startedAt + a.latencyMs))) {
    if (seen.has(record.id)) continue;
    seen.add(record.id);
    merged.push(record);
    if (merged.length >= limit) break;
  }
  return merged;
}

export interface RequestRow {
  id: string;
  time: string;
  protocol: string;
  model: string;
  account: string;
  status: string;
  statusClass: 'ok' | 'error' | 'cancelled';
  latency: string;
  tokens: string;
  attempts: number;
}

export function requestRow(record: RequestRecord): RequestRow {
  const model =
    record.upstreamModel && record.upstreamModel !== record.clientModel ? `${record.clientModel} → ${record.upstreamModel}` : record.clientModel || '–';
  const usage = record.usage;
  return {
    id: record.id,
    time: clockTime(record.startedAt),
    protocol: record.stream ? t('{0} (stream)', record.protocol) : record.protocol,
    model,
    account: record.accountEmail ?? '–',
    status: String(record.status),
    statusClass: record.status === 499 ? 'cancelled' : record.status >= 400 ? 'error' : 'ok',
    latency: formatLatency(record.latencyMs),
    tokens: usage ? `${formatTokens(usage.inputTokens)} / ${formatTokens(usage.outputTokens + usage.thinkingTokens)}` : '–',
    attempts: record.attempts.length,
  };
}

export interface RangePreset {
  id: string;
  label: string;
  durationMs: number;
  granularity: StatsGranularity;
}

/** The presets; `label` reads in the dashboard's language when it is read (views are built after the language is set). */
export const RANGE_PRESETS: readonly RangePreset[] = [
  {
    id: '6h',
    durationMs: 6 * HOUR,
    granularity: 'hour',
    get label() {
      return t('Last 6 hours');
    },
  },
  {
    id: '24h',
    durationMs: DAY,
    granularity: 'hour',
    get label() {
      return t('Last 24 hours');
    },
  },
  {
    id: '7d',
    durationMs: 7 * DAY,
    granularity: 'hour',
    get label() {
      return t('Last 7 days');
    },
  },
  {
    id: '30d',
    durationMs: 30 * DAY,
    granularity: 'day',
    get label() {
      return t('Last 30 days');
    },
  },
  {
    id: '90d',
    durationMs: 90 * DAY,
    granularity: 'day',
    get label() {
      return t('Last 90 days');
    },
  },
];

/** The query of a preset, ending at the end of the current bucket so the running hour is included. */
export function rangeOf(presetId: string, now: number): { from: number; to: number; granularity: StatsGranularity } {
  const preset = RANGE_PRESETS.find((candidate) => candidate.id === presetId) ?? RANGE_PRESETS[1];
  const step = preset.granularity === 'hour' ? HOUR : DAY;
  const to = Math.floor(now / step) * step + step;
  return { from: to - preset.durationMs, to, granularity: preset.granularity };
}

export function bucketLabel(start: number, granularity: StatsGranularity): string {
  const date = new Date(start);
  const day = formatDateTime(start, { month: 'numeric', day: 'numeric' });
  return granularity === 'day' ? day : `${day} ${String(date.getHours()).padStart(2, '0')}:00`;
}

export type StatsMetric = 'tokens' | 'requests';

/** What an empty series key stands for, per grouping. */
function noKeyLabel(groupBy: StatsQueryResult['groupBy']): string {
  switch (groupBy) {
    case 'model':
      return t('(never reached upstream)');
    case 'account':
      return t('(no account)');
    case 'clientKey':
      return t('(no client key)');
    case 'none':
      return t('all');
  }
}

/**
 * Where the chart starts: at the first bucket with traffic, when the data starts later than the range (a new
 * user sees bars, not a sliver at the right edge); at least `minBuckets` buckets stay, so one bar is not the chart.
 */
export function firstShownBucket(result: StatsQueryResult, minBuckets = 6): number {
  const first = result.buckets.findIndex((_, at) => result.series.some((entry) => entry.points[at].requests > 0));
  return first < 0 ? 0 : Math.max(0, Math.min(first, result.buckets.length - minBuckets));
}

/** The result from bucket `start` on. */
export function fromBucket(result: StatsQueryResult, start: number): StatsQueryResult {
  if (start <= 0) return result;
  return {
    ...result,
    buckets: result.buckets.slice(start),
    series: result.series.map((entry) => ({ ...entry, points: entry.points.slice(start) })),
  };
}

export interface ChartSeries {
  label: string;
  data: number[];
}

/** Busiest series first; those past `maxSeries` are summed into `other`. */
export function stackedSeries(result: StatsQueryResult, metric: StatsMetric, maxSeries = 8): ChartSeries[] {
  const value = (totals: StatsTotals) => (metric === 'requests' ? totals.requests : totals.inputTokens + totals.outputTokens + totals.thinkingTokens);
  const series = result.series.map((entry) => ({ label: entry.key || noKeyLabel(result.groupBy), data: entry.points.map(value) }));
  if (series.length <= maxSeries) return series;
  const kept = series.slice(0, maxSeries - 1);
  const other = series.slice(maxSeries - 1).reduce<number[]>(
    (sum, entry) => sum.map((total, at) => total + entry.data[at]),
    result.buckets.map(() => 0),
  );
  return [...kept, { label: t('other'), data: other }];
}

export interface Overview {
  requests: number;
  errors: number;
  errorRate: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  thinkingTokens: number;
  /** Spent through API-key providers, and its split by kind of token. */
  spendUsd: number;
  spend: StatsTotals['spend'];
}

/** US dollars as the language writes them; small amounts keep four decimals (a request costs fractions of a cent). */
export function formatUsd(amount: number): string {
  return formatNumber(amount, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: amount !== 0 && amount < 1 ? 4 : 2 });
}

export function overviewOf(result: StatsQueryResult): Overview {
  const sum = (pick: (totals: StatsTotals) => number) => result.series.reduce((total, entry) => total + pick(entry.total), 0);
  const requests = sum((totals) => totals.requests);
  const errors = sum((totals) => totals.errors);
  return {
    requests,
    errors,
    errorRate: requests === 0 ? 0 : errors / requests,
    inputTokens: sum((totals) => totals.inputTokens),
    outputTokens: sum((totals) => totals.outputTokens),
    cachedTokens: sum((totals) => totals.cachedTokens),
    thinkingTokens: sum((totals) => totals.thinkingTokens),
    spendUsd: sum((totals) => totals.spendUsd ?? 0),
    spend: {
      uncachedInputUsd: sum((totals) => totals.spend?.uncachedInputUsd ?? 0),
      cachedInputUsd: sum((totals) => totals.spend?.cachedInputUsd ?? 0),
      cacheWriteUsd: sum((totals) => totals.spend?.cacheWriteUsd ?? 0),
      outputUsd: sum((totals) => totals.spend?.outputUsd ?? 0),
    },
  };
}

/** Per bucket over every series of a `groupBy: none` query: p50, p95 and the error rate (%). */
export function latencyAndErrors(result: StatsQueryResult): { p50: Array<number | null>; p95: Array<number | null>; errorRate: Array<number | null> } {
  const points = result.buckets.map((_, at) => result.series.map((entry) => entry.points[at]).find((totals) => totals.requests > 0));
  return {
    p50: points.map((totals) => totals?.p50Ms ?? null),
    p95: points.map((totals) => totals?.p95Ms ?? null),
    errorRate: points.map((totals) => (totals ? Math.round((totals.errors / totals.requests) * 1000) / 10 : null)),
  };
}

/** `3/4 accounts usable`: the noun in the plural form of the total, as the core's overview words it (Chinese has none). */
export const usableAccounts = (usable: number, total: number): string =>
  plural(total, { one: () => t('{0}/{1} account usable', usable, total), other: () => t('{0}/{1} accounts usable', usable, total) });
