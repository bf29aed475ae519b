import { GatewayError } from '../errors';
import type { Clock, DocumentStore, Logger } from '../ports';
import { LIMIT_FIELDS, type KeyLimits } from './client-keys';

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

/** Which of a key's limits refused a request. */
export type KeyLimitName = 'concurrent' | 'rpm' | 'rpd' | 'tpm' | 'tpd';

/**
 * Team mode: per-key counters every instance shares (Redis, src/core/team/shared-key-usage.ts), so a key's
 * limits hold across the team rather than per instance.
 */
export interface SharedKeyCounters {
  /**
   * Checks every limit and counts the request in one atomic step; undefined when the store did not answer
   * (the instance then counts alone). `day` is the team's total for the key today, after this request.
   */
  admit(
    keyId: string,
    leaseId: string,
    limits: KeyLimits,
    now: number,
  ): Promise<{ refused?: KeyLimitName; day?: { requests: number; tokens: number } } | undefined>;
  release(keyId: string, leaseId: string): void;
  addTokens(keyId: string, tokens: number, now: number): void;
}

const LIMIT_WORDS: Record<KeyLimitName, { what: string; field: keyof KeyLimits; window: 'minute' | 'day' | 'now' }> = {
  concurrent: { what: 'concurrent requests', field: 'maxConcurrent', window: 'now' },
  rpm: { what: 'requests per minute', field: 'requestsPerMinute', window: 'minute' },
  rpd: { what: 'requests per day', field: 'requestsPerDay', window: 'day' },
  tpm: { what: 'tokens per minute', field: 'tokensPerMinute', window: 'minute' },
  tpd: { what: 'tokens per day', field: 'tokensPerDay', window: 'day' },
};

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
  private leases = 0;

  private constructor(
    private readonly documents: DocumentStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly shared: SharedKeyCounters | undefined,
  ) {
    this.timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  static async open(options: { documents: DocumentStore; clock: Clock; logger: Logger; shared?: SharedKeyCounters }): Promise<KeyUsage> {
    const usage = new KeyUsage(options.documents, options.clock, options.logger, options.shared);
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
    const over = (limit: number | undefined, count: number) => limit !== undefined && count >= limit;
    if (over(limits.maxConcurrent, counters.inFlight)) throw this.refusal(key, 'concurrent', counters);
    if (over(limits.requestsPerMinute, counters.minute.requests)) throw this.refusal(key, 'rpm', counters);
    if (over(limits.requestsPerDay, counters.day.requests)) throw this.refusal(key, 'rpd', counters);
    if (over(limits.tokensPerMinute, counters.minute.tokens)) throw this.refusal(key, 'tpm', counters);
    if (over(limits.tokensPerDay, counters.day.tokens)) throw this.refusal(key, 'tpd', counters);
    counters.minute.requests++;
    counters.day.requests++;
    return this.hold(counters);
  }

  /**
   * `admit` across the team when the counters are shared: one atomic check-and-count in the shared store.
   * When it does not answer, this instance's own counters decide (its last known state), so a Redis outage
   * lets a key through at most once per instance more per window.
   */
  async admitAcrossTeam(key: LimitedKey): Promise<() => void> {
    if (!this.shared) return this.admit(key);
    const leaseId = `${process.pid}-${++this.leases}-${Math.random().toString(36).slice(2, 10)}`;
    const now = this.clock.now();
    if (!LIMIT_FIELDS.some((field) => key.limits[field] !== undefined)) return this.countAcrossTeam(key, leaseId, now);
    const verdict = await this.shared.admit(key.id, leaseId, key.limits, now);
    if (!verdict) return this.admit(key);
    if (verdict.refused) throw this.refusal(key, verdict.refused, this.current(key.id));
    // Counted here too: if Redis goes away, this instance goes on from the team's day and its own minute.
    const counters = this.current(key.id);
    counters.minute.requests++;
    counters.day.requests = Math.max(counters.day.requests + 1, verdict.day?.requests ?? 0);
    counters.day.tokens = Math.max(counters.day.tokens, verdict.day?.tokens ?? 0);
    return this.hold(counters, () => this.shared?.release(key.id, leaseId));
  }

  /** One admitted request in flight; its release (once, however often called) frees the slot, then `andThen`. */
  private hold(counters: Counters, andThen?: () => void): () => void {
    counters.inFlight++;
    this.dirty = true;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      counters.inFlight--;
      andThen?.();
    };
  }

  /**
   * A key without limits is never refused, so the request does not wait for the team: it is counted across the
   * team without waiting (the team's day totals still come back into this instance's counters), and its lease
   * is dropped only once the count has landed, so a release can never overtake it.
   */
  private countAcrossTeam(key: LimitedKey, leaseId: string, now: number): () => void {
    const release = this.admit(key);
    const counted = (this.shared?.admit(key.id, leaseId, key.limits, now) ?? Promise.resolve(undefined)).then(
      (verdict) => {
        const counters = this.current(key.id);
        counters.day.requests = Math.max(counters.day.requests, verdict?.day?.requests ?? 0);
        counters.day.tokens = Math.max(counters.day.tokens, verdict?.day?.tokens ?? 0);
        return verdict !== undefined;
      },
      () => false,
    );
    return () => {
      release();
      void counted.then((admitted) => admitted && this.shared?.release(key.id, leaseId));
    };
  }

  private refusal(key: LimitedKey, limit: KeyLimitName, counters: Counters): GatewayError {
    const { what, field, window } = LIMIT_WORDS[limit];
    const now = this.clock.now();
    const retryAfterSeconds =
      window === 'now' ? 1 : Math.ceil(((window === 'minute' ? counters.minute.start + MINUTE_MS : counters.day.start + DAY_MS) - now) / 1000);
    return new GatewayError('rate_limit', `The client key "${key.name}" has reached its limit of ${key.limits[field]} ${what}.`, { retryAfterSeconds });
  }

  /** Adds a finished request's tokens to the key's windows. */
  addTokens(keyId: string, tokens: number): void {
    if (!(tokens > 0)) return;
    this.shared?.addTokens(keyId, tokens, this.clock.now());
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
