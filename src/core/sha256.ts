import crypto from 'node:crypto';

type OneShot = (algorithm: string, data: string, encoding: 'hex' | 'buffer') => string | Buffer;
/** `crypto.hash` (Node ≥ 20.12): half the cost of a Hash object for the short texts hashed per request. */
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

/** SHA-256 of a text as hex. */
export const sha256Hex = (text: string): string =>
  oneShot ? (oneShot('sha256', text, 'hex') as string) : crypto.createHash('sha256').update(text).digest('hex');

/** SHA-256 of a text as bytes. */
export const sha256Bytes = (text: string): Buffer =>
  oneShot ? (oneShot('sha256', text, 'buffer') as Buffer) : crypto.createHash('sha256').update(text).digest();
