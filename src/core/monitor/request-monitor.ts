import path from 'node:path';
import { TypedEmitter } from '../accounts/emitter';
import type { ClientProtocol } from '../ir';
import type { Logger } from '../ports';
import { BatchQueue } from './batch-queue';
import { readLastLines } from './last-lines';
import { Ring } from './ring';
import { RotatingFile } from './rotating-file';
import { countsAsError } from './status';
import type { InFlightRequest, RequestObserver, RequestRecord } from './types';

export interface RequestMonitorSettings {
  /** Finished requests kept in memory for the live view and `list()`. */
  ringSize: number;
  /** The request log rolls to a new file at this size. */
  maxFileBytes: number;
  /** Request log files kept, the live one included. */
  maxFiles: number;
  /** Longest a finished request waits in memory before it is appended to the log. */
  flushIntervalMs: number;
  /** This many waiting requests are appended at once, without waiting for the interval. */
  flushBatch: number;
}

export const DEFAULT_MONITOR_SETTINGS: RequestMonitorSettings = {
  ringSize: 1000,
  maxFileBytes: 10 * 1024 * 1024,
  maxFiles: 5,
  // Each append opens the file: once a second (as the token journal) rather than four times. Closing the gateway
  // flushes, and the live view reads the in-memory ring.
  flushIntervalMs: 1000,
  flushBatch: 1024,
};

export type MonitorEvent =
  | { type: 'started'; request: InFlightRequest }
  | { type: 'finished'; record: RequestRecord }
  /** Team mode: another instance finished a request (its `instance` says which); not part of this one's log. */
  | { type: 'peer'; record: RequestRecord };

/** Other instances' requests kept for following them; their own monitors keep the full history. */
const PEER_RING_SIZE = 500;

export interface RequestQuery {
  /** At most this many records (default 100, never more than the ring holds). */
  limit?: number;
  /** Id of the last record of the previous page: only records that finished before it. Unknown (evicted) id → none. */
  before?: string;
  /** An exact status, `ok` (below 400) or `error` (see `countsAsError`); a client hang-up (499) is neither. */
  status?: number | 'ok' | 'error';
  /** Matches the client model or the upstream model. */
  model?: string;
  /** Matches the account email or id. */
  account?: string;
  protocol?: ClientProtocol;
}

const DEFAULT_LIMIT = 100;
/** Lines waiting or being written beyond this many ring-fulls are dropped (a stalled disk). */
const BACKLOG_RINGS = 10;

/**
 * Every generation request, for the dashboard: the in-flight set, the last
 * `ringSize` finished ones in memory (newest first, reloaded from the log on
 * start), a live event feed, and an append-only JSON-lines log with size-based
 * rotation. The request path only touches memory; the log is written in
 * batches off it.
 */
export class RequestMonitor implements RequestObserver {
  private readonly ring: Ring<RequestRecord>;
  private readonly running = new Map<string, InFlightRequest>();
  private readonly peerRing = new Ring<RequestRecord>(PEER_RING_SIZE);
  private readonly events: TypedEmitter<{ event: MonitorEvent }>;
  private readonly log: RotatingFile;
  private readonly queue: BatchQueue<RequestRecord>;
  private closed = false;

  private constructor(
    dir: string,
    private readonly settings: RequestMonitorSettings,
    logger: Logger,
  ) {
    this.ring = new Ring(settings.ringSize);
    this.events = new TypedEmitter((_event, err) => logger.warn('A request monitor listener failed', { error: String(err) }));
    this.log = new RotatingFile({ file: path.join(dir, 'requests.jsonl'), maxBytes: settings.maxFileBytes, maxFiles: settings.maxFiles });
    this.queue = new BatchQueue({
      intervalMs: settings.flushIntervalMs,
      maxBatch: settings.flushBatch,
      maxQueued: settings.ringSize * BACKLOG_RINGS,
      write: (batch) => this.log.append(batch.map((record) => JSON.stringify(record))),
      onError: (err) => logger.warn('Request log write failed', { error: String(err) }),
    });
  }

