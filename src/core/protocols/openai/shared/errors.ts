import type { GatewayError, GatewayErrorKind } from '../../../errors';
import type { ErrorReply } from '../../codec';

/** The `error` member of every OpenAI error body, in JSON answers and in stream frames alike. */
export interface OpenAIErrorObject {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

const typeOfKind: Record<GatewayErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  // OpenAI answers an unknown model or response with a 404 of type invalid_request_error.
  not_found: 'invalid_request_error',
  request_too_large: 'invalid_request_error',
  request_timeout: 'invalid_request_error',
  // OpenAI's own 429s carry `type: "requests"` (or "tokens") with code rate_limit_exceeded.
  rate_limit: 'requests',
  api_error: 'server_error',
  bad_gateway: 'server_error',
  unavailable: 'service_unavailable_error',
  overloaded: 'service_unavailable_error',
  timeout: 'server_error',
};

function codeOf(err: GatewayError): string | null {
  switch (err.kind) {
    case 'authentication':
      return 'invalid_api_key';
    case 'not_found':
      // The router and the Responses store say what was missing through `param`.
      if (err.param === 'model') return 'model_not_found';
      if (err.param === 'previous_response_id') return 'previous_response_not_found';
      return null;
    case 'request_too_large':
      return 'request_too_large';
    case 'rate_limit':
      // Codex retries `rate_limit_exceeded` after the delay it reads from the message.
      return 'rate_limit_exceeded';
    case 'bad_gateway':
      return 'bad_gateway';
    case 'unavailable':
      return 'service_unavailable';
    case 'overloaded':
      // The code OpenAI and Codex use for "model at capacity".
      return 'server_is_overloaded';
    case 'timeout':
    case 'request_timeout':
      return 'timeout';
    default:
      return null;
  }
}

function messageOf(err: GatewayError): string {
  // Codex parses "try again in <n>s" out of rate-limit messages to schedule its retry.
  if (err.kind === 'rate_limit' && err.retryAfterSeconds !== undefined && !/try again in/i.test(err.message)) {
    return `${err.message} Please try again in ${err.retryAfterSeconds}s.`;
  }
  return err.message;
}

export function openAIErrorObject(err: GatewayError): OpenAIErrorObject {
  return { message: messageOf(err), type: typeOfKind[err.kind], param: err.param ?? null, code: codeOf(err) };
}

/** OpenAI has no 529: an overloaded upstream is a 503 here (codec contract, errors.ts). */
export const openAIStatus = (err: GatewayError): number => (err.kind === 'overloaded' ? 503 : err.status);

export function encodeOpenAIError(err: GatewayError): ErrorReply {
  const reply: ErrorReply = { status: openAIStatus(err), body: { error: openAIErrorObject(err) } };
  if (err.retryAfterSeconds !== undefined) {
    const seconds = Math.max(0, err.retryAfterSeconds);
    // The openai SDKs read `retry-after-ms` first, then `retry-after`.
    reply.headers = { 'retry-after': String(Math.ceil(seconds)), 'retry-after-ms': String(Math.round(seconds * 1000)) };
  }
  return reply;
}
