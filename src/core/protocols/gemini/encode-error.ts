/**
 * GatewayErrors in Google's shape, `{error: {code, message, status, details?}}`,
 * with the HTTP status and canonical status name Google clients expect.
 */
import type { GatewayError, GatewayErrorKind } from '../../errors';
import type { ErrorReply } from '../codec';
import type { GoogleErrorBody } from './wire';

/**
 * Google answers an oversized payload with 400 INVALID_ARGUMENT ("Request
 * payload size exceeds the limit"), so 413 does too: Google clients treat it
 * as the same non-retryable failure. A busy upstream is 503 UNAVAILABLE here
 * (the 529 "overloaded" is Anthropic's); 502 keeps its code, the status
 * names the transient failure it is.
 */
const GOOGLE_STATUS: Record<GatewayErrorKind, { code: number; status: string }> = {
  invalid_request: { code: 400, status: 'INVALID_ARGUMENT' },
  request_too_large: { code: 400, status: 'INVALID_ARGUMENT' },
  request_timeout: { code: 408, status: 'DEADLINE_EXCEEDED' },
  authentication: { code: 401, status: 'UNAUTHENTICATED' },
  permission: { code: 403, status: 'PERMISSION_DENIED' },
  not_found: { code: 404, status: 'NOT_FOUND' },
  rate_limit: { code: 429, status: 'RESOURCE_EXHAUSTED' },
  api_error: { code: 500, status: 'INTERNAL' },
  bad_gateway: { code: 502, status: 'UNAVAILABLE' },
  unavailable: { code: 503, status: 'UNAVAILABLE' },
  overloaded: { code: 503, status: 'UNAVAILABLE' },
  timeout: { code: 504, status: 'DEADLINE_EXCEEDED' },
};

const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';
const BAD_REQUEST = 'type.googleapis.com/google.rpc.BadRequest';

const hasType = (detail: unknown, type: string): boolean =>
  typeof detail === 'object' && detail !== null && (detail as Record<string, unknown>)['@type'] === type;

/** Protobuf Duration JSON: seconds with a fractional part, e.g. `"0.479s"`. */
const protoDuration = (seconds: number): string => `${Number(seconds.toFixed(3))}s`;

/**
 * The upstream's own `details` (ErrorInfo, RetryInfo of a 429: upstream-protocol §6)
 * pass through untouched. A known retry delay missing from them is added as a
 * RetryInfo, which gemini-cli reads to time its retry; a bad field becomes a
 * BadRequest field violation, as Google reports it.
 */
function detailsOf(err: GatewayError): unknown[] | undefined {
  const details = [...(err.details ?? [])];
  if (err.retryAfterSeconds !== undefined && !details.some((d) => hasType(d, RETRY_INFO))) {
    details.push({ '@type': RETRY_INFO, retryDelay: protoDuration(err.retryAfterSeconds) });
  }
  if (err.kind === 'invalid_request' && err.param !== undefined && !details.some((d) => hasType(d, BAD_REQUEST))) {
    details.push({ '@type': BAD_REQUEST, fieldViolations: [{ field: err.param, description: err.message }] });
  }
  return details.length > 0 ? details : undefined;
}

export function googleErrorBody(err: GatewayError): GoogleErrorBody {
  const { code, status } = GOOGLE_STATUS[err.kind];
  const body: GoogleErrorBody = { error: { code, message: err.message, status } };
  const details = detailsOf(err);
  if (details !== undefined) body.error.details = details;
  return body;
}

export function encodeGoogleError(err: GatewayError): ErrorReply {
  const body = googleErrorBody(err);
  const reply: ErrorReply = { status: body.error.code, body };
  if (err.retryAfterSeconds !== undefined) {
    reply.headers = { 'retry-after': String(Math.max(1, Math.ceil(err.retryAfterSeconds))) };
  }
  return reply;
}
