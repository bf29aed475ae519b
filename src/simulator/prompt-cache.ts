/**
 * The upstream prompt cache (upstream-protocol §8): a request whose `sessionId`
 * repeats on the same account and model, with a prompt that starts with the
 * previous prompt, reports that previous prompt as `cachedContentTokenCount`.
 * Prompts are remembered as rolling digests, one per content, so the prefix
 * test costs one hash per turn and no stored text.
 */
import { createHash } from 'node:crypto';
import type { GenerateRequest } from './wire';

interface CachedPrompt {
  contents: number;
  digest: string;
  tokens: number;
}

const MAX_SESSIONS = 10_000;

export class PromptCache {
  private readonly sessions = new Map<string, CachedPrompt>();

  /** Remembers this prompt and returns how many of its tokens the previous one of the session covers. */
  observe(account: string, model: string, request: GenerateRequest, promptTokens: number): number {
    const sessionId = request.sessionId;
    if (!sessionId) return 0;
    const key = `${account}\n${model}\n${sessionId}`;
    const previous = this.sessions.get(key);
    let digest = createHash('sha1')
      .update(JSON.stringify([request.systemInstruction ?? null, request.tools ?? null]))
      .digest('hex');
    let cached = 0;
    request.contents.forEach((content, index) => {
      digest = createHash('sha1').update(digest).update(JSON.stringify(content)).digest('hex');
      if (previous && previous.contents === index + 1 && previous.digest === digest) cached = previous.tokens;
    });
    this.sessions.delete(key);
    this.sessions.set(key, { contents: request.contents.length, digest, tokens: promptTokens });
    if (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value as string);
    return Math.min(cached, promptTokens);
  }
}
