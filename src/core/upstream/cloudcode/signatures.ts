import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { ChatRequest } from '../../ir';
import type { SharedCache } from '../../stores/shared-cache';
import { modelFamily, type ModelFamily } from './models';

/**
 * Thought signatures the upstream handed out, so that they can be replayed
 * when a client drops them (OpenAI clients have no field for them; fact
 * sheet §7). Entries are keyed by model family: a Gemini signature sent to
 * Claude, or back, is refused, so a lookup never crosses families.
 */
export interface SignatureCacheOptions {
  /** Peers keep signatures about two hours; a conversation idle longer re-thinks anyway. */
  ttlMs?: number;
  /** Bound on the characters held (signatures run to kilobytes). */
  maxChars?: number;
  /** Team mode: the next turn may land on another instance, so signatures are shared there too. */
  shared?: SharedCache;
}

/** What Gemini 3 accepts in place of a signature it never issued (upstream-protocol §7). */
export const SKIP_SIGNATURE_SENTINEL = 'skip_thought_signature_validator';

const TWO_HOURS_MS = 2 * 60 * 60 * 1000;

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** Lookups of one request in the shared cache at most; a longer history replays the rest from what is local. */
const MAX_PREFETCH_KEYS = 512;

export class SignatureCache {
  private readonly entries: LRUCache<string, string>;
  private readonly ttlMs: number;
  private readonly shared: SharedCache | undefined;

  constructor(options: SignatureCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? TWO_HOURS_MS;
    this.shared = options.shared;
    this.entries = new LRUCache<string, string>({
      ttl: this.ttlMs,
      maxSize: options.maxChars ?? 16 * 1024 * 1024,
      sizeCalculation: (value, key) => value.length + key.length,
    });
  }

  rememberToolCall(family: ModelFamily, callId: string, signature: string): void {
    this.put(`call:${family}:${callId}`, signature);
    this.rememberFamily(family, signature);
  }

  toolCallSignature(family: ModelFamily, callId: string): string | undefined {
    return this.entries.get(`call:${family}:${callId}`);
  }

  rememberThinking(family: ModelFamily, text: string, signature: string): void {
    this.put(`thought:${family}:${digest(text)}`, signature);
    this.rememberFamily(family, signature);
  }

  thinkingSignature(family: ModelFamily, text: string): string | undefined {
    return this.entries.get(`thought:${family}:${digest(text)}`);
  }

  /** The family that issued this signature, when it passed through this gateway recently. */
  familyOf(signature: string): ModelFamily | undefined {
    return this.entries.get(`family:${digest(signature)}`) as ModelFamily | undefined;
  }

  /**
   * Team mode: copies what encoding `request` for `model` will look up from the shared cache into this one,
   * in one round trip, before the (synchronous) encoder runs. Entries already here are not asked for: a
   * signature never changes once issued.
   */
  async prefetch(request: ChatRequest, model: string): Promise<void> {
    if (!this.shared) return;
    const family = modelFamily(model);
    const wanted = new Set<string>();
    const want = (key: string) => {
      if (wanted.size < MAX_PREFETCH_KEYS && !this.entries.has(key)) wanted.add(key);
    };
    for (const message of request.messages) {
      if (message.role !== 'assistant') continue;
      for (const part of message.parts) {
        if (part.type === 'tool_call') want(`call:${family}:${part.id}`);
        if (part.type === 'thinking' && part.text) want(`thought:${family}:${digest(part.text)}`);
        if ((part.type === 'tool_call' || part.type === 'thinking') && part.signature) want(`family:${digest(part.signature)}`);
      }
    }
    if (wanted.size === 0) return;
    const keys = [...wanted];
    const values = await this.shared.getMany(keys.map((key) => `sig:${key}`));
    keys.forEach((key, index) => {
      const value = values[index];
      if (value !== undefined) this.entries.set(key, value);
    });
  }

  private rememberFamily(family: ModelFamily, signature: string): void {
    this.put(`family:${digest(signature)}`, family);
  }

  private put(key: string, value: string): void {
    this.entries.set(key, value);
    this.shared?.set(`sig:${key}`, value, this.ttlMs);
  }
}
