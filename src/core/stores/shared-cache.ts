/**
 * A key-value map the instances of a team share (Redis, src/core/team/shared-cache.ts); absent when the
 * gateway runs alone. The stores that sit on a request's path (thought signatures, conversation → account
 * bindings, Responses history) keep their local cache and use this one beside it: a value written here
 * reaches the other instances, a local miss looks here once before giving up. Nothing here may fail a
 * request: an unreachable store reads as a miss and drops writes.
 */
export interface SharedCache {
  /** One round trip, bounded by a short timeout; unknown, expired and unanswered keys read as undefined. */
  getMany(keys: readonly string[]): Promise<Array<string | undefined>>;
  /** Written in the background with an expiry; a value past the store's size cap stays local. */
  set(key: string, value: string, ttlMs: number): void;
}
