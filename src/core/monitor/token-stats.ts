import fs from 'node:fs/promises';
import path from 'node:path';
import type { Clock, Logger } from '../ports';
import type { SpendSplit } from '../providers/prices';
import { writeFileAtomic } from '../stores/atomic-file';
import { BatchQueue } from './batch-queue';
import {
  DAY_MS,
  HOUR_MS,
  dayFileName,
  dayOfFileName,
  generationOfFileName,
  journalFileName,
  parseDay,
  parseJournalEntry,
  serializeDay,
  serializeJournalEntry,
  type JournalEntry,
  type StatsCell,
} from './stats-files';
import { toCsv, usdCell } from './stats-csv';
import { countsAsError } from './status';
import { Tally, type StatsTotals } from './tally';
import type { RequestRecord } from './types';

export interface TokenStatsSettings {
  /** Buckets older than this many days are deleted. */
  retentionDays: number;
  /**
   * Longest a request waits before its journal line is appended: a killed
   * process loses at most the requests of this last interval.
   */
  journalFlushMs: number;
  /** How often the changed days are rewritten and the journals they cover deleted. */
  snapshotIntervalMs: number;
}

/** What a finished request cost (a request through an API-key provider); undefined when free or unpriced. */
export type RequestPricer = (record: RequestRecord) => SpendSplit | undefined;

export const DEFAULT_STATS_SETTINGS: TokenStatsSettings = {
  retentionDays: 90,
  journalFlushMs: 1000,
  snapshotIntervalMs: 60_000,
};

export type StatsGranularity = 'hour' | 'day';
export type StatsGroupBy = 'model' | 'account' | 'clientKey' | 'none';

export interface StatsQuery {
  /** Range of bucket starts, in ms: `from` is rounded down to the granularity, `to` is exclusive. */
  from: number;
  to: number;
  granularity: StatsGranularity;
  groupBy: StatsGroupBy;
}

export interface StatsSeries {
  /** The model, account email or client key name; '' for "none" (no account picked, auth off) and for groupBy 'none'. */
  key: string;
  total: StatsTotals;
  /** One per entry of `buckets`, zero-filled where nothing happened. */
  points: StatsTotals[];
}

export interface StatsQueryResult {
  granularity: StatsGranularity;
  groupBy: StatsGroupBy;
  /** Bucket starts (UTC hours or days), oldest first. */
  buckets: number[];
  /** Busiest first. */
  series: StatsSeries[];
}

/** A chart of more points than this is a mistake (10 years of hours is 87,600). */
const MAX_BUCKETS = 20_000;
const JOURNAL_BATCH = 1024;
// Ten seconds at 1,000 req/s (≈ 1.4 MB of entries; 100,000 held ≈ 14 MB on a stalled disk). A dropped entry is
// still in the tallies and so in the next snapshot: only a crash before that snapshot loses it.
const JOURNAL_BACKLOG = 10_000;
const STEP: Record<StatsGranularity, number> = { hour: HOUR_MS, day: DAY_MS };
const floorTo = (time: number, step: number): number => time - (((time % step) + step) % step);
const GROUP_KEY: Record<StatsGroupBy, (cell: StatsCell) => string> = {
  model: (cell) => cell.model,
  account: (cell) => cell.account,
  clientKey: (cell) => cell.clientKey,
  none: () => '',
};
const CELL_KEY = (cell: { model: string; account: string; clientKey: string }): string => `${cell.model}\u0000${cell.account}\u0000${cell.clientKey}`;

/**
 * Requests, errors, tokens and latency percentiles per UTC hour × model ×
 * account × client key; days and ranges are merged from hours. Recording is a
 * few map look-ups and additions; persistence (see stats-files.ts) runs on
 * timers: the journal every `journalFlushMs`, snapshots every `snapshotIntervalMs`.
 */
