import type { ConcurrencyLimits, Lease, SharedSlots } from '../scheduler/concurrency';
import type { Logger } from '../ports';
import type { Team } from './team';

/**
 * The concurrency limits across the team (the port: src/core/scheduler/concurrency.ts): a sorted set per
 * account (`slots:<id>`) and per account × model (`slots:<id>:<model>`), one member per lease, scored by
 * when it expires. Acquiring is one Lua script: drop expired leases, check both counts, add to both, so two
 * instances can never both take the last slot. The holder renews its leases every third of their life; a
 * crashed instance stops renewing and its slots come free when their leases expire.
 *
 * Time is the instances' clock (injectable in tests), not Redis': instances are expected to be NTP-synced,
 * and a lease lives tens of seconds, so a skew of a second does not matter.
 */
const ACQUIRE = `
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local perAccount = tonumber(ARGV[4])
local perModel = tonumber(ARGV[5])
if perAccount > 0 and redis.call('ZCARD', KEYS[1]) >= perAccount then return 0 end
if perModel > 0 and redis.call('ZCARD', KEYS[2]) >= perModel then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
return 1
`;

const CHANNEL = 'slots';

export interface TeamSemaphore extends SharedSlots {
  /** Leases held by this instance now. */
  held(): number;
  /** Stops renewing; a clean stop also frees its leases (`release: false` leaves them to expire, as a crash). */
  close(options?: { release?: boolean }): Promise<void>;
}

interface HeldLease {
  keys: [string, string];
  member: string;
}

export function createTeamSemaphore(team: Team, options: { logger: Logger; leaseMs?: number }): TeamSemaphore {
  const { connection, clock, instanceId } = team;
  const redis = connection.redis;
  const leaseMs = options.leaseMs ?? 30_000;
  const held = new Set<HeldLease>();
  let counter = 0;

  const renew = () => {
    if (held.size === 0 || !connection.healthy) return;
    const expiresAt = clock.now() + leaseMs;
    const batch = redis.multi();
    for (const lease of held) for (const key of lease.keys) batch.zadd(key, 'XX', expiresAt, lease.member);
    batch.exec().catch((err: Error) => options.logger.debug(`team slot renewal failed: ${err.message}`));
  };
  const timer = setInterval(renew, Math.max(100, Math.floor(leaseMs / 3)));
  timer.unref();

  const free = (lease: HeldLease) => {
    if (!held.delete(lease)) return;
    redis
      .multi()
      .zrem(lease.keys[0], lease.member)
      .zrem(lease.keys[1], lease.member)
      .exec()
      .then(() => connection.publish(CHANNEL, instanceId, {}))
      .catch((err: Error) => options.logger.debug(`team slot release failed: ${err.message}`));
  };

  return {
    async acquire(accountId: string, model: string, limits: ConcurrencyLimits): Promise<Lease | false | undefined> {
      if (!connection.healthy) return undefined;
      const lease: HeldLease = {
        keys: [connection.key('slots', accountId), connection.key('slots', accountId, model)],
        member: `${instanceId}:${++counter}`,
      };
      try {
        const now = clock.now();
        const taken = await redis.eval(ACQUIRE, 2, ...lease.keys, now, now + leaseMs, lease.member, limits.perAccount, limits.perAccountModel, leaseMs * 2);
        if (taken !== 1) return false;
      } catch (err) {
        options.logger.debug(`team slot acquire failed: ${(err as Error).message}`);
        return undefined;
      }
      held.add(lease);
      return { release: () => free(lease) };
    },
    onRelease: (listener) => connection.subscribe(CHANNEL, ({ from }) => from !== instanceId && listener()),
    held: () => held.size,
    async close({ release = true } = {}) {
      clearInterval(timer);
      if (release) for (const lease of [...held]) free(lease);
      held.clear();
    },
  };
}
