import { readAccount } from '../accounts/account-store';
import type { SharedAccountHandlers, SharedAccounts } from '../accounts/shared';
import type { AccountRecord, ModelLimit } from '../accounts/types';
import type { Logger } from '../ports';
import { startLeaderLease, type LeaderLease } from './leader-lease';
import { createSharedTokens } from './shared-tokens';
import type { Team } from './team';

/**
 * The pool's shared state in Redis (the port: src/core/accounts/shared.ts).
 *
 * Keys under the team prefix: `accounts` (hash id → record JSON, no secret in it), `limits:<id>` (hash model →
 * limit JSON; apart from the record so that two instances limiting two models at once both land),
 * `refresh` (hash id → refresh token sealed with the team secret). Changes go out on the `accounts` channel
 * as they are written, so the others apply them without a read (well within 100 ms on a LAN).
 */
type PoolMessage = { op: 'put'; record: AccountRecord } | { op: 'limit'; id: string; model: string; limit: ModelLimit } | { op: 'removed'; id: string };

const CHANNEL = 'accounts';

export interface TeamPoolState extends SharedAccounts {
  /** Stops the quota lease (and hands it over at once). */
  close(): Promise<void>;
}

const isLimit = (value: unknown): value is ModelLimit => {
  const limit = value as ModelLimit | undefined;
  return !!limit && (limit.kind === 'cooldown' || limit.kind === 'exhausted') && typeof limit.until === 'number' && typeof limit.reason === 'string';
};

export function createTeamPoolState(team: Team, options: { logger: Logger; quotaLeaseMs?: number }): TeamPoolState {
  const { connection, sealer, instanceId } = team;
  const { logger } = options;
  const redis = connection.redis;
  const accountsKey = connection.key('accounts');
  const refreshKey = connection.key('refresh');
  const limitsKey = (id: string) => connection.key('limits', id);

  const quietly = (what: string) => (err: unknown) => logger.debug(`team ${what} failed: ${(err as Error).message}`);
  const publish = (message: PoolMessage) => void connection.publish(CHANNEL, instanceId, message);
  const lease: LeaderLease = startLeaderLease(team, { name: 'quota', ttlMs: options.quotaLeaseMs ?? 30_000, logger });

  return {
    async load() {
      if (!connection.healthy) return undefined;
      try {
        const entries = await redis.hgetall(accountsKey);
        const records: AccountRecord[] = [];
        for (const raw of Object.values(entries)) {
          const record = readAccount(JSON.parse(raw) as unknown);
          if (!record) continue;
          for (const [model, rawLimit] of Object.entries(await redis.hgetall(limitsKey(record.id)))) {
            const limit = JSON.parse(rawLimit) as unknown;
            if (isLimit(limit) && (record.limits[model]?.until ?? 0) < limit.until) record.limits[model] = limit;
          }
          records.push(record);
        }
        return records;
      } catch (err) {
        quietly('account load')(err);
        return undefined;
      }
    },

    put(record) {
      const { lastUsedAt: _perInstance, ...shared } = record;
      redis.hset(accountsKey, record.id, JSON.stringify(shared)).catch(quietly('account write'));
      publish({ op: 'put', record: shared });
    },

    limit(accountId, model, limit) {
      // Publish first: the others need it before their next request; the write is for instances starting later.
      publish({ op: 'limit', id: accountId, model, limit });
      redis
        .multi()
        .hset(limitsKey(accountId), model, JSON.stringify(limit))
        // A limit never outlives its end; the hash goes with the latest one (NX: a fresh hash, GT: a later end).
        .pexpireat(limitsKey(accountId), Math.ceil(limit.until), 'NX')
        .pexpireat(limitsKey(accountId), Math.ceil(limit.until), 'GT')
        .exec()
        .catch(quietly('limit write'));
    },

    remove(accountId) {
      redis.multi().hdel(accountsKey, accountId).hdel(refreshKey, accountId).del(limitsKey(accountId)).exec().catch(quietly('account removal'));
      publish({ op: 'removed', id: accountId });
    },

    async refreshToken(accountId) {
      if (!connection.healthy) return undefined;
      try {
        const sealed = await redis.hget(refreshKey, accountId);
        return sealed ? sealer.open(sealed) : undefined;
      } catch (err) {
        // A value sealed with another secret is as good as none: the local copy serves.
        logger.warn('team refresh token unreadable', { accountId, error: (err as Error).message });
        return undefined;
      }
    },

    async setRefreshToken(accountId, refreshToken) {
      await redis.hset(refreshKey, accountId, sealer.seal(refreshToken));
    },

    subscribe(handlers: SharedAccountHandlers) {
      const stop = connection.subscribe<PoolMessage>(CHANNEL, ({ from, body }) => {
        if (from === instanceId) return;
        if (body.op === 'put') {
          const record = readAccount(body.record);
          if (record) handlers.put(record);
        } else if (body.op === 'limit') {
          if (isLimit(body.limit)) handlers.limit(body.id, body.model, body.limit);
        } else if (body.op === 'removed') {
          handlers.removed(body.id);
        }
      });
      // Each (re)connection after this point: what changed meanwhile was not heard, or never read at start.
      const onUp = () => handlers.resync();
      connection.on('up', onUp);
      return () => {
        stop();
        connection.off('up', onUp);
      };
    },

    tokens: createSharedTokens(team, { logger }),
    quotaLeader: () => lease.held(),
    close: () => lease.stop(),
  };
}
