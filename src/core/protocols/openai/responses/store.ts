import { LRUCache } from 'lru-cache';
import type { Message, Part } from '../../../ir';
import type { SharedCache } from '../../../stores/shared-cache';

export interface ResponsesStoreOptions {
  /** Responses kept at most; the least recently used goes first (default 500). */
  maxEntries?: number;
  /**
   * Bytes of conversation kept at most (default 256 MiB), counted per response
   * as if nothing were shared, so the bound holds whatever the chains look like.
   */
  maxBytes?: number;
  /** How long a response can be continued after it was created (default 2 h). */
  ttlMs?: number;
  /** Milliseconds clock, for tests (default `performance.now`). */
  now?: () => number;
  /**
   * Team mode: a continuation may reach another instance, so each response is also written there (as JSON,
   * with the same TTL; one past the shared store's size cap stays local) and a local miss looks there.
   */
  shared?: SharedCache;
}

const TWO_HOURS_MS = 2 * 60 * 60 * 1000;

/**
 * What `previous_response_id` refers to: each stored response holds the whole
 * conversation up to and including its own answer, as IR messages, so a
 * continuation is the stored history plus the new input. Instructions and
 * tools are not kept: OpenAI does not carry them over either.
 *
 * Memory is bounded by entry count, bytes and age. Successive responses of one
 * conversation share their message objects, so a long chain costs one copy of
 * its messages plus one array per response.
 */
export class ResponsesStore {
  private readonly entries: LRUCache<string, readonly Message[]>;
  private readonly shared: SharedCache | undefined;
  private readonly ttlMs: number;

  constructor(options: ResponsesStoreOptions = {}) {
    const now = options.now;
    this.shared = options.shared;
    this.ttlMs = options.ttlMs ?? TWO_HOURS_MS;
    this.entries = new LRUCache<string, readonly Message[]>({
      max: options.maxEntries ?? 500,
      maxSize: options.maxBytes ?? 256 * 1024 * 1024,
      sizeCalculation: (conversation) =>
        Math.max(
          1,
          conversation.reduce((sum, message) => sum + messageBytes(message), 0),
        ),
      ttl: this.ttlMs,
      // Read the clock on every lookup rather than caching it for a millisecond.
      ttlResolution: 0,
      ...(now ? { perf: { now } } : {}),
    });
  }

  save(responseId: string, conversation: readonly Message[]): void {
    this.entries.set(responseId, [...conversation]);
    // Sent before the answer's last frame leaves, so the client's next request (wherever it lands) finds it.
    this.shared?.set(`resp:${responseId}`, JSON.stringify(conversation), this.ttlMs);
  }

  /** Team mode: brings a response another instance stored into this store, before `load` (synchronous) needs it. */
  async preload(responseId: string): Promise<void> {
    if (!this.shared || this.entries.has(responseId)) return;
    const [json] = await this.shared.getMany([`resp:${responseId}`]);
    if (json === undefined) return;
    try {
      const conversation = JSON.parse(json) as unknown;
      if (Array.isArray(conversation) && conversation.every(isMessage)) this.entries.set(responseId, conversation);
    } catch {
      // Not ours (another program under the same prefix): the id reads as unknown.
    }
  }

  /** The conversation ending with that response; undefined when unknown or expired. */
  load(responseId: string): readonly Message[] | undefined {
    return this.entries.get(responseId);
  }

  get size(): number {
    return this.entries.size;
  }
}

function isMessage(value: unknown): value is Message {
  const message = value as Message | null;
  return typeof message === 'object' && message !== null && (message.role === 'user' || message.role === 'assistant') && Array.isArray(message.parts);
}

/** Sizes of messages already counted: chains share their messages, so each is measured once. */
const measured = new WeakMap<Message, number>();

function messageBytes(message: Message): number {
  let bytes = measured.get(message);
  if (bytes === undefined) {
    bytes = message.parts.reduce((sum, part) => sum + partBytes(part), 0);
    measured.set(message, bytes);
  }
  return bytes;
}

/** Roughly what a part holds in memory: its strings, two bytes a character. */
function partBytes(part: Part): number {
  switch (part.type) {
    case 'text':
      return 2 * part.text.length;
    case 'thinking':
      return 2 * (part.text.length + (part.signature?.length ?? 0));
    case 'media':
      return 2 * (part.source.kind === 'base64' ? part.source.data.length : part.source.url.length);
    case 'tool_call':
      return 2 * (part.name.length + JSON.stringify(part.args).length + (part.signature?.length ?? 0));
    case 'tool_result':
      return 2 * JSON.stringify(part.content).length + (part.response ? 2 * JSON.stringify(part.response).length : 0);
  }
}
