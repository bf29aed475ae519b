export { createObservability, type Observability, type ObservabilityOptions } from './observability';
export { RequestMonitor, DEFAULT_MONITOR_SETTINGS, type MonitorEvent, type RequestMonitorSettings, type RequestQuery } from './request-monitor';
export {
  TokenStats,
  DEFAULT_STATS_SETTINGS,
  type StatsGranularity,
  type StatsGroupBy,
  type StatsQuery,
  type StatsQueryResult,
  type StatsSeries,
  type TokenStatsSettings,
} from './token-stats';
export type { StatsTotals } from './tally';
export { maskEmail, maskRecord } from './mask';
export { countsAsError, CLIENT_CLOSED_STATUS } from './status';
export type { InFlightRequest, RequestCapture, RequestObserver, RequestRecord } from './types';
