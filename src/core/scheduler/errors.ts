import type { AttemptRecord } from '../dispatch';
import { GatewayError } from '../errors';
import type { UpstreamFailure } from '../upstream/failure';

export const NO_ACCOUNT_MESSAGE =
  'No Google account is configured. Add one with `agate accounts add --refresh-token …` or the VS Code command "Agate: Add Account"';

/** A GatewayError that also carries the attempts made, for the monitor. */
export class DispatchError extends GatewayError {
  constructor(
    error: GatewayError,
    readonly attempts: AttemptRecord[],
  ) {
    super(error.kind, error.message, {
      param: error.param,
      retryAfterSeconds: error.retryAfterSeconds,
      details: error.details,
      cause: error.cause,
    });
    this.name = 'DispatchError';
  }
}

/** Google's `error.details` from the upstream body, kept for Gemini clients. */
function detailsOf(body: unknown): unknown[] | undefined {
  const error = (body as { error?: { details?: unknown } } | undefined)?.error;
  return Array.isArray(error?.details) ? error.details : undefined;
}

/**
 * The upstream's 429 details (its ErrorInfo reason and reset) for an error the
 * gateway words itself, such as every account being limited. RetryInfo is left
 * out: the gateway knows when the first account is free and adds its own.
 */
export function rateLimitDetailsOf(failure: UpstreamFailure | undefined): unknown[] | undefined {
  if (failure?.kind !== 'rate_limited' && failure?.kind !== 'quota_exhausted') return undefined;
  const details = detailsOf(failure.body)?.filter(
    (detail) => (detail as { '@type'?: unknown } | null)?.['@type'] !== 'type.googleapis.com/google.rpc.RetryInfo',
  );
  return details !== undefined && details.length > 0 ? details : undefined;
}

export const secondsUntil = (at: number, now: number): number => Math.max(1, Math.ceil((at - now) / 1000));

/** The client-facing error for an upstream failure the scheduler could not route around. */
export function gatewayErrorOf(failure: UpstreamFailure, now: number): GatewayError {
  const cause = failure;
  switch (failure.kind) {
    case 'rate_limited':
    case 'quota_exhausted': {
      const at = failure.resetAt ?? (failure.retryAfterMs !== undefined ? now + failure.retryAfterMs : undefined);
      return new GatewayError('rate_limit', failure.message, {
        retryAfterSeconds: at === undefined ? undefined : secondsUntil(at, now),
        details: detailsOf(failure.body),
        cause,
      });
    }
    case 'capacity':
      return new GatewayError('overloaded', failure.message, { details: detailsOf(failure.body), cause });
    case 'bad_request':
    case 'signature_invalid':
      return new GatewayError('invalid_request', failure.message, { details: detailsOf(failure.body), cause });
    case 'not_found':
      return new GatewayError('not_found', failure.message, { details: detailsOf(failure.body), cause });
    case 'timeout':
      return new GatewayError('timeout', failure.message, { cause });
    case 'server':
    case 'network':
      return new GatewayError('bad_gateway', failure.message, { cause });
    case 'auth_expired':
    case 'auth_revoked':
    case 'forbidden':
      return new GatewayError('unavailable', failure.message, { cause });
  }
}
