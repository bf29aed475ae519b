import { randomFillSync } from 'node:crypto';

/**
 * Random bytes for ids on the hot path, drawn from a pool refilled 4 KB at a time: one call into the system's
 * generator per few hundred ids instead of one per id (`randomBytes(16)` per response was 2 % of the chat
 * path's CPU at 500 req/s). Not for secrets: those keep their own `randomBytes`.
 */
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let used = POOL_BYTES;

/** `bytes` fresh random bytes (at most 4096) as text. */
export function randomText(bytes: number, encoding: 'hex' | 'base64url'): string {
  if (used + bytes > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  const text = pool.toString(encoding, used, used + bytes);
  used += bytes;
  return text;
}
