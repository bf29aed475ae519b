import { GatewayError } from '../errors';
import type { Clock, DocumentStore, Logger } from '../ports';
import type { KeyLimits } from './client-keys';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
export const KEY_USAGE_DOCUMENT = 'client-key-usage';
/** Day totals are written at most this often (and on close), so a restart does not reset daily limits. */
const FLUSH_INTERVAL_MS = 10_000;

interface Window {
  start: number;
  requests: number;
  tokens: number;
}

interface Counters {
  minute: Window;
  day: Window;
  inFlight: number;
}

interface UsageDocument {
  day: number;
  keys: Record<string, { requests: number; tokens: number }>;
}

/** What the limiter needs to know about a key. */
export interface LimitedKey {
  id: string;
  name: string;
  limits: KeyLimits;
}

/**
 * Per-key request and token counts in fixed windows (the calendar minute, the
 * UTC day) and requests in flight. Fixed windows make `Retry-After` exact: the
 * window's end. Token limits can only be checked before a request, when its
 * cost is unknown, so a key is refused once its window total has reached the
 * limit; the request that crosses it completes.
 */
export class KeyUsage {
  private readonly counters = new Map<string, Counters>();
  private dirty = false;
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly documents: DocumentStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  static async open(options: { documents: DocumentStore; clock: Clock; logger: Logger }): Promise<KeyUsage> {
    const usage = new KeyUsage(options.documents, options.clock, options.logger);
    const saved = await options.documents.read<UsageDocument>(KEY_USAGE_DOCUMENT).catch(() => undefined);
    if (saved && saved.day === usage.dayStart() && typeof saved.keys === 'object' && saved.keys) {
      for (const [id, day] of Object.entries(saved.keys)) {
        if (Number.isFinite(day?.requests) && Number.isFinite(day?.tokens)) {
          usage.countersOf(id).day = { start: saved.day, requests: day.requests, tokens: day.tokens };
        }
      }
    }
    return usage;
  }

  /**
   * Counts a request of `key` against its limits, or throws a 429 saying
   * which limit and when it resets. The returned function ends the request.
   */
  admit(key: LimitedKey): () => void {
    const counters = this.current(key.id);
    const { limits } = key;
    const now = this.clock.now();
    const untilMinute = Math.ceil((counters.minute.start + MINUTE_MS - now) / 1000);
    const untilDay = Math.ceil((counters.day.start + DAY_MS - now) / 1000);
    const refuse = (what: string, limit: number, retryAfterSeconds: number) =>
      new GatewayError('rate_limit', `The client key "${key.name}" has reached its limit of ${limit} ${what}.`, { retryAfterSeconds });
    if (limits.maxConcurrent !== undefined && counters.inFlight >= limits.maxConcurrent) {
      throw refuse('concurrent requests', limits.maxConcurrent, 1);
    }
    if (limits.requestsPerMinute !== undefined && counters.minute.requests >= limits.requestsPerMinute) {
      throw refuse('requests per minute', limits.requestsPerMinute, untilMinute);
    }
    if (limits.requestsPerDay !== undefined && counters.day.requests >= limits.requestsPerDay) {
      throw refuse('requests per day', limits.requestsPerDay, untilDay);
    }
    if (limits.tokensPerMinute !== undefined && counters.minute.tokens >= limits.tokensPerMinute) {
      throw refuse('tokens per minute', limits.tokensPerMinute, untilMinute);
    }
    if (limits.tokensPerDay !== undefined && counters.day.tokens >= limits.tokensPerDay) {
      throw refuse('tokens per day', limits.tokensPerDay, untilDay);
    }
    counters.minute.requests++;
    counters.day.requests++;
    counters.inFlight++;
    this.dirty = true;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      counters.inFlight--;
    };
  }

  /** Adds a finished request's tokens to the key's windows. */
  addTokens(keyId: string, tokens: number): void {
    if (!(tokens > 0)) return;
    const counters = this.current(keyId);
    counters.minute.tokens += tokens;
    counters.day.tokens += tokens;
    this.dirty = true;
  }

  /** Today's totals of a key (for the admin API and CLI). */
  today(keyId: string): { requests: number; tokens: number; inFlight: number } {
    const { day, inFlight } = this.current(keyId);
    return { requests: day.requests, tokens: day.tokens, inFlight };
  }

  forget(keyId: string): void {
    this.counters.delete(keyId);
    this.dirty = true;
  }

  async flush(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    const day = this.dayStart();
    const keys: UsageDocument['keys'] = {};
    for (const [id, counters] of this.counters) {
      if (counters.day.start === day) keys[id] = { requests: counters.day.requests, tokens: counters.day.tokens };
    }
    try {
      await this.documents.write<UsageDocument>(KEY_USAGE_DOCUMENT, { day, keys });
    } catch (err) {
      this.dirty = true;
      this.logger.warn('Saving client key usage failed', { error: String(err) });
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private dayStart(): number {
    const now = this.clock.now();
    return now - (now % DAY_MS);
  }

  private countersOf(id: string): Counters {
    let counters = this.counters.get(id);
    if (!counters) {
      counters = { minute: { start: 0, requests: 0, tokens: 0 }, day: { start: 0, requests: 0, tokens: 0 }, inFlight: 0 };
      this.counters.set(id, counters);
    }
    return counters;
  }

  /** The key's counters with windows rolled over to the present. */
  private current(id: string): Counters {
    const counters = this.countersOf(id);
    const now = this.clock.now();
    const minute = now - (now % MINUTE_MS);
    const day = now - (now % DAY_MS);
    if (counters.minute.start !== minute) counters.minute = { start: minute, requests: 0, tokens: 0 };
    if (counters.day.start !== day) counters.day = { start: day, requests: 0, tokens: 0 };
    return counters;
  }
}
