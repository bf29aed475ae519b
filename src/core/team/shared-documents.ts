import type { DocumentStore, Logger } from '../ports';
import type { TeamConnection } from './connection';
import { DEFAULT_SHARED_LOOKUP_TIMEOUT_MS, withTimeout } from './shared-cache';

const UNANSWERED = Symbol('unanswered');

/**
 * A DocumentStore whose documents live in Redis for the whole team, with the instance's own store as the
 * copy it falls back on: reads prefer Redis and refresh the local copy when the team's changed; a team
 * Redis without the document is seeded from the local copy (the first instance brings its keys); writes go
 * to both. With Redis away, reads and writes are local, and the next write after it returns wins.
 */
export function createTeamDocuments(connection: TeamConnection, local: DocumentStore, options: { logger: Logger; timeoutMs?: number }): DocumentStore {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SHARED_LOOKUP_TIMEOUT_MS;
  const redisKey = (name: string) => connection.key('doc', name);
  /** The JSON last seen per document, so an unchanged reread does not rewrite the local file. */
  const lastSeen = new Map<string, string>();

  return {
    async read<T>(name: string): Promise<T | undefined> {
      const json = connection.healthy
        ? await withTimeout<string | null | typeof UNANSWERED>(connection.redis.get(redisKey(name)), timeoutMs, UNANSWERED)
        : UNANSWERED;
      if (json === UNANSWERED) return local.read<T>(name);
      if (json === null) {
        const mine = await local.read<T>(name);
        if (mine !== undefined) {
          await connection.redis.set(redisKey(name), JSON.stringify(mine), 'NX').catch(() => undefined);
          // Another instance may have seeded it first: that copy is the team's.
          const team = await connection.redis.get(redisKey(name)).catch(() => null);
          if (team !== null && team !== JSON.stringify(mine)) return adopt<T>(name, team);
        }
        return mine;
      }
      return adopt<T>(name, json);
    },
    async write<T>(name: string, value: T): Promise<void> {
      const json = JSON.stringify(value);
      await local.write(name, value);
      lastSeen.set(name, json);
      if (!connection.healthy) {
        options.logger.warn('team redis unreachable: a shared document was saved on this instance only', { document: name });
        return;
      }
      await connection.redis.set(redisKey(name), json).catch((err: unknown) => {
        options.logger.warn('team redis: saving a shared document failed; saved on this instance only', { document: name, error: (err as Error)?.message });
      });
    },
  };

  async function adopt<T>(name: string, json: string): Promise<T | undefined> {
    let value: T;
    try {
      value = JSON.parse(json) as T;
    } catch {
      options.logger.warn('team redis: a shared document is not JSON; using the local copy', { document: name });
      return local.read<T>(name);
    }
    if (lastSeen.get(name) !== json) {
      lastSeen.set(name, json);
      await local.write(name, value).catch(() => undefined);
    }
    return value;
  }
}
