import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { ModelFamily } from './models';

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
}

/** What Gemini 3 accepts in place of a signature it never issued (upstream-protocol §7). */
export const SKIP_SIGNATURE_SENTINEL = 'skip_thought_signature_validator';

const TWO_HOURS_MS = 2 * 60 * 60 * 1000;

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

export class SignatureCache {
  private readonly entries: LRUCache<string, string>;

  constructor(options: SignatureCacheOptions = {}) {
    this.entries = new LRUCache<string, string>({
      ttl: options.ttlMs ?? TWO_HOURS_MS,
      maxSize: options.maxChars ?? 16 * 1024 * 1024,
      sizeCalculation: (value, key) => value.length + key.length,
    });
  }

  rememberToolCall(family: ModelFamily, callId: string, signature: string): void {
    this.entries.set(`call:${family}:${callId}`, signature);
    this.rememberFamily(family, signature);
  }

  toolCallSignature(family: ModelFamily, callId: string): string | undefined {
    return this.entries.get(`call:${family}:${callId}`);
  }

  rememberThinking(family: ModelFamily, text: string, signature: string): void {
    this.entries.set(`thought:${family}:${digest(text)}`, signature);
    this.rememberFamily(family, signature);
  }

  thinkingSignature(family: ModelFamily, text: string): string | undefined {
    return this.entries.get(`thought:${family}:${digest(text)}`);
  }

  /** The family that issued this signature, when it passed through this gateway recently. */
  familyOf(signature: string): ModelFamily | undefined {
    return this.entries.get(`family:${digest(signature)}`) as ModelFamily | undefined;
  }

  private rememberFamily(family: ModelFamily, signature: string): void {
    this.entries.set(`family:${digest(signature)}`, family);
  }
}
