import crypto from 'node:crypto';
import type { OAuthTokens } from '../accounts/oauth';
import type { SharedTokens } from '../accounts/shared';
import type { Logger } from '../ports';
import type { Team } from './team';

/**
 * One token refresh per account across the team (the port: src/core/accounts/shared.ts). The refresher holds
 * `lock:refresh:<id>` (SET NX PX: a crashed holder's lock expires), writes the fresh access token sealed to
 * `token:<id>` (expiring with the token) and announces it on `tokens`; the others wait for that announcement
 * (or the lock's end) and read it. Redis away: each instance refreshes alone, as without a team.
 */
const CHANNEL = 'tokens';
/** Longer than any token call (the OAuth client's own timeout), short enough that a crash costs little. */
const LOCK_MS = 15_000;
/** How long a waiter trusts the announcement before it looks again (a message lost in a reconnection). */
const RECHECK_MS = 250;

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export function createSharedTokens(team: Team, options: { logger: Logger; lockMs?: number }): SharedTokens {
  const { connection, sealer, instanceId, clock } = team;
  const redis = connection.redis;
  const lockMs = options.lockMs ?? LOCK_MS;
  const tokenKey = (id: string) => connection.key('token', id);
  const lockKey = (id: string) => connection.key('lock', 'refresh', id);
  const announced = new Map<string, Set<() => void>>();

  connection.subscribe<{ id: string }>(CHANNEL, ({ body }) => {
    for (const wake of announced.get(body.id) ?? []) wake();
  });

  /** Resolves when `id`'s token is announced or after RECHECK_MS, whichever comes first. */
  const announcement = (id: string) =>
    new Promise<void>((resolve) => {
      const set = announced.get(id) ?? new Set();
      announced.set(id, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0) announced.delete(id);
        resolve();
      };
      const timer = setTimeout(done, RECHECK_MS);
      set.add(done);
    });

  const read = async (id: string): Promise<OAuthTokens | undefined> => {
    const sealed = await redis.get(tokenKey(id));
    if (!sealed) return undefined;
    try {
      return JSON.parse(sealer.open(sealed)) as OAuthTokens;
    } catch {
      return undefined; // sealed with another secret: as good as none
    }
  };

  return {
    async obtain(id, { validUntil, rejected, refresh }) {
      const usable = (tokens: OAuthTokens | undefined): tokens is OAuthTokens => !!tokens && tokens.expiresAt > validUntil && tokens.accessToken !== rejected;
      const owner = `${instanceId}:${crypto.randomBytes(4).toString('hex')}`;
      // Real time, as Redis counts the lock's life: after it, the holder is taken for dead.
      const giveUpAt = Date.now() + lockMs;
      for (;;) {
        let locked: boolean;
        try {
          const current = await read(id);
          if (usable(current)) return { accessToken: current.accessToken, expiresAt: current.expiresAt };
          locked = (await redis.set(lockKey(id), owner, 'PX', lockMs, 'NX')) === 'OK';
        } catch {
          return refresh(); // Redis away: alone
        }
        if (locked) {
          try {
            // The holder before us may have finished between our read and our lock.
            const current = await read(id).catch(() => undefined);
            if (usable(current)) return { accessToken: current.accessToken, expiresAt: current.expiresAt };
            const tokens = await refresh();
            const ttl = tokens.expiresAt - clock.now();
            if (ttl > 0) {
              const shared = sealer.seal(JSON.stringify({ accessToken: tokens.accessToken, expiresAt: tokens.expiresAt }));
              await redis.set(tokenKey(id), shared, 'PX', Math.ceil(ttl)).catch(() => undefined);
              void connection.publish(CHANNEL, instanceId, { id });
            }
            return tokens;
          } finally {
            await redis.eval(RELEASE, 1, lockKey(id), owner).catch(() => undefined);
          }
        }
        if (Date.now() > giveUpAt) {
          options.logger.warn('the team refresh lock outlived its holder: refreshing here', { accountId: id });
          return refresh();
        }
        await announcement(id);
      }
    },
  };
}
