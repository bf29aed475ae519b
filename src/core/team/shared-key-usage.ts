import { createHash } from 'node:crypto';
import type { Logger } from '../ports';
import type { KeyLimits } from '../security/client-keys';
import type { KeyLimitName, SharedKeyCounters } from '../security/key-usage';
import type { TeamConnection } from './connection';
import { DEFAULT_SHARED_LOOKUP_TIMEOUT_MS, withTimeout } from './shared-cache';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/**
 * A request's concurrency slot is a lease that lapses after this long: an instance that crashed mid-request
 * cannot hold a key's slots forever. Longer than any request the gateway lets run.
 */
const LEASE_MS = 30 * 60_000;

/**
 * Check and count in one step, atomically (a script runs alone in Redis), so two instances admitting the
 * same key at once cannot both take its last request of the minute.
 * KEYS: the key's minute hash, day hash, lease set. ARGV: rpm, rpd, tpm, tpd, concurrency (-1: none),
 * now, lease id, lease expiry, minute expiry, day expiry.
 * Returns { refused limit or '', day requests, day tokens }.
 */
const ADMIT_SCRIPT = `
local minute = redis.call('HMGET', KEYS[1], 'r', 't')
local day = redis.call('HMGET', KEYS[2], 'r', 't')
local now = tonumber(ARGV[6])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
local inflight = redis.call('ZCARD', KEYS[3])
local function n(v) return tonumber(v) or 0 end
local function over(limit, count) local l = tonumber(limit) return l >= 0 and count >= l end
if over(ARGV[5], inflight) then return {'concurrent', n(day[1]), n(day[2])} end
if over(ARGV[1], n(minute[1])) then return {'rpm', n(day[1]), n(day[2])} end
if over(ARGV[2], n(day[1])) then return {'rpd', n(day[1]), n(day[2])} end
if over(ARGV[3], n(minute[2])) then return {'tpm', n(day[1]), n(day[2])} end
if over(ARGV[4], n(day[2])) then return {'tpd', n(day[1]), n(day[2])} end
redis.call('HINCRBY', KEYS[1], 'r', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[9])
local requests = redis.call('HINCRBY', KEYS[2], 'r', 1)
redis.call('PEXPIRE', KEYS[2], ARGV[10])
redis.call('ZADD', KEYS[3], ARGV[8], ARGV[7])
redis.call('PEXPIRE', KEYS[3], ${LEASE_MS})
return {'', requests, n(day[2])}
`;
const ADMIT_SHA = createHash('sha1').update(ADMIT_SCRIPT).digest('hex');

const limitArg = (limit: number | undefined) => String(limit ?? -1);
const floorTo = (time: number, step: number) => time - (time % step);

/**
 * Client-key counters in Redis: per key, a hash per calendar minute and per UTC day ({r: requests, t: tokens},
 * expiring after their window) and a sorted set of leases for concurrency. The admit is one script call
 * (one round trip); releases and token counts are sent without waiting.
 */
export function createRedisKeyCounters(connection: TeamConnection, options: { logger: Logger; timeoutMs?: number }): SharedKeyCounters {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SHARED_LOOKUP_TIMEOUT_MS;
  const { redis } = connection;
  const keysOf = (keyId: string, now: number) => {
    const minute = floorTo(now, MINUTE_MS);
    const day = floorTo(now, DAY_MS);
    return {
      minute: connection.key('keys', keyId, 'm', String(minute)),
      day: connection.key('keys', keyId, 'd', String(day)),
      leases: connection.key('keys', keyId, 'leases'),
      // Kept a little past the window's end, so a clock a little behind still finds it.
      minuteTtl: minute + MINUTE_MS - now + 5_000,
      dayTtl: day + DAY_MS - now + 60_000,
    };
  };
  const quietly = (what: string) => (err: unknown) => options.logger.debug(`team key counters: ${what} failed`, { error: (err as Error)?.message });

  async function runAdmit(keys: string[], args: string[]): Promise<unknown> {
    try {
      return await redis.evalsha(ADMIT_SHA, keys.length, ...keys, ...args);
    } catch (err) {
      // A Redis that restarted forgot its scripts: send it once in full.
      if (!String((err as Error)?.message).includes('NOSCRIPT')) throw err;
      return redis.eval(ADMIT_SCRIPT, keys.length, ...keys, ...args);
    }
  }

  return {
    async admit(keyId: string, leaseId: string, limits: KeyLimits, now: number) {
      if (!connection.healthy) return undefined;
      const keys = keysOf(keyId, now);
      const args = [
        limitArg(limits.requestsPerMinute),
        limitArg(limits.requestsPerDay),
        limitArg(limits.tokensPerMinute),
        limitArg(limits.tokensPerDay),
        limitArg(limits.maxConcurrent),
        String(now),
        leaseId,
        String(now + LEASE_MS),
        String(Math.round(keys.minuteTtl)),
        String(Math.round(keys.dayTtl)),
      ];
      const reply = await withTimeout(
        runAdmit([keys.minute, keys.day, keys.leases], args).catch((err: unknown) => {
          quietly('admit')(err);
          return undefined;
        }),
        timeoutMs,
        undefined,
      );
      if (!Array.isArray(reply) || reply.length !== 3) return undefined;
      const [refused, requests, tokens] = reply as [string, number, number];
      return { ...(refused ? { refused: refused as KeyLimitName } : {}), day: { requests: Number(requests), tokens: Number(tokens) } };
    },
    release(keyId, leaseId) {
      if (!connection.healthy) return;
      redis.zrem(connection.key('keys', keyId, 'leases'), leaseId).catch(quietly('release'));
    },
    addTokens(keyId, tokens, now) {
      if (!connection.healthy) return;
      const keys = keysOf(keyId, now);
      redis
        .multi()
        .hincrby(keys.minute, 't', tokens)
        .pexpire(keys.minute, Math.round(keys.minuteTtl))
        .hincrby(keys.day, 't', tokens)
        .pexpire(keys.day, Math.round(keys.dayTtl))
        .exec()
        .catch(quietly('token count'));
    },
  };
}
