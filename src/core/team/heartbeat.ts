import type { Clock, Logger } from '../ports';
import type { TeamConnection } from './connection';

/**
 * Which instances are alive: each writes its own key (`instances:<id>`) with a time to live of a few
 * heartbeats, so an instance that crashed drops out on its own. `agate team status` and the leader lease
 * (quota polling) read it; nothing depends on it for serving.
 */
export interface InstanceInfo {
  id: string;
  /** The machine's host name. */
  host: string;
  /** This instance's process id on that host. */
  pid: number;
  version: string;
  /** Where it listens, once it does. */
  url?: string;
  startedAt: number;
  /** Clock time of its last heartbeat. */
  lastSeen: number;
}

export interface Heartbeat {
  /** Merges fields (the listen URL once known) and beats at once. */
  update(fields: Partial<Pick<InstanceInfo, 'url'>>): Promise<void>;
  stop(): Promise<void>;
}

export const INSTANCES_KEY = 'instances';

export function startHeartbeat(options: {
  connection: TeamConnection;
  info: Omit<InstanceInfo, 'lastSeen'>;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
}): Heartbeat {
  const { connection, clock, intervalMs } = options;
  const info: Omit<InstanceInfo, 'lastSeen'> = { ...options.info };
  const key = connection.key(INSTANCES_KEY, info.id);
  const beat = async () => {
    if (!connection.healthy) return;
    try {
      // Three missed beats and the key expires: long enough for a busy event loop, short enough for status.
      await connection.redis.set(key, JSON.stringify({ ...info, lastSeen: clock.now() }), 'PX', intervalMs * 3);
    } catch (err) {
      options.logger.debug('team heartbeat failed', { error: (err as Error).message });
    }
  };
  const timer = setInterval(() => void beat(), intervalMs);
  timer.unref();
  // Back from an outage: announce at once rather than at the next tick.
  const onUp = () => void beat();
  connection.on('up', onUp);
  void beat();
  return {
    async update(fields) {
      Object.assign(info, fields);
      await beat();
    },
    async stop() {
      clearInterval(timer);
      connection.off('up', onUp);
      if (connection.healthy) await connection.redis.del(key).catch(() => undefined);
    },
  };
}

/** The instances whose heartbeat has not expired, oldest first. Throws when Redis is away. */
export async function listInstances(connection: TeamConnection): Promise<InstanceInfo[]> {
  const found: InstanceInfo[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await connection.redis.scan(cursor, 'MATCH', connection.key(INSTANCES_KEY, '*'), 'COUNT', 200);
    cursor = next;
    if (keys.length === 0) continue;
    for (const raw of await connection.redis.mget(...keys)) {
      if (!raw) continue; // expired between SCAN and MGET
      try {
        found.push(JSON.parse(raw) as InstanceInfo);
      } catch {
        // A foreign value under our prefix: not an instance.
      }
    }
  } while (cursor !== '0');
  return found.sort((a, b) => a.startedAt - b.startedAt);
}
