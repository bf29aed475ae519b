/**
 * Client-facing errors, independent of protocol. Each codec renders a
 * GatewayError in its own shape (Anthropic / OpenAI / Google) with the status
 * its SDK expects; nothing else decides statuses.
 */
import type { CoreMessage } from './messages';

export type GatewayErrorKind =
  | 'invalid_request' // 400
  | 'authentication' // 401
  | 'permission' // 403
  | 'not_found' // 404
  | 'request_too_large' // 413
  | 'request_timeout' // 408: the client did not finish sending its request in time
  | 'rate_limit' // 429
  | 'api_error' // 500
  | 'bad_gateway' // 502
  | 'unavailable' // 503 (no usable account, gateway stopping)
  | 'overloaded' // 529 for Anthropic, 503 elsewhere
  | 'timeout'; // 504

export const statusOfKind: Record<GatewayErrorKind, number> = {
  invalid_request: 400,
  authentication: 401,
  permission: 403,
  not_found: 404,
  request_too_large: 413,
  request_timeout: 408,
  rate_limit: 429,
  api_error: 500,
  bad_gateway: 502,
  unavailable: 503,
  overloaded: 529,
  timeout: 504,
};

export interface GatewayErrorOptions {
  /** The message as a code and parameters, for a host to word in its user's language (admin calls; clients get the English). */
  detail?: CoreMessage;
  /** The request field at fault, e.g. `messages[2].content[0].source`. */
  param?: string;
  retryAfterSeconds?: number;
  /** Google-style `details` from the upstream, preserved for Gemini clients. */
  details?: unknown[];
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly param?: string;
  readonly retryAfterSeconds?: number;
  readonly details?: unknown[];
  readonly detail?: CoreMessage;

  constructor(
    readonly kind: GatewayErrorKind,
    message: string,
    options: GatewayErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.param = options.param;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.details = options.details;
    this.detail = options.detail;
  }

  get status(): number {
    return statusOfKind[this.kind];
  }
}

export const invalidRequest = (message: string, param?: string): GatewayError => new GatewayError('invalid_request', message, { param });

/** Any thrown value as a GatewayError; unknown errors become a generic 500 without internals. */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  return new GatewayError('api_error', 'Internal gateway error', { cause: err });
}
