import { sha256Bytes } from '../../sha256';

/** Recent conversations' ids: every turn and retry of one conversation asks again, and a hash per call is not free. */
const recent = new Map<string, string>();
const RECENT_MAX = 1024;

/**
 * Cloud Code's `request.sessionId`: a negative decimal integer string derived
 * from the conversation key (upstream-protocol §8), so every turn of one
 * conversation carries the same id and finds the upstream prompt cache warm.
 */
export function sessionIdOf(conversationKey: string): string {
  const known = recent.get(conversationKey);
  if (known !== undefined) return known;
  const digest = sha256Bytes(conversationKey);
  // 63 bits: a positive signed 64-bit integer, negated.
  const value = digest.readBigUInt64BE(0) & 0x7fff_ffff_ffff_ffffn;
  const id = `-${value === 0n ? 1n : value}`;
  // Bounded: the oldest entry leaves first (a Map iterates in insertion order).
  if (recent.size >= RECENT_MAX) recent.delete(recent.keys().next().value!);
  recent.set(conversationKey, id);
  return id;
}
