/** Google-shaped error bodies `{error:{code,message,status,details}}` and the exception that carries them. */

const CANONICAL_STATUS: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  408: 'DEADLINE_EXCEEDED',
  409: 'ABORTED',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'NOT_IMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export const CLOUDCODE_DOMAIN = 'cloudcode-pa.googleapis.com';

export interface GoogleErrorBody {
  error: { code: number; message: string; status: string; details?: unknown[] };
}

export function googleError(code: number, message: string, details?: unknown[]): GoogleErrorBody {
  const error: GoogleErrorBody['error'] = { code, message, status: CANONICAL_STATUS[code] ?? 'UNKNOWN' };
  if (details) error.details = details;
  return { error };
}

/** Thrown by handlers; the router turns it into the response. */
export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(`simulated ${status}`);
    this.name = 'SimHttpError';
  }
}

export function invalidArgument(message: string): SimHttpError {
  return new SimHttpError(400, googleError(400, message));
}

/** What Cloud Code answers for unknown models, methods and operations. */
export function notFound(): SimHttpError {
  return new SimHttpError(404, googleError(404, 'Requested entity was not found.'));
}

export function unauthenticated(missing: boolean): SimHttpError {
  const message = missing
    ? 'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.'
    : 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';
  return new SimHttpError(401, googleError(401, message), {
    'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"',
  });
}
