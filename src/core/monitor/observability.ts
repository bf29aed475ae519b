import path from 'node:path';
import { systemClock, type Clock, type Logger } from '../ports';
import { RequestMonitor, type RequestMonitorSettings } from './request-monitor';
import { TokenStats, type RequestPricer, type TokenStatsSettings } from './token-stats';
import type { RequestObserver } from './types';

export interface ObservabilityOptions {
  /** The request log goes to `<dataDir>/monitor/`, the token stats to `<dataDir>/stats/`. */
  dataDir: string;
  logger: Logger;
  clock?: Clock;
  monitor?: Partial<RequestMonitorSettings>;
  stats?: Partial<TokenStatsSettings>;
  /** Prices requests through API-key providers for the token stats' spend. */
  price?: RequestPricer;
}

export interface Observability {
  /** Hand this to the gateway: it feeds both the monitor and the stats, and never throws into a request. */
  observer: RequestObserver;
  monitor: RequestMonitor;
  stats: TokenStats;
  /** Writes everything pending (request log, final stats snapshot). */
  close(): Promise<void>;
}

export async function createObservability(options: ObservabilityOptions): Promise<Observability> {
  const { dataDir, logger } = options;
  const [monitor, stats] = await Promise.all([
    RequestMonitor.open({ dir: path.join(dataDir, 'monitor'), logger, settings: options.monitor }),
    TokenStats.open({ dir: path.join(dataDir, 'stats'), logger, clock: options.clock ?? systemClock, settings: options.stats, price: options.price }),
  ]);
  // The gateway calls these in a request's `finally`: a bug here must cost a record, not the answer.
  const guarded = (what: string, call: () => void) => {
    try {
      call();
    } catch (err) {
      logger.warn(`Recording a request in the ${what} failed`, { error: String(err) });
    }
  };
  const observer: RequestObserver = {
    started: (request) => guarded('monitor', () => monitor.started(request)),
    finished: (record) => {
      guarded('monitor', () => monitor.finished(record));
      guarded('token stats', () => stats.record(record));
    },
  };
  return {
    observer,
    monitor,
    stats,
    close: async () => {
      await Promise.all([monitor.close(), stats.close()]);
    },
  };
}
