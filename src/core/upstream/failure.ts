/**
 * Every upstream failure is classified once, here in shape and in
 * `cloudcode/classify.ts` for the Cloud Code wire, so that the scheduler
 * decides from the class and never from status codes (upstream-protocol §6).
 */
export type UpstreamFailureKind =
  | 'rate_limited' // 429 RATE_LIMIT_EXCEEDED: short, per account × model
  | 'quota_exhausted' // 429 QUOTA_EXHAUSTED: until resetAt
  | 'capacity' // 503 MODEL_CAPACITY_EXHAUSTED: the model is busy, not the account
  | 'auth_expired' // 401: refresh the access token once
  | 'auth_revoked' // invalid_grant on refresh: the user must sign in again
  | 'forbidden' // 403 VALIDATION_REQUIRED (url) or ToS-disabled
  | 'signature_invalid' // 400 about thought signatures, after the upstream's own try without them
  | 'bad_request' // any other 400: the client's fault, fail at once
  | 'not_found' // 404 (unknown model / method)
  | 'server' // 5xx
  | 'network' // connection refused / reset / DNS
  | 'timeout'; // connect, first-byte or idle timeout

export interface UpstreamFailureInit {
  status?: number;
  /** Google ErrorInfo reason, e.g. RATE_LIMIT_EXCEEDED. */
  reason?: string;
  /** How long the upstream asked us to wait. */
  retryAfterMs?: number;
  /** When an exhausted quota comes back (epoch ms). */
  resetAt?: number;
  /** Where the user must go to act (403 VALIDATION_REQUIRED). */
  actionUrl?: string;
  /** The upstream's own error body (`{error:{code,message,status,details}}`), kept for Gemini clients. */
  body?: unknown;
  /** The upstream model the failure concerns. */
  model?: string;
  cause?: unknown;
}

export class UpstreamFailure extends Error {
  readonly status?: number;
  readonly reason?: string;
  readonly retryAfterMs?: number;
  readonly resetAt?: number;
  readonly actionUrl?: string;
  readonly body?: unknown;
  readonly model?: string;

  constructor(
    readonly kind: UpstreamFailureKind,
    message: string,
    init: UpstreamFailureInit = {},
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'UpstreamFailure';
    this.status = init.status;
    this.reason = init.reason;
    this.retryAfterMs = init.retryAfterMs;
    this.resetAt = init.resetAt;
    this.actionUrl = init.actionUrl;
    this.body = init.body;
    this.model = init.model;
  }
}
