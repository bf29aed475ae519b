/**
 * Team mode: several `agate serve` instances share one pool through Redis (`store.redis.url`).
 *
 * Shared (pool side, this folder): account records and sealed refresh tokens, account state (cooldowns per
 * account × model, exhausted-until, needs-sign-in / forbidden, disabled, order) published to every instance,
 * the refresh lock and the fresh access token, the quota poller's lease and its results, the concurrency
 * semaphores, and the instance heartbeats. Request side (sessions, signatures, Responses store, client keys and
 * their counters, stats, monitor) builds on the same connection.
 *
 * Redis away: every instance keeps serving from its last known local state; commands fail at once, never
 * queue. Lost in that window: changes one instance makes are not seen by the others (a cooldown A learns,
 * B may hit once more), concurrency limits hold per instance only, two instances may refresh the same
 * account, and quota is polled by every instance. On `up` each instance republishes its state and reloads
 * the shared one (Redis without persistence comes back empty).
 */
import crypto from 'node:crypto';
import os from 'node:os';
import type { GatewayConfig } from '../config/types';
import type { Clock, Logger } from '../ports';
import { createTeamConnection, type TeamConnection } from './connection';
import { listInstances, startHeartbeat, type Heartbeat, type InstanceInfo } from './heartbeat';
import { createSealer, type Sealer } from './sealer';

export interface TeamHealth {
  /** Connected to the team's Redis now. */
  connected: boolean;
  /** The Redis URL without credentials. */
  redis: string;
  instanceId: string;
  /** Clock time since which Redis is unreachable, when it is. */
  downSince?: number;
}

export interface Team {
  /** Unique per process: `<host>-<pid>-<random>`. */
  readonly instanceId: string;
  readonly connection: TeamConnection;
  /** Seals refresh tokens with the team secret. */
  readonly sealer: Sealer;
  readonly heartbeat: Heartbeat;
  readonly clock: Clock;
  health(): TeamHealth;
  /** The instances alive now (heartbeat not expired); throws when Redis is away. */
  instances(): Promise<InstanceInfo[]>;
  close(): Promise<void>;
}

export interface TeamOptions {
  settings: GatewayConfig['store']['redis'];
  logger: Logger;
  clock: Clock;
  version: string;
  /** How long assembly waits for the first connection before starting on local state. */
  connectWaitMs?: number;
  heartbeatMs?: number;
}

/** The team, when `store.redis.url` is set; undefined otherwise (no Redis unless configured). */
export async function createTeamIfConfigured(options: TeamOptions): Promise<Team | undefined> {
  return options.settings.url ? createTeam(options) : undefined;
}

export async function createTeam(options: TeamOptions): Promise<Team> {
  const { settings, logger, clock } = options;
  // Checked before connecting: without the secret no refresh token may go to Redis at all.
  const sealer = createSealer(settings.secretKey, settings.keyPrefix);
  const connection = createTeamConnection({ url: settings.url, keyPrefix: settings.keyPrefix, logger });
  const instanceId = `${os.hostname()}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  let downSince: number | undefined = clock.now();
  connection.on('up', () => (downSince = undefined));
  connection.on('down', () => (downSince = clock.now()));
  if (!(await connection.ready(options.connectWaitMs ?? 3_000))) {
    logger.warn('team redis not reachable at start: serving from local state until it is', { redis: connection.describedUrl });
  }
  const heartbeat = startHeartbeat({
    connection,
    clock,
    logger,
    intervalMs: options.heartbeatMs ?? 5_000,
    info: { id: instanceId, host: os.hostname(), pid: process.pid, version: options.version, startedAt: clock.now() },
  });
  return {
    instanceId,
    connection,
    sealer,
    heartbeat,
    clock,
    health: () => ({ connected: connection.healthy, redis: connection.describedUrl, instanceId, ...(downSince !== undefined && { downSince }) }),
    instances: () => listInstances(connection),
    async close() {
      await heartbeat.stop();
      await connection.close();
    },
  };
}
