import type { Logger } from '../ports';
import type { SharedCache } from '../stores/shared-cache';
import type { TeamConnection } from './connection';

export interface RedisSharedCacheOptions {
  /**
   * Longest a request waits for a lookup. A local Redis answers in well under a millisecond; this only bounds
   * a hung one, and is generous because a loaded event loop runs due timers before it reads the reply.
   */
  timeoutMs?: number;
  /** Values longer than this (characters) are not shared: one huge conversation must not fill the team's Redis. */
  maxValueChars?: number;
  logger: Logger;
}

export const DEFAULT_SHARED_LOOKUP_TIMEOUT_MS = 250;
export const DEFAULT_SHARED_VALUE_CHARS = 4 * 1024 * 1024;
/** Keys asked for in one lookup at most (MGET of a very long history). */
const MAX_KEYS_PER_LOOKUP = 1024;

/** Resolves with `promise`, or with `fallback` after `ms` (the promise's later rejection is swallowed). */
export function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise<T>((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(fallback);
      },
    );
  });
}

/**
 * The team's SharedCache in Redis: plain string keys under `<prefix>shared:` with a PX expiry, read with one
 * MGET. While Redis is away every read is a miss at once (no timeout paid) and writes are dropped: each
 * instance then serves from its own cache, which is what it did before it joined a team.
 */
export function createRedisSharedCache(connection: TeamConnection, options: RedisSharedCacheOptions): SharedCache {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SHARED_LOOKUP_TIMEOUT_MS;
  const maxChars = options.maxValueChars ?? DEFAULT_SHARED_VALUE_CHARS;
  const redisKey = (key: string) => connection.key('shared', key);
  let lastWarning = 0;
  const failed = (what: string) => (err: unknown) => {
    // Once a minute at most: Redis away means every request would say so.
    const now = Date.now();
    if (now - lastWarning < 60_000) return;
    lastWarning = now;
    options.logger.warn(`team shared cache: ${what} failed; serving from local state`, { error: (err as Error)?.message });
  };

  return {
    async getMany(keys) {
      const asked = keys.slice(0, MAX_KEYS_PER_LOOKUP);
      const none = asked.map(() => undefined);
      if (asked.length === 0 || !connection.healthy) return none;
      const lookup = connection.redis.mget(asked.map(redisKey)).catch((err: unknown) => {
        failed('lookup')(err);
        return none;
      });
      const values = await withTimeout<Array<string | null | undefined>>(lookup, timeoutMs, none);
      return values.map((value) => value ?? undefined);
    },
    set(key, value, ttlMs) {
      if (value.length > maxChars || !connection.healthy) return;
      connection.redis.set(redisKey(key), value, 'PX', Math.max(1, Math.round(ttlMs))).catch(failed('write'));
    },
  };
}
