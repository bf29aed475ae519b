import { createHash, randomBytes } from 'node:crypto';

/** PKCE S256 (RFC 7636): a random verifier and its SHA-256 challenge, both base64url. */
export interface PkcePair {
  verifier: string;
  challenge: string;
}

export const challengeOf = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');

export function createPkcePair(): PkcePair {
  // 32 random bytes → a 43-character verifier, the minimum length RFC 7636 allows.
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: challengeOf(verifier) };
}

/** An unguessable value for the OAuth `state` parameter. */
export const randomState = (): string => randomBytes(16).toString('base64url');
