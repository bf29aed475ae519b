import { createHash } from 'node:crypto';

/**
 * Cloud Code's `request.sessionId`: a negative decimal integer string derived
 * from the conversation key (upstream-protocol §8), so every turn of one
 * conversation carries the same id and finds the upstream prompt cache warm.
 */
export function sessionIdOf(conversationKey: string): string {
  const digest = createHash('sha256').update(conversationKey).digest();
  // 63 bits: a positive signed 64-bit integer, negated.
  const value = digest.readBigUInt64BE(0) & 0x7fff_ffff_ffff_ffffn;
  return `-${value === 0n ? 1n : value}`;
}
