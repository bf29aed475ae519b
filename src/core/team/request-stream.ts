import type { Redis } from 'ioredis';
import type { RequestRecord } from '../monitor/types';
import type { Logger } from '../ports';
import type { TeamConnection } from './connection';

export interface TeamRequestStreamOptions {
  /** This instance's id: its own records come back on the stream and are skipped. */
  instanceId: string;
  logger: Logger;
  /** A record another instance finished: the token stats count it, the monitor can show it. */
  onPeer(instance: string, record: RequestRecord): void;
  /** Entries the stream keeps (approximately); a reader further behind than this loses the oldest. */
  maxLength?: number;
  /** Records kept while Redis is away, sent when it returns; older ones are dropped first. */
  maxBacklog?: number;
}

export interface TeamRequestStream {
  /** Appends a finished request for the other instances; never waits, never throws. */
  publish(record: RequestRecord): void;
  close(): Promise<void>;
}

const DEFAULT_MAX_LENGTH = 10_000;
const DEFAULT_MAX_BACKLOG = 10_000;
/** How long one XREAD blocks: also how long `close` may wait for the reader to notice. */
const BLOCK_MS = 1_000;
const RETRY_MS = 500;
const READ_BATCH = 500;

/**
 * Every instance's finished requests on one Redis stream (XADD with an approximate MAXLEN), read by every
 * other instance (XREAD BLOCK on a connection of its own, since a blocked connection can run nothing else).
 * That one feed gives each instance's token stats the team's totals and lets its monitor follow the others.
 * Records made while Redis is away wait in a bounded backlog and go out when it returns.
 */
export function startTeamRequestStream(connection: TeamConnection, options: TeamRequestStreamOptions): TeamRequestStream {
  const streamKey = connection.key('requests');
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  const maxBacklog = options.maxBacklog ?? DEFAULT_MAX_BACKLOG;
  const backlog: string[] = [];
  // No command timeout here: XREAD BLOCK is meant to wait.
  const reader: Redis = connection.redis.duplicate({ commandTimeout: undefined, connectionName: 'agate-requests' });
  reader.on('error', (err: Error) => options.logger.debug(`team request stream: ${err.message}`));
  let closed = false;

  const append = (json: string) => connection.redis.xadd(streamKey, 'MAXLEN', '~', String(maxLength), '*', 'i', options.instanceId, 'r', json);

  const keep = (json: string) => {
    backlog.push(json);
    if (backlog.length > maxBacklog) backlog.splice(0, backlog.length - maxBacklog);
  };

  const sendBacklog = async () => {
    while (backlog.length > 0 && connection.healthy && !closed) {
      const batch = backlog.splice(0, READ_BATCH);
      const pipeline = connection.redis.pipeline();
      for (const json of batch) pipeline.xadd(streamKey, 'MAXLEN', '~', String(maxLength), '*', 'i', options.instanceId, 'r', json);
      const results = await pipeline.exec().catch(() => null);
      // Only what failed goes back: resending what went through would count it twice on the others.
      const failed = results ? batch.filter((_, index) => results[index]?.[0]) : batch;
      if (failed.length > 0) {
        backlog.unshift(...failed);
        return retrySoon();
      }
    }
  };
  let sending: Promise<void> | undefined;
  const sendNow = () => void (sending ??= sendBacklog().finally(() => (sending = undefined)));
  // A failed append while Redis still counts as up (a command timeout under load) is retried on a timer:
  // no 'up' event would come to send it.
  let retryTimer: NodeJS.Timeout | undefined;
  const retrySoon = () => {
    if (retryTimer || closed) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      sendNow();
    }, RETRY_MS);
    retryTimer.unref();
  };
  connection.on('up', sendNow);

  /** A stream id at Redis' TIME reply ([seconds, microseconds]). */
  const streamIdAt = (time: ArrayLike<string | number>) => `${Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000)}-0`;
  // Redis' own "now" when this instance joins, asked on the connection that is already up (the reader's is
  // still connecting): what the others append from here on is read, the past is not recounted after a restart.
  const joinedAt: Promise<string | undefined> = connection.healthy ? connection.redis.time().then(streamIdAt, () => undefined) : Promise.resolve(undefined);

  async function readLoop(): Promise<void> {
    // Then always from the last entry read: unlike '$', an explicit id loses nothing appended while a read
    // failed or Redis was away.
    let lastId = await joinedAt;
    while (!closed) {
      try {
        lastId ??= streamIdAt(await reader.time());
        const reply = (await reader.xread('COUNT', READ_BATCH, 'BLOCK', BLOCK_MS, 'STREAMS', streamKey, lastId)) as Array<
          [string, Array<[string, string[]]>]
        > | null;
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            lastId = id;
            deliver(fields);
          }
        }
      } catch {
        if (closed) return;
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS).unref());
      }
    }
  }

  function deliver(fields: string[]): void {
    const instance = fields[fields.indexOf('i') + 1];
    const json = fields[fields.indexOf('r') + 1];
    if (!instance || instance === options.instanceId || !json) return;
    try {
      options.onPeer(instance, JSON.parse(json) as RequestRecord);
    } catch (err) {
      options.logger.warn('team request stream: a record could not be used', { instance, error: (err as Error)?.message });
    }
  }

  const loop = readLoop();

  return {
    publish(record) {
      if (closed) return;
      // Bodies stay on the instance that captured them: the stream is for counts and the live view.
      const { capture: _capture, ...shared } = record;
      const json = JSON.stringify(shared);
      if (!connection.healthy) return keep(json);
      if (backlog.length > 0) {
        keep(json);
        return sendNow();
      }
      append(json).catch(() => {
        keep(json);
        retrySoon();
      });
    },
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      connection.off('up', sendNow);
      reader.disconnect();
      await loop;
    },
  };
}
