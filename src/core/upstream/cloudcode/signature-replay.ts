import type { ThinkingPart, ToolCallPart } from '../../ir';
import { modelFamily, requiresCallSignature, type ModelFamily } from './models';
import { SKIP_SIGNATURE_SENTINEL, type SignatureCache } from './signatures';
import type { GeminiPart } from './wire';

/**
 * Which thought signature goes back upstream with a replayed history part
 * (upstream-protocol §7). The client's own copy wins when it belongs to the target
 * family; otherwise the cache fills the gap; otherwise Gemini 3 calls get the
 * sentinel and everything else goes without.
 */
export class SignatureReplay {
  private readonly family: ModelFamily;

  constructor(
    private readonly model: string,
    private readonly cache: SignatureCache,
    /** The retry after a signature 400: replay none at all. */
    private readonly dropAll: boolean,
  ) {
    this.family = modelFamily(model);
  }

  /** A signature is usable unless this gateway saw another family issue it. */
  private usable(signature: string | undefined): string | undefined {
    if (!signature) return undefined;
    const issuer = this.cache.familyOf(signature);
    return issuer === undefined || issuer === this.family ? signature : undefined;
  }

  forToolCall(call: ToolCallPart): string | undefined {
    if (!this.dropAll) {
      const signature = this.usable(call.signature) ?? this.cache.toolCallSignature(this.family, call.id);
      if (signature) return signature;
    }
    return requiresCallSignature(this.model) ? SKIP_SIGNATURE_SENTINEL : undefined;
  }

  /**
   * A replayed thought, or nothing. Thoughts without a usable signature are
   * dropped rather than sent as plain text: unsigned thinking is refused by
   * Claude and ignored by Gemini, and turning another model's reasoning into
   * visible assistant text would put words in this model's mouth.
   */
  forThinking(part: ThinkingPart): GeminiPart | undefined {
    if (this.dropAll) return undefined;
    const signature = this.usable(part.signature) ?? (part.text ? this.cache.thinkingSignature(this.family, part.text) : undefined);
    if (!signature) return undefined;
    return { thought: true, text: part.redacted ? '' : part.text, thoughtSignature: signature };
  }
}
