import type { Logger } from '../ports';
import type { Team } from './team';

/**
 * One instance of the team does a job (quota polling): whoever holds the lease key. The holder renews it
 * every third of its life; a crashed holder's lease expires and another instance takes it at its next try.
 * While Redis is away every instance counts as holder: the job must go on, done twice rather than never.
 */
export interface LeaderLease {
  held(): boolean;
  /** Gives the lease up at once (a clean stop hands the job over without waiting for the expiry). */
  stop(): Promise<void>;
}

/**
 * Takes the lease or renews it, in one step: when it is free, lapsed or already this instance's. The value is
 * `<instance> <expiresAt>`, the expiry in the instances' clock (the injectable Clock, so a test decides when
 * a crashed holder's lease lapses); the Redis expiry, much longer, only sweeps a lease nobody took over.
 * A holder that stalled past its expiry and was replaced finds another's unexpired lease and steps down.
 */
const CLAIM = `
local held = redis.call('GET', KEYS[1])
if held then
  local space = string.find(held, ' ', 1, true)
  local holder = space and string.sub(held, 1, space - 1) or held
  local expiresAt = space and tonumber(string.sub(held, space + 1)) or 0
  if holder ~= ARGV[1] and expiresAt > tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. ARGV[3], 'PX', ARGV[4])
return 1
`;
const RELEASE = `local held = redis.call('GET', KEYS[1])
if held and string.sub(held, 1, #ARGV[1] + 1) == ARGV[1] .. ' ' then return redis.call('DEL', KEYS[1]) else return 0 end`;
/** The Redis-side sweep of a lease left behind, in lease lifetimes. */
const SWEEP_AFTER_LEASES = 10;

export function startLeaderLease(team: Team, options: { name: string; ttlMs: number; logger: Logger }): LeaderLease {
  const { connection, instanceId, clock } = team;
  const key = connection.key('leader', options.name);
  let holding = false;

  const attempt = async () => {
    if (!connection.healthy) return;
    try {
      const now = clock.now();
      const claimed = (await connection.redis.eval(CLAIM, 1, key, instanceId, now, now + options.ttlMs, options.ttlMs * SWEEP_AFTER_LEASES)) === 1;
      if (claimed !== holding) options.logger.info(claimed ? `this instance now leads: ${options.name}` : `another instance leads: ${options.name}`);
      holding = claimed;
    } catch (err) {
      options.logger.debug(`leader lease ${options.name}: ${(err as Error).message}`);
    }
  };
  const timer = setInterval(() => void attempt(), Math.max(100, Math.floor(options.ttlMs / 3)));
  timer.unref();
  const onUp = () => void attempt();
  connection.on('up', onUp);
  void attempt();

  return {
    held: () => holding || !connection.healthy,
    async stop() {
      clearInterval(timer);
      connection.off('up', onUp);
      if (holding && connection.healthy) await connection.redis.eval(RELEASE, 1, key, instanceId).catch(() => undefined);
      holding = false;
    },
  };
}
