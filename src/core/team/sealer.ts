import crypto from 'node:crypto';

/**
 * Refresh tokens are in Redis only sealed with the team secret (`store.redis.secretKey`): whoever reads the
 * Redis (a backup, a shared instance, a MONITOR) gets nothing usable without it. AES-256-GCM, so a tampered or
 * foreign value fails to open instead of decrypting to garbage. The key is derived once with scrypt (the secret
 * may be a passphrase), salted with the key prefix so two teams on one Redis with the same secret differ.
 */
export interface Sealer {
  /** `v1.<iv>.<tag>.<ciphertext>`, base64url. */
  seal(plain: string): string;
  /** The plain text; throws when the value was sealed with another secret or altered. */
  open(sealed: string): string;
}

const VERSION = 'v1';

export function createSealer(secretKey: string, salt: string): Sealer {
  if (!secretKey) throw new Error('store.redis.secretKey is required with store.redis.url (it encrypts refresh tokens in Redis)');
  const key = crypto.scryptSync(secretKey, `agate-team:${salt}`, 32);
  return {
    seal(plain) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    open(sealed) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('not a sealed team value');
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      try {
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new Error('a sealed team value did not open: another store.redis.secretKey, or altered');
      }
    },
  };
}
