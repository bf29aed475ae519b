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

/** Renews only its own lease: a holder that stalled past the expiry must not extend another's. */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export function startLeaderLease(team: Team, options: { name: string; ttlMs: number; logger: Logger }): LeaderLease {
  const { connection, instanceId } = team;
  const key = connection.key('leader', options.name);
  let holding = false;

  const attempt = async () => {
    if (!connection.healthy) return;
    try {
      const renewed = holding && (await connection.redis.eval(RENEW, 1, key, instanceId, options.ttlMs)) === 1;
      const taken = !renewed && (await connection.redis.set(key, instanceId, 'PX', options.ttlMs, 'NX')) === 'OK';
      const now = renewed || taken;
      if (now !== holding) options.logger.info(now ? `this instance now leads: ${options.name}` : `another instance leads: ${options.name}`);
      holding = now;
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
