import type { SpendSplit } from '../providers/prices';
import { LatencyHistogram } from './latency-histogram';
import { Tally, type StatsFact } from './tally';

/**
 * On-disk formats of the token stats (folder `stats/` in the data dir):
 * - `day-YYYY-MM-DD.json`: the hourly cells of one UTC day, replaced atomically
 *   by each snapshot, with `appliedSeq`, the sequence number of the last
 *   request the snapshot includes;
 * - `journal-N.jsonl`: one line per request since an earlier snapshot, in
 *   generations (a snapshot starts a new one and deletes those it covers).
 * On start a journal entry is replayed only into a day whose file does not
 * already include it (`seq > appliedSeq`), so a crash between any two steps
 * neither loses nor double-counts a request.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** One (hour × model × account × client key) bucket. */
export interface StatsCell {
  hour: number;
  model: string;
  account: string;
  clientKey: string;
  tally: Tally;
}

export interface DaySnapshot {
  day: number;
  appliedSeq: number;
  cells: StatsCell[];
}

export type JournalEntry = StatsFact & { seq: number };

const DAY_FILE = /^day-(\d{4}-\d{2}-\d{2})\.json$/;
const JOURNAL_FILE = /^journal-(\d+)\.jsonl$/;
const FORMAT_VERSION = 1;

export const dayFileName = (day: number): string => `day-${new Date(day).toISOString().slice(0, 10)}.json`;

export function dayOfFileName(name: string): number | undefined {
  const match = DAY_FILE.exec(name);
  return match ? Date.parse(`${match[1]}T00:00:00Z`) : undefined;
}

export const journalFileName = (generation: number): string => `journal-${generation}.jsonl`;

export function generationOfFileName(name: string): number | undefined {
  const match = JOURNAL_FILE.exec(name);
  return match ? Number(match[1]) : undefined;
}

export function serializeDay(snapshot: DaySnapshot): string {
  return JSON.stringify({
    version: FORMAT_VERSION,
    day: new Date(snapshot.day).toISOString().slice(0, 10),
    appliedSeq: snapshot.appliedSeq,
    cells: snapshot.cells.map(({ hour, model, account, clientKey, tally }) => ({
      hour: new Date(hour).toISOString(),
      model,
      account,
      clientKey,
      requests: tally.requests,
      errors: tally.errors,
      inputTokens: tally.inputTokens,
      outputTokens: tally.outputTokens,
      cachedTokens: tally.cachedTokens,
      thinkingTokens: tally.thinkingTokens,
      ...(hasSpend(tally.spend) ? { spend: tally.spend } : {}),
      latency: tally.latency.toSparse(),
    })),
  });
}

/** Throws on a file that is not a day snapshot; cells that do not belong to the day are dropped. */
export function parseDay(text: string, day: number): DaySnapshot {
  const value = JSON.parse(text) as { version?: unknown; appliedSeq?: unknown; cells?: unknown };
  if (value?.version !== FORMAT_VERSION || !isCount(value.appliedSeq) || !Array.isArray(value.cells)) {
    throw new Error('not a stats day snapshot');
  }
  const cells: StatsCell[] = [];
  for (const raw of value.cells as Array<Record<string, unknown>>) {
    const hour = typeof raw?.hour === 'string' ? Date.parse(raw.hour) : NaN;
    if (!(hour >= day && hour < day + DAY_MS) || hour % HOUR_MS !== 0) continue;
    if (typeof raw.model !== 'string' || typeof raw.account !== 'string' || typeof raw.clientKey !== 'string') continue;
    const tally = new Tally();
    tally.requests = countOf(raw.requests);
    tally.errors = countOf(raw.errors);
    tally.inputTokens = countOf(raw.inputTokens);
    tally.outputTokens = countOf(raw.outputTokens);
    tally.cachedTokens = countOf(raw.cachedTokens);
    tally.thinkingTokens = countOf(raw.thinkingTokens);
    const spend = spendOf(raw.spend);
    if (spend) tally.spend = spend;
    tally.latency = LatencyHistogram.fromSparse(raw.latency);
    cells.push({ hour, model: raw.model, account: raw.account, clientKey: raw.clientKey, tally });
  }
  return { day, appliedSeq: value.appliedSeq, cells };
}

/** Positional array: compact, and serialised only off the request path. */
export function serializeJournalEntry(entry: JournalEntry): string {
  return JSON.stringify([
    entry.seq,
    entry.startedAt,
    entry.model,
    entry.account,
    entry.clientKey,
    entry.error ? 1 : 0,
    entry.latencyMs,
    entry.inputTokens,
    entry.outputTokens,
    entry.cachedTokens,
    entry.thinkingTokens,
    // A provider's request adds what it cost; the accounts' lines keep the older, shorter form.
    ...(entry.spend && hasSpend(entry.spend)
      ? [entry.spend.uncachedInputUsd, entry.spend.cachedInputUsd, entry.spend.cacheWriteUsd, entry.spend.outputUsd]
      : []),
  ]);
}

/** Undefined for a line torn by a crash. */
export function parseJournalEntry(line: string): JournalEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || (value.length !== 11 && value.length !== 15)) return undefined;
  const [seq, startedAt, model, account, clientKey, error, latencyMs, inputTokens, outputTokens, cachedTokens, thinkingTokens, ...spent] = value as unknown[];
  if (!isCount(seq) || typeof startedAt !== 'number' || typeof model !== 'string' || typeof account !== 'string') return undefined;
  if (typeof clientKey !== 'string' || typeof latencyMs !== 'number') return undefined;
  return {
    seq,
    startedAt,
    model,
    account,
    clientKey,
    error: error === 1,
    latencyMs,
    inputTokens: countOf(inputTokens),
    outputTokens: countOf(outputTokens),
    cachedTokens: countOf(cachedTokens),
    thinkingTokens: countOf(thinkingTokens),
    ...(spent.length === 4
      ? { spend: { uncachedInputUsd: usdOf(spent[0]), cachedInputUsd: usdOf(spent[1]), cacheWriteUsd: usdOf(spent[2]), outputUsd: usdOf(spent[3]) } }
      : {}),
  };
}

const usdOf = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0);
const hasSpend = (spend: SpendSplit): boolean => spend.uncachedInputUsd + spend.cachedInputUsd + spend.cacheWriteUsd + spend.outputUsd > 0;

function spendOf(raw: unknown): SpendSplit | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const value = raw as Record<string, unknown>;
  return {
    uncachedInputUsd: usdOf(value.uncachedInputUsd),
    cachedInputUsd: usdOf(value.cachedInputUsd),
    cacheWriteUsd: usdOf(value.cacheWriteUsd),
    outputUsd: usdOf(value.outputUsd),
  };
}

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const countOf = (value: unknown): number => (isCount(value) ? value : 0);