  /** Opens the log in `dir` and refills the ring from its newest lines. */
  static async open(options: { dir: string; logger: Logger; settings?: Partial<RequestMonitorSettings> }): Promise<RequestMonitor> {
    const monitor = new RequestMonitor(options.dir, { ...DEFAULT_MONITOR_SETTINGS, ...options.settings }, options.logger);
    await monitor.reload();
    return monitor;
  }

  started(request: InFlightRequest): void {
    this.running.set(request.id, request);
    this.events.emit('event', { type: 'started', request });
  }

  finished(record: RequestRecord): void {
    this.running.delete(record.id);
    this.ring.push(record);
    if (!this.closed) this.queue.push(record);
    this.events.emit('event', { type: 'finished', record });
  }

  /** Team mode: a request another instance finished, from the team's request stream. */
  followPeer(instance: string, record: RequestRecord): void {
    const followed = { ...record, instance };
    this.peerRing.push(followed);
    this.events.emit('event', { type: 'peer', record: followed });
  }

  /** The other instances' latest requests, newest first (team mode; empty otherwise). */
  peers(): RequestRecord[] {
    return [...this.peerRing.newestFirst()];
  }

  /** Requests started and not yet finished, oldest first. */
  inFlight(): InFlightRequest[] {
    return [...this.running.values()];
  }

  /** Finished requests, newest first. */
  list(query: RequestQuery = {}): RequestRecord[] {
    const limit = Math.min(query.limit ?? DEFAULT_LIMIT, this.ring.capacity);
    const matches = matcherOf(query);
    const result: RequestRecord[] = [];
    let reached = query.before === undefined;
    for (const record of this.ring.newestFirst()) {
      if (result.length >= limit) break;
      if (!reached) {
        reached = record.id === query.before;
        continue;
      }
      if (matches(record)) result.push(record);
    }
    return result;
  }

  /** Live feed of starts and finishes; returns the unsubscribe function. */
  subscribe(listener: (event: MonitorEvent) => void): () => void {
    return this.events.on('event', listener);
  }

  /** Resolves once every request finished so far is in the log. */
  flush(): Promise<void> {
    return this.queue.flush();
  }

  /** Writes what is pending; later requests stay in memory only. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue.flush();
  }

  private async reload(): Promise<void> {
    const newestFirst: RequestRecord[] = [];
    for (const file of this.log.files()) {
      const wanted = this.settings.ringSize - newestFirst.length;
      if (wanted <= 0) break;
      for (const line of await readLastLines(file, wanted)) {
        const record = parseRecord(line);
        if (record) newestFirst.push(record);
      }
    }
    for (let index = newestFirst.length - 1; index >= 0; index--) this.ring.push(newestFirst[index]);
  }
}

function matcherOf(query: RequestQuery): (record: RequestRecord) => boolean {
  const { status, model, account, protocol } = query;
  return (record) =>
    (status === undefined || (status === 'error' ? countsAsError(record.status) : status === 'ok' ? record.status < 400 : record.status === status)) &&
    (model === undefined || record.clientModel === model || record.upstreamModel === model) &&
    (account === undefined || record.accountEmail === account || record.accountId === account) &&
    (protocol === undefined || record.protocol === protocol);
}

/** A log line back into a record; a line torn by a crash (or not ours) is skipped. */
function parseRecord(line: string): RequestRecord | undefined {
  try {
    const value = JSON.parse(line) as Partial<RequestRecord> | null;
    const valid =
      typeof value === 'object' &&
      value !== null &&
      typeof value.id === 'string' &&
      typeof value.startedAt === 'number' &&
      typeof value.status === 'number' &&
      typeof value.protocol === 'string' &&
      Array.isArray(value.attempts);
    return valid ? (value as RequestRecord) : undefined;
  } catch {
    return undefined;
  }
}
