import { createHash } from 'node:crypto';
import type { ChatRequest } from '../ir';

/**
 * Conversation identity for sticky routing (upstream-protocol §8): the client's
 * session key when the pipeline found one, else a hash of the first user
 * text, which stays the same for every turn of one conversation.
 */
export function conversationKeyOf(request: ChatRequest): string | undefined {
  if (request.sessionKey) return `session:${request.sessionKey}`;
  const firstUser = request.messages.find((m) => m.role === 'user');
  const text = firstUser?.parts
    .map((p) => (p.type === 'text' ? p.text : ''))
    .join('')
    .trim();
  if (!text) return undefined;
  return `text:${createHash('sha256').update(text).digest('hex')}`;
}

/**
 * The upstream `request.sessionId`: a negative decimal integer string derived
 * from the conversation key (upstream-protocol §8), so one conversation keeps one id.
 */
export function sessionIdOf(conversationKey: string): string {
  const digest = createHash('sha256').update(conversationKey).digest();
  // 63 bits: a positive signed 64-bit integer, negated.
  const value = digest.readBigUInt64BE(0) & 0x7fff_ffff_ffff_ffffn;
  return `-${value === 0n ? 1n : value}`;
}