export class TokenStats {
  private readonly hours = new Map<number, Map<string, StatsCell>>();
  private readonly dirtyDays = new Set<number>();
  private readonly journal: BatchQueue<JournalEntry>;
  private seq = 0;
  private generation = 1;
  /** Start of the oldest day kept. */
  private horizon = 0;
  private timer: NodeJS.Timeout | undefined;
  private snapshotting: Promise<void> | undefined;
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly settings: TokenStatsSettings,
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly price: RequestPricer | undefined,
  ) {
    this.journal = new BatchQueue({
      intervalMs: settings.journalFlushMs,
      maxBatch: JOURNAL_BATCH,
      maxQueued: JOURNAL_BACKLOG,
      write: (batch) => fs.appendFile(this.journalFile(this.generation), batch.map(serializeJournalEntry).join('\n') + '\n', { mode: 0o600 }),
      onError: (err) => logger.warn('Token stats journal write failed', { error: String(err) }),
    });
  }

  /** Loads the snapshots and replays the journals in `dir`, then starts the snapshot timer. */
  static async open(options: {
    dir: string;
    logger: Logger;
    clock: Clock;
    settings?: Partial<TokenStatsSettings>;
    price?: RequestPricer;
  }): Promise<TokenStats> {
    const stats = new TokenStats(options.dir, { ...DEFAULT_STATS_SETTINGS, ...options.settings }, options.logger, options.clock, options.price);
    await stats.load();
    stats.timer = setInterval(() => void stats.snapshot(), stats.settings.snapshotIntervalMs).unref();
    return stats;
  }

  record(record: RequestRecord): void {
    if (this.closed) return;
    const usage = record.usage;
    const entry: JournalEntry = {
      seq: ++this.seq,
      startedAt: record.startedAt,
      // The model the upstream was asked for: a client's name for it (an alias, a typo refused with a 400) is not a model.
      model: record.upstreamModel ?? record.attempts.at(-1)?.model ?? '',
      account: record.accountEmail ?? '',
      clientKey: record.clientKey ?? '',
      error: countsAsError(record.status),
      latencyMs: record.latencyMs,
      inputTokens: usage?.inputTokens ?? 0,
      outputTokens: usage?.outputTokens ?? 0,
      cachedTokens: usage?.cachedInputTokens ?? 0,
      thinkingTokens: usage?.thinkingTokens ?? 0,
    };
    const spend = usage ? this.price?.(record) : undefined;
    if (spend) entry.spend = spend;
    if (this.apply(entry)) this.journal.push(entry);
  }

  query(query: StatsQuery): StatsQueryResult {
    const buckets = bucketStarts(query);
    const index = new Map(buckets.map((start, at) => [start, at]));
    const groups = this.collect(query, GROUP_KEY[query.groupBy]);
    const series = [...groups].map(([key, byBucket]) => {
      const total = new Tally();
      const points = buckets.map(() => new Tally());
      for (const [start, tally] of byBucket) {
        total.merge(tally);
        points[index.get(start)!].merge(tally);
      }
      return { key, total: total.totals(), points: points.map((tally) => tally.totals()) };
    });
    series.sort((a, b) => b.total.requests - a.total.requests || (a.key < b.key ? -1 : 1));
    return { granularity: query.granularity, groupBy: query.groupBy, buckets, series };
  }

  /** One row per bucket × model × account × client key that saw requests, oldest bucket first. */
  exportCsv(range: { from: number; to: number; granularity: StatsGranularity }): string {
    bucketStarts(range); // rejects a range too large
    const identities = new Map<string, StatsCell>();
    const groups = this.collect(range, (cell) => {
      const key = CELL_KEY(cell);
      if (!identities.has(key)) identities.set(key, cell);
      return key;
    });
    const rows: Array<{ start: number; cell: StatsCell; tally: Tally }> = [];
    for (const [key, byBucket] of groups) for (const [start, tally] of byBucket) rows.push({ start, cell: identities.get(key)!, tally });
    rows.sort((a, b) => a.start - b.start || compareText(CELL_KEY(a.cell), CELL_KEY(b.cell)));
    const header = ['bucket_start', 'granularity', 'model', 'account', 'client_key', 'requests', 'errors'];
    header.push('input_tokens', 'output_tokens', 'cached_tokens', 'thinking_tokens', 'p50_ms', 'p95_ms', 'p99_ms');
    // Added after the first release's columns, so a reader of those keeps working.
    header.push('spend_usd', 'uncached_input_usd', 'cached_input_usd', 'cache_write_usd', 'output_usd');
    return toCsv([
      header,
      ...rows.map(({ start, cell, tally }) => {
        const totals = tally.totals();
        return [
          new Date(start).toISOString(),
          range.granularity,
          cell.model,
          cell.account,
          cell.clientKey,
          totals.requests,
          totals.errors,
          totals.inputTokens,
          totals.outputTokens,
          totals.cachedTokens,
          totals.thinkingTokens,
          totals.p50Ms ?? '',
          totals.p95Ms ?? '',
          totals.p99Ms ?? '',
          usdCell(totals.spendUsd),
          usdCell(totals.spend.uncachedInputUsd),
          usdCell(totals.spend.cachedInputUsd),
          usdCell(totals.spend.cacheWriteUsd),
          usdCell(totals.spend.outputUsd),
        ];
      }),
    ]);
  }

  /**
   * Rewrites the changed days and deletes the journals they cover, as the
   * timer does every `snapshotIntervalMs`; joins a snapshot already running.
   * Never rejects: a failure is logged and the journal keeps the requests.
   */
  snapshot(): Promise<void> {
    this.snapshotting ??= this.writeSnapshot().finally(() => (this.snapshotting = undefined));
    return this.snapshotting;
  }

  /** Resolves once every request recorded so far is in the journal. */
  flush(): Promise<void> {
    return this.journal.flush();
  }

  /** Writes a final snapshot; later requests are ignored. */
  async close(): Promise<void> {
    if (this.closed) return this.snapshotting;
    this.closed = true;
    clearInterval(this.timer);
    await this.snapshotting;
    await this.snapshot();
  }

  /** Adds a request to its hour; false when its day is past the retention. */
  private apply(entry: JournalEntry): boolean {
    const hour = floorTo(entry.startedAt, HOUR_MS);
    if (hour < this.horizon) return false;
    let cells = this.hours.get(hour);
    if (!cells) this.hours.set(hour, (cells = new Map()));
    const key = CELL_KEY(entry);
    let cell = cells.get(key);
    if (!cell) cells.set(key, (cell = { hour, model: entry.model, account: entry.account, clientKey: entry.clientKey, tally: new Tally() }));
    cell.tally.add(entry);
    this.dirtyDays.add(floorTo(hour, DAY_MS));
    return true;
  }

  /** Tallies of the cells in the range, merged per group key and bucket start. */
  private collect(range: { from: number; to: number; granularity: StatsGranularity }, keyOf: (cell: StatsCell) => string): Map<string, Map<number, Tally>> {
    const step = STEP[range.granularity];
    const from = floorTo(range.from, step);
    const groups = new Map<string, Map<number, Tally>>();
    for (const [hour, cells] of this.hours) {
      const start = floorTo(hour, step);
      if (start < from || start >= range.to) continue;
      for (const cell of cells.values()) {
        const key = keyOf(cell);
        let byBucket = groups.get(key);
        if (!byBucket) groups.set(key, (byBucket = new Map()));
        let tally = byBucket.get(start);
        if (!tally) byBucket.set(start, (tally = new Tally()));
        tally.merge(cell.tally);
      }
    }
    return groups;
  }

  /**
   * Rewrites every changed day, then deletes the journals the new files cover.
   * The days are serialised at one instant together with the sequence number
   * they include, and the journal moves to a new generation at that instant,
   * so a later request is never lost with a deleted journal.
   */
  private async writeSnapshot(): Promise<void> {
    // Up to the first await this runs at one instant, in the caller's turn.
    this.forgetExpired();
    const appliedSeq = this.seq;
    const covered = this.generation++;
    const files = [...this.dirtyDays].map((day) => ({ day, text: serializeDay({ day, appliedSeq, cells: this.cellsOfDay(day) }) }));
    this.dirtyDays.clear();
    let written = 0;
    try {
      await this.deleteExpiredDays();
      for (; written < files.length; written++) {
        await writeFileAtomic(path.join(this.dir, dayFileName(files[written].day)), files[written].text);
      }
      await this.journal.flush(); // no append to a covered journal is still running when it is deleted
      // After close nothing is recorded any more, so the snapshot covers the newest journal too.
      await this.deleteJournals(this.closed ? this.generation : covered);
    } catch (err) {
      for (const { day } of files.slice(written)) this.dirtyDays.add(day);
      this.logger.warn('Token stats snapshot failed; the journal keeps the requests', { error: String(err) });
    }
  }

  private cellsOfDay(day: number): StatsCell[] {
    const cells: StatsCell[] = [];
    for (let hour = day; hour < day + DAY_MS; hour += HOUR_MS) cells.push(...(this.hours.get(hour)?.values() ?? []));
    return cells;
  }

  /** Moves the horizon to the start of the retention and forgets the hours before it. */
  private forgetExpired(): void {
    this.horizon = floorTo(this.clock.now(), DAY_MS) - this.settings.retentionDays * DAY_MS;
    for (const hour of this.hours.keys()) if (hour < this.horizon) this.hours.delete(hour);
    for (const day of this.dirtyDays) if (day < this.horizon) this.dirtyDays.delete(day);
  }

  private async deleteExpiredDays(): Promise<void> {
    for (const name of await fs.readdir(this.dir)) {
      const day = dayOfFileName(name);
      if (day !== undefined && day < this.horizon) await fs.rm(path.join(this.dir, name), { force: true });
    }
  }

  private async deleteJournals(upToGeneration: number): Promise<void> {
    for (const name of await fs.readdir(this.dir)) {
      const generation = generationOfFileName(name);
      if (generation !== undefined && generation <= upToGeneration) await fs.rm(path.join(this.dir, name), { force: true });
    }
  }

  private journalFile(generation: number): string {
    return path.join(this.dir, journalFileName(generation));
  }

  private async load(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    this.forgetExpired();
    await this.deleteExpiredDays();
    const names = await fs.readdir(this.dir);
    const appliedSeqOfDay = new Map<number, number>();
    for (const name of names) {
      const day = dayOfFileName(name);
      if (day === undefined || day < this.horizon) continue;
      try {
        const snapshot = parseDay(await fs.readFile(path.join(this.dir, name), 'utf8'), day);
        appliedSeqOfDay.set(day, snapshot.appliedSeq);
        this.seq = Math.max(this.seq, snapshot.appliedSeq);
        for (const cell of snapshot.cells) {
          let cells = this.hours.get(cell.hour);
          if (!cells) this.hours.set(cell.hour, (cells = new Map()));
          cells.set(CELL_KEY(cell), cell);
        }
      } catch (err) {
        this.logger.warn('Skipping an unreadable token stats file', { file: name, error: String(err) });
      }
    }
    // Temp files of a snapshot interrupted by a crash never replaced a day file.
    for (const name of names) if (name.endsWith('.tmp')) await fs.rm(path.join(this.dir, name), { force: true });

    const generations = names.flatMap((name) => generationOfFileName(name) ?? []).sort((a, b) => a - b);
    for (const generation of generations) {
      const lines = (await fs.readFile(this.journalFile(generation), 'utf8')).split('\n');
      lines.forEach((line, at) => {
        if (!line) return;
        const entry = parseJournalEntry(line);
        if (!entry) {
          // A crash mid-append tears only the last line, the one without a newline; anything else is damage worth a word.
          if (at < lines.length - 1) {
            this.logger.warn('Skipping a damaged token stats journal line', { file: journalFileName(generation), line: at + 1 });
          }
          return;
        }
        this.seq = Math.max(this.seq, entry.seq);
        if (entry.seq > (appliedSeqOfDay.get(floorTo(entry.startedAt, DAY_MS)) ?? 0)) this.apply(entry);
      });
    }
    this.generation = (generations[generations.length - 1] ?? 0) + 1;
  }
}

function bucketStarts(range: { from: number; to: number; granularity: StatsGranularity }): number[] {
  const step = STEP[range.granularity];
  const from = floorTo(range.from, step);
  const count = Math.max(0, Math.ceil((range.to - from) / step));
  if (!Number.isFinite(count) || count > MAX_BUCKETS) {
    throw new RangeError(`a ${range.granularity} range of ${count} buckets is more than ${MAX_BUCKETS}`);
  }
  return Array.from({ length: count }, (_, at) => from + at * step);
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
