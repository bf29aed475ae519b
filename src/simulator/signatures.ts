/**
 * Thought signatures the simulator issues and later verifies (upstream-protocol §7):
 * opaque to clients, bound to a model family and to what they sign (a call
 * id or a response id), unforgeable without the per-simulator key.
 * Layout: base64url( payloadLength:u8 | "family:subject" | HMAC-SHA256 ).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ModelFamily } from './models';

/** What gateways and gemini-cli send when they have no signature to replay. */
export const SKIP_SIGNATURE_SENTINEL = 'skip_thought_signature_validator';

const MAC_BYTES = 32;
const FAMILIES: readonly ModelFamily[] = ['claude', 'gemini', 'gpt'];

export interface SignedClaim {
  family: ModelFamily;
  subject: string;
}

export class ThoughtSigner {
  private readonly key: Buffer;

  constructor(secret?: string) {
    this.key = secret === undefined ? randomBytes(32) : Buffer.from(secret, 'utf8');
  }

  sign(family: ModelFamily, subject: string): string {
    const payload = Buffer.from(`${family}:${subject}`, 'utf8');
    if (payload.length > 255) throw new Error('signature subject too long');
    return Buffer.concat([Buffer.from([payload.length]), payload, this.mac(payload)]).toString('base64url');
  }

  /** The signed claim, or undefined for anything this simulator did not issue. */
  verify(signature: string): SignedClaim | undefined {
    const raw = Buffer.from(signature, 'base64url');
    if (raw.length < 1 + MAC_BYTES || raw.toString('base64url') !== signature) return undefined;
    const payloadLength = raw[0];
    if (raw.length !== 1 + payloadLength + MAC_BYTES) return undefined;
    const payload = raw.subarray(1, 1 + payloadLength);
    if (!timingSafeEqual(raw.subarray(1 + payloadLength), this.mac(payload))) return undefined;
    const text = payload.toString('utf8');
    const colon = text.indexOf(':');
    const family = text.slice(0, colon) as ModelFamily;
    if (!FAMILIES.includes(family)) return undefined;
    return { family, subject: text.slice(colon + 1) };
  }

  private mac(payload: Buffer): Buffer {
    return createHmac('sha256', this.key).update(payload).digest();
  }
}
