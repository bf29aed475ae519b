/**
 * Gemini 3 puts thought signatures on function calls and refuses a replayed
 * call without one (upstream-protocol §7). A Responses function_call item has no
 * field for it, but Codex replays every reasoning item's `encrypted_content`
 * verbatim, and that content is ours to define: a call's signature travels as
 * a reasoning item of its own, marked with the call id, just before the call.
 */
const MARK = 'agate.call.';

export const encodeCallSignature = (callId: string, signature: string): string => `${MARK}${callId}:${signature}`;

/** `{callId, signature}` when `encrypted` carries a call signature. Thought signatures are base64, which has no '.', so they never carry the mark. */
export function decodeCallSignature(encrypted: string): { callId: string; signature: string } | undefined {
  if (!encrypted.startsWith(MARK)) return undefined;
  const rest = encrypted.slice(MARK.length);
  const colon = rest.indexOf(':');
  if (colon <= 0) return undefined;
  return { callId: rest.slice(0, colon), signature: rest.slice(colon + 1) };
}
