import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { redactor } from '../logging/redactor';
import type { Logger } from '../ports';

/**
 * The team's Redis: one connection for commands, one for pub/sub (a subscribed connection can run nothing else).
 *
 * Commands fail fast when Redis is away (no offline queue, one retry, a command timeout): a request must never
 * wait on Redis, it carries on with the instance's local state. Reconnection runs in the background with a
 * capped backoff; `up`/`down` tell the rest of the core when to fall back and when to resynchronise.
 */
export interface TeamConnectionOptions {
  /** `redis://` or `rediss://` (TLS), password and db in the URL. A secret: only `describeRedisUrl` of it is logged. */
  url: string;
  /** Prefix of every key and channel (`agate:`). */
  keyPrefix: string;
  logger: Logger;
  /** Longest wait for one command before it counts as failed (Redis hung, not closed). */
  commandTimeoutMs?: number;
  /** Longest wait between reconnection attempts. */
  maxReconnectDelayMs?: number;
}

/** A pub/sub message as handlers receive it: the sender's instance id and its JSON body. */
export interface TeamMessage<T = unknown> {
  from: string;
  body: T;
}

export interface TeamConnection {
  /** For commands. Every call may reject (Redis away): callers catch and keep their local state. */
  readonly redis: Redis;
  /** Whether the command connection is ready now. */
  readonly healthy: boolean;
  /** `redis://host:port/db` without credentials, for logs and status. */
  readonly describedUrl: string;
  /** `agate:` + parts joined by `:` — every key this instance touches goes through here. */
  key(...parts: string[]): string;
  /** Sends `body` as JSON on the prefixed channel; false when Redis is away (the change stays local). */
  publish(channel: string, from: string, body: unknown): Promise<boolean>;
  /** Calls `handler` for each message on the prefixed channel, across reconnections; returns the unsubscribe. */
  subscribe<T>(channel: string, handler: (message: TeamMessage<T>) => void): () => void;
  /** Resolves true once connected, false after `timeoutMs` (the caller then starts on local state). */
  ready(timeoutMs: number): Promise<boolean>;
  on(event: 'up' | 'down', listener: () => void): void;
  off(event: 'up' | 'down', listener: () => void): void;
  close(): Promise<void>;
}

/** The URL with its user and password masked, for logs, `/healthz` and `agate team status`. */
export function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const masked = parsed.username || parsed.password ? '***@' : '';
    return `${parsed.protocol}//${masked}${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '(invalid Redis URL)';
  }
}

/** Registers the URL and its password with the log redactor, so an ioredis error quoting either is masked. */
function hideCredentials(url: string): void {
  redactor.add(url);
  try {
    const parsed = new URL(url);
    redactor.add(decodeURIComponent(parsed.password));
  } catch {
    // An unparsable URL is registered whole above; ioredis will refuse it.
  }
}

export function createTeamConnection(options: TeamConnectionOptions): TeamConnection {
  const { url, keyPrefix, logger } = options;
  hideCredentials(url);
  const describedUrl = describeRedisUrl(url);
  const maxDelay = options.maxReconnectDelayMs ?? 2_000;
  const common = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 1_000,
    connectTimeout: 2_000,
    // Our own resubscription (below) knows which channels matter; ioredis' would replay failed ones too.
    autoResubscribe: false,
    retryStrategy: (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 10), maxDelay),
    lazyConnect: false,
  };
  // Required here, not imported: a gateway without team mode never loads ioredis (7 MB of idle RSS).
  const { Redis: RedisClient } = require('ioredis') as typeof import('ioredis');
  const redis = new RedisClient(url, { ...common, connectionName: 'agate' });
  const subscriber = new RedisClient(url, { ...common, connectionName: 'agate-sub' });
  const events = new EventEmitter();
  let healthy = false;
  let closed = false;

  const quietly = (which: string) => (err: Error) => logger.debug(`team redis (${which}): ${err.message}`, { redis: describedUrl });
  redis.on('error', quietly('commands'));
  subscriber.on('error', quietly('pub/sub'));
  redis.on('ready', () => {
    if (healthy) return;
    healthy = true;
    logger.info('team redis connected', { redis: describedUrl });
    events.emit('up');
  });
  redis.on('close', () => {
    if (!healthy) return;
    healthy = false;
    if (!closed) logger.warn('team redis unreachable: serving from local state until it returns', { redis: describedUrl });
    events.emit('down');
  });

  const handlers = new Map<string, Set<(message: TeamMessage) => void>>();
  const subscribeAll = () => {
    if (handlers.size > 0) subscriber.subscribe(...handlers.keys()).catch(quietly('pub/sub'));
  };
  subscriber.on('ready', subscribeAll);
  subscriber.on('message', (channel: string, raw: string) => {
    let message: TeamMessage;
    try {
      message = JSON.parse(raw) as TeamMessage;
    } catch {
      return logger.warn('team redis: a message that is not JSON, ignored', { channel });
    }
    for (const handler of handlers.get(channel) ?? []) {
      try {
        handler(message);
      } catch (err) {
        logger.error('team message handler failed', { channel, error: (err as Error).message });
      }
    }
  });

  const key = (...parts: string[]) => keyPrefix + parts.join(':');

  return {
    redis,
    get healthy() {
      return healthy;
    },
    describedUrl,
    key,
    async publish(channel, from, body) {
      try {
        await redis.publish(key('ch', channel), JSON.stringify({ from, body }));
        return true;
      } catch (err) {
        quietly('publish')(err as Error);
        return false;
      }
    },
    subscribe<T>(channel: string, handler: (message: TeamMessage<T>) => void) {
      const name = key('ch', channel);
      let set = handlers.get(name);
      if (!set) {
        set = new Set();
        handlers.set(name, set);
        if (subscriber.status === 'ready') subscriber.subscribe(name).catch(quietly('pub/sub'));
      }
      set.add(handler as (message: TeamMessage) => void);
      return () => {
        set.delete(handler as (message: TeamMessage) => void);
        if (set.size > 0) return;
        handlers.delete(name);
        if (subscriber.status === 'ready') subscriber.unsubscribe(name).catch(quietly('pub/sub'));
      };
    },
    ready(timeoutMs) {
      if (healthy) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          events.off('up', onUp);
          resolve(false);
        }, timeoutMs);
        timer.unref();
        const onUp = () => {
          clearTimeout(timer);
          resolve(true);
        };
        events.once('up', onUp);
      });
    },
    on: (event, listener) => void events.on(event, listener),
    off: (event, listener) => void events.off(event, listener),
    async close() {
      closed = true;
      handlers.clear();
      // quit() waits for replies when connected; disconnect() ends at once when Redis is away.
      await Promise.all(
        [redis, subscriber].map((client) => (client.status === 'ready' ? client.quit().catch(() => client.disconnect()) : client.disconnect())),
      );
    },
  };
}
