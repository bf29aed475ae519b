/**
 * Masks secrets before anything is logged: every value registered at run time
 * (refresh tokens, access tokens, client keys) plus patterns of credentials a
 * message might carry without us knowing the value.
 */
const CREDENTIAL_PATTERNS: RegExp[] = [
  /\bya29\.[A-Za-z0-9_\-.]+/g, // Google access tokens
  /\b1\/\/[A-Za-z0-9_-]{20,}/g, // Google refresh tokens
  /\bsk-agate-[A-Za-z0-9_-]+/g, // our client keys
  /\bsk-[A-Za-z0-9_-]{20,}/g, // OpenAI/Anthropic-style keys
  /\bAIza[0-9A-Za-z_-]{30,}/g, // Google API keys
  /(Bearer\s+)[A-Za-z0-9_\-.~+/=]{8,}/gi,
];

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers a value that must never appear in output (ignored when too short to be a secret). */
  add(secret: string | undefined): void {
    if (secret && secret.length >= 8) this.secrets.add(secret);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join('[redacted]');
    for (const pattern of CREDENTIAL_PATTERNS) {
      out = out.replace(pattern, (match, prefix?: string) => (typeof prefix === 'string' && /^Bearer/i.test(prefix) ? `${prefix}[redacted]` : '[redacted]'));
    }
    return out;
  }
}

/** A process-wide redactor: every logger the core creates passes through it. */
export const redactor = new Redactor();
