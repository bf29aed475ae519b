import { randomText } from '../../random-pool';

const token = (): string => randomText(18, 'base64url');

/** A fresh Anthropic-style message id (`msg_…`). */
export const newMessageId = (): string => `msg_${token()}`;

/** Id of a synthesized `server_tool_use` block (`srvtoolu_…`, Anthropic's prefix for server tools). */
export const newServerToolUseId = (): string => `srvtoolu_${token()}`;

/** The upstream's response id in Anthropic form, so logs on both sides correlate. */
export function messageIdFor(responseId: string): string {
  if (responseId.startsWith('msg_')) return responseId;
  return /^[A-Za-z0-9_-]+$/.test(responseId) ? `msg_${responseId}` : newMessageId();
}
