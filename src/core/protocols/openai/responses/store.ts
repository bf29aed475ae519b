import { LRUCache } from 'lru-cache';
import type { Message } from '../../../ir';

export interface ResponsesStoreOptions {
  /** Responses kept at most; the least recently used goes first (default 500). */
  maxEntries?: number;
  /** How long a response can be continued after it was created (default 2 h). */
  ttlMs?: number;
  /** Milliseconds clock, for tests (default `performance.now`). */
  now?: () => number;
}

/**
 * What `previous_response_id` refers to: each stored response holds the whole
 * conversation up to and including its own answer, as IR messages, so a
 * continuation is the stored history plus the new input. Instructions and
 * tools are not kept: OpenAI does not carry them over either.
 *
 * Memory is bounded by entry count and age. Successive responses of one
 * conversation share their message objects, so a long chain costs one copy of
 * its messages plus one array per response.
 */
export class ResponsesStore {
  private readonly entries: LRUCache<string, readonly Message[]>;

  constructor(options: ResponsesStoreOptions = {}) {
    const now = options.now;
    this.entries = new LRUCache<string, readonly Message[]>({
      max: options.maxEntries ?? 500,
      ttl: options.ttlMs ?? 2 * 60 * 60 * 1000,
      // Read the clock on every lookup rather than caching it for a millisecond.
      ttlResolution: 0,
      ...(now ? { perf: { now } } : {}),
    });
  }

  save(responseId: string, conversation: readonly Message[]): void {
    this.entries.set(responseId, [...conversation]);
  }

  /** The conversation ending with that response; undefined when unknown or expired. */
  load(responseId: string): readonly Message[] | undefined {
    return this.entries.get(responseId);
  }

  get size(): number {
    return this.entries.size;
  }
}
