import { UpstreamFailure, type UpstreamFailureInit } from '../failure';
import { parseDurationMs } from './duration';

/**
 * Cloud Code answers → UpstreamFailure (upstream-protocol §6). Everything the
 * scheduler needs (kind, delays, reset time, the URL a user must visit) is
 * read here, once; the original Google error body rides along for Gemini
 * clients.
 */

interface GoogleError {
  code?: number;
  message?: string;
  status?: string;
  details: Array<Record<string, unknown>>;
}

interface ErrorFacts {
  reason?: string;
  metadata: Record<string, unknown>;
  retryDelayMs?: number;
  helpUrl?: string;
}

export interface HttpFailureContext {
  model?: string;
  /** The HTTP `Retry-After` header, used when the body names no delay. */
  retryAfterHeader?: string | null;
  now?: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{error:{…}}`, or the one-element array Google streams errors as, or plain text. */
export function parseGoogleError(body: unknown): GoogleError | undefined {
  const candidate = Array.isArray(body) ? body[0] : body;
  if (!isRecord(candidate) || !isRecord(candidate.error)) return undefined;
  const error = candidate.error;
  return {
    code: typeof error.code === 'number' ? error.code : undefined,
    message: typeof error.message === 'string' ? error.message : undefined,
    status: typeof error.status === 'string' ? error.status : undefined,
    details: Array.isArray(error.details) ? error.details.filter(isRecord) : [],
  };
}

function detailOf(details: GoogleError['details'], type: string): Record<string, unknown> | undefined {
  return details.find((d) => typeof d['@type'] === 'string' && (d['@type'] as string).endsWith(type));
}

function errorFacts(error: GoogleError | undefined): ErrorFacts {
  const details = error?.details ?? [];
  const info = detailOf(details, 'google.rpc.ErrorInfo');
  const retry = detailOf(details, 'google.rpc.RetryInfo');
  const help = detailOf(details, 'google.rpc.Help');
  const links = Array.isArray(help?.links) ? help.links.filter(isRecord) : [];
  return {
    reason: typeof info?.reason === 'string' ? info.reason : undefined,
    metadata: isRecord(info?.metadata) ? info.metadata : {},
    retryDelayMs: parseDurationMs(retry?.retryDelay),
    helpUrl: links.map((l) => l.url).find((u): u is string => typeof u === 'string'),
  };
}

/** "Your quota will reset after 1h2m3s." / "Resets in 108h48m29s." — the only delay some 429s carry. */
function delayInMessage(message: string): number | undefined {
  const match = /resets? (?:after|in) ([0-9hms.]+?)\.?(?:\s|$)/i.exec(message);
  return match ? parseDurationMs(match[1]) : undefined;
}

function retryAfterHeaderMs(header: string | null | undefined, now: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function firstUrl(text: string): string | undefined {
  return /https:\/\/[^\s"'<>)]+/.exec(text)?.[0];
}

const isHttpsUrl = (value: unknown): value is string => typeof value === 'string' && value.startsWith('https://');

/**
 * The page a 403 VALIDATION_REQUIRED sends the user to: `validation_url` on
 * the wire. Its neighbours `validation_url_link_text` (a label) and
 * `validation_learn_more_url` (a help article) are not it.
 */
function validationUrl(metadata: Record<string, unknown>): string | undefined {
  if (isHttpsUrl(metadata.validation_url)) return metadata.validation_url;
  const other = Object.entries(metadata).find(([key, value]) => /url|link/i.test(key) && !/learn_?more/i.test(key) && isHttpsUrl(value));
  return other?.[1] as string | undefined;
}

const SIGNATURE_PROBLEM = /signature|thinking/i;
const CAPACITY_PROBLEM = /no capacity available|capacity exhausted|overloaded/i;
const TOS_PROBLEM = /terms of service|has been disabled|account (?:is )?disabled/i;
const VALIDATION_PROBLEM = /verify your account|validation required|validate your account/i;

export function classifyHttpFailure(status: number, body: unknown, context: HttpFailureContext = {}): UpstreamFailure {
  const now = context.now ?? Date.now();
  const error = parseGoogleError(body);
  const facts = errorFacts(error);
  const message = error?.message ?? (typeof body === 'string' && body.trim() ? body.trim().slice(0, 500) : `HTTP ${status}`);
  const resetDelayMs = parseDurationMs(facts.metadata.quotaResetDelay);
  const resetStamp = typeof facts.metadata.quotaResetTimeStamp === 'string' ? Date.parse(facts.metadata.quotaResetTimeStamp) : NaN;
  const retryAfterMs = facts.retryDelayMs ?? resetDelayMs ?? delayInMessage(message) ?? retryAfterHeaderMs(context.retryAfterHeader, now);
  const init: UpstreamFailureInit = {
    status,
    reason: facts.reason,
    retryAfterMs,
    body: error ? (Array.isArray(body) ? body[0] : body) : undefined,
    model: context.model ?? (typeof facts.metadata.model === 'string' ? facts.metadata.model : undefined),
  };
  const fail = (kind: UpstreamFailure['kind'], extra: Partial<UpstreamFailureInit> = {}) => new UpstreamFailure(kind, message, { ...init, ...extra });

  if (facts.reason === 'MODEL_CAPACITY_EXHAUSTED' || (status === 503 && CAPACITY_PROBLEM.test(message))) {
    return fail('capacity');
  }
  switch (status) {
    case 429: {
      if (facts.reason === 'QUOTA_EXHAUSTED') {
        const resetAt = Number.isNaN(resetStamp) ? (retryAfterMs === undefined ? undefined : now + retryAfterMs) : resetStamp;
        return fail('quota_exhausted', { resetAt });
      }
      return fail('rate_limited');
    }
    case 401:
      return fail('auth_expired');
    case 403: {
      if (facts.reason === 'VALIDATION_REQUIRED' || VALIDATION_PROBLEM.test(message)) {
        return fail('forbidden', {
          reason: 'VALIDATION_REQUIRED',
          actionUrl: validationUrl(facts.metadata) ?? facts.helpUrl ?? firstUrl(message),
        });
      }
      if (TOS_PROBLEM.test(message)) return fail('forbidden', { reason: facts.reason ?? 'ACCOUNT_DISABLED' });
      return fail('forbidden', { reason: facts.reason ?? error?.status });
    }
    case 400:
      return SIGNATURE_PROBLEM.test(message) ? fail('signature_invalid') : fail('bad_request');
    case 404:
      return fail('not_found');
    case 408:
      return fail('timeout');
  }
  if (status >= 500) return fail('server');
  return fail('bad_request');
}

const TIMEOUT_CODES: ReadonlySet<string> = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/** The system error code under fetch's generic "fetch failed". */
function networkErrorCode(err: unknown): string | undefined {
  for (let current: unknown = err, depth = 0; isRecord(current) || current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    if (depth > 4) break;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function classifyNetworkError(err: unknown, model?: string): UpstreamFailure {
  const code = networkErrorCode(err);
  const detail = code ?? (err instanceof Error ? err.message : String(err));
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new UpstreamFailure('timeout', `Cloud Code connection timed out (${detail})`, { model, cause: err });
  }
  return new UpstreamFailure('network', `Cloud Code unreachable (${detail})`, { model, cause: err });
}
