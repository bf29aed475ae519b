import { sha256Hex } from '../sha256';
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
  return `text:${sha256Hex(text)}`;
}
