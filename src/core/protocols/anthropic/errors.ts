import type { GatewayError, GatewayErrorKind } from '../../errors';
import type { ErrorReply } from '../codec';

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
}

/**
 * Status and `error.type` per kind, as Anthropic documents them; the SDK
 * picks its exception class from the status and retries 429 and ≥ 500.
 * Anthropic has no 502/503 of its own: a failed upstream (502) and "no usable
 * account" (503) keep their honest status with the generic `api_error`,
 * while `overloaded` is Anthropic's 529, which Claude Code retries with its
 * own backoff and may answer by switching to its fallback model.
 */
const ERROR_SHAPES: Record<GatewayErrorKind, { status: number; type: string }> = {
  invalid_request: { status: 400, type: 'invalid_request_error' },
  authentication: { status: 401, type: 'authentication_error' },
  permission: { status: 403, type: 'permission_error' },
  not_found: { status: 404, type: 'not_found_error' },
  request_too_large: { status: 413, type: 'request_too_large' },
  request_timeout: { status: 408, type: 'timeout_error' },
  rate_limit: { status: 429, type: 'rate_limit_error' },
  api_error: { status: 500, type: 'api_error' },
  bad_gateway: { status: 502, type: 'api_error' },
  unavailable: { status: 503, type: 'api_error' },
  overloaded: { status: 529, type: 'overloaded_error' },
  timeout: { status: 504, type: 'timeout_error' },
};

/**
 * Claude Code tells the user "Invalid API key" only when a 401's message names `x-api-key`, as Anthropic's
 * own ("invalid x-api-key") does; other wording reads to it as a failure it should retry.
 */
function messageOf(err: GatewayError): string {
  if (err.kind !== 'authentication' || err.message.includes('x-api-key')) return err.message;
  return `${err.message} (invalid x-api-key)`;
}

export function anthropicErrorBody(err: GatewayError): AnthropicErrorBody {
  return { type: 'error', error: { type: ERROR_SHAPES[err.kind].type, message: messageOf(err) } };
}

export function encodeAnthropicError(err: GatewayError): ErrorReply {
  const reply: ErrorReply = { status: ERROR_SHAPES[err.kind].status, body: anthropicErrorBody(err) };
  const headers: Record<string, string> = {};
  if (err.retryAfterSeconds !== undefined) {
    // Whole seconds, rounded up: a client that retries early only meets the same limit again.
    headers['retry-after'] = String(Math.max(0, Math.ceil(err.retryAfterSeconds)));
  }
  // Anthropic's SDKs (and Claude Code, which otherwise retries a 401 for a minute) obey this header:
  // a wrong key or a refused permission does not get better by asking again.
  if (err.kind === 'authentication' || err.kind === 'permission') headers['x-should-retry'] = 'false';
  if (Object.keys(headers).length > 0) reply.headers = headers;
  return reply;
}
