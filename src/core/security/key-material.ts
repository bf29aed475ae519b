import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The shape of Agate's keys and how they are checked.
 *
 * - The primary key: `sk-agate-<48 hex>`, the user's own, kept as-is in the SecretStore.
 * - A client key: `sk-agate-<id>_<48 hex>`. The id (16 hex) is public and names the
 *   record; only a salted SHA-256 of the secret part is stored. A fast hash is enough
 *   because the secret is 192 random bits: there is nothing to guess, and a slow KDF
 *   would cost every request tens of milliseconds.
 *
 * Hex rather than base64 keeps every character inside the redactor's
 * `sk-agate-[A-Za-z0-9_-]+` pattern, so a key in any text is masked whole.
 */
export const KEY_PREFIX = 'sk-agate-';
const SECRET_BYTES = 24;
const CLIENT_KEY = /^sk-agate-([0-9a-f]{16})_([0-9a-f]{48})$/;

export const newPrimaryKey = (): string => KEY_PREFIX + randomBytes(SECRET_BYTES).toString('hex');

export const newKeyId = (): string => randomBytes(8).toString('hex');

export interface IssuedSecret {
  key: string;
  salt: string;
  hash: string;
}

/** A fresh client key for record `id`, with what to store about it. */
export function issueClientKey(id: string): IssuedSecret {
  const secret = randomBytes(SECRET_BYTES).toString('hex');
  const salt = randomBytes(16).toString('hex');
  return { key: `${KEY_PREFIX}${id}_${secret}`, salt, hash: hashSecret(salt, secret) };
}

/** The record id and secret part of a well-formed client key. */
export function parseClientKey(presented: string): { id: string; secret: string } | undefined {
  const match = CLIENT_KEY.exec(presented);
  return match ? { id: match[1], secret: match[2] } : undefined;
}

export const hashSecret = (salt: string, secret: string): string => createHash('sha256').update(salt, 'hex').update(secret, 'utf8').digest('hex');

/**
 * Equality without an early exit: both sides are hashed first so the
 * comparison always runs over 32 bytes whatever the inputs' lengths.
 */
export function constantTimeEquals(a: string, b: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** Compares a presented secret with a stored salted hash in constant time. */
export function secretMatches(secret: string, salt: string, storedHash: string): boolean {
  const actual = Buffer.from(hashSecret(salt, secret), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
