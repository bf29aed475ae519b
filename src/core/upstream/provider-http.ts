/**
 * One streamed call to a paid provider over the shared upstream transport:
 * the request, first-byte and idle timers, SSE `data:` frames as they arrive
 * (never buffered whole), and non-2xx answers classified by the adapter.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { UpstreamFailure } from './failure';
import type { TransportResponse, UpstreamTransport } from './transport';

export interface ProviderCall {
  /** Without a trailing slash. */
  baseUrl: string;
  key: string;
  /** The provider's model id. */
  model: string;
  signal: AbortSignal;
}

export interface ProviderHttpOptions {
  transport: UpstreamTransport;
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
}

export interface SseRequest {
  url: URL;
  headers: Record<string, string>;
  body: string;
  model: string;
  signal: AbortSignal;
  /** The provider's error answer as an UpstreamFailure. */
  classify(status: number, body: unknown, header: (name: string) => string | undefined): UpstreamFailure;
}

const NETWORK_TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

export function networkFailure(err: unknown, model: string): UpstreamFailure {
  const code = (err as { code?: unknown } | undefined)?.code;
  const detail = typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
  if (typeof code === 'string' && NETWORK_TIMEOUT_CODES.has(code))
    return new UpstreamFailure('timeout', `provider connection timed out (${detail})`, { model, cause: err });
  return new UpstreamFailure('network', `provider unreachable (${detail})`, { model, cause: err });
}

/** `retry-after` as seconds or an HTTP date, in ms. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The cancellation and timers of one call to a provider (streamed here, or passed through as bytes). */
export interface CallDeadline {
  /** The transport request's signal: aborted by the caller's signal, a timer running out, or `cut`. */
  signal: AbortSignal;
  /** (Re)starts the timer named `what` (first byte, idle stream); the same timer is refreshed in place. */
  arm(ms: number, what: string): void;
  /** A transport error as what the caller sees: its own abort reason, a timeout, or a network failure. */
  explain(err: unknown): unknown;
  /** Stops the timer and stops listening to the caller's signal. */
  release(): void;
  /** Cuts the transport request (an answer not read to its end). */
  cut(): void;
}

export function callDeadline(callerSignal: AbortSignal, model: string): CallDeadline {
  if (callerSignal.aborted) throw callerSignal.reason;
  const controller = new AbortController();
  const onAbort = () => controller.abort(callerSignal.reason);
  callerSignal.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  let armedFor: string | undefined;
  let timedOut: string | undefined;
  return {
    signal: controller.signal,
    arm: (ms, what) => {
      // Each chunk re-arms the idle timer: refreshed in place, not a new timer per chunk.
      if (timer && armedFor === what) {
        timer.refresh();
        return;
      }
      clearTimeout(timer);
      armedFor = what;
      timer = setTimeout(() => {
        timedOut = what;
        controller.abort(new Error(`${what} timeout`));
      }, ms);
    },
    explain: (err) => {
      if (callerSignal.aborted) return callerSignal.reason;
      if (timedOut) return new UpstreamFailure('timeout', `provider sent nothing within the ${timedOut} timeout`, { model, cause: err });
      return err instanceof UpstreamFailure ? err : networkFailure(err, model);
    },
    release: () => {
      clearTimeout(timer);
      timer = undefined;
      callerSignal.removeEventListener('abort', onAbort);
    },
    cut: () => controller.abort(),
  };
}

/**
 * The SSE events of a provider's answer, as they arrive. Aborting the
 * caller's signal, or returning early, cuts the connection.
 */
export async function* streamSse(options: ProviderHttpOptions, request: SseRequest): AsyncGenerator<EventSourceMessage, void, undefined> {
  const { signal, arm, explain, release, cut } = callDeadline(request.signal, request.model);
  let response: TransportResponse | undefined;
  let complete = false;
  try {
    arm(options.firstByteTimeoutMs, 'first byte');
    try {
      response = await options.transport.request({
        url: request.url,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...request.headers },
        body: request.body,
        signal,
      });
    } catch (err) {
      throw explain(err);
    }
    const body = response.body;
    body.setEncoding('utf8');
    const reader = body[Symbol.asyncIterator]() as AsyncIterator<string>;
    const next = async (): Promise<string | undefined> => {
      let result: IteratorResult<string>;
      try {
        result = await reader.next();
      } catch (err) {
        throw explain(err);
      }
      if (result.done) return undefined;
      arm(options.idleTimeoutMs, 'idle stream');
      return result.value;
    };
    if (response.status < 200 || response.status >= 300) {
      let text = '';
      for (let chunk = await next(); chunk !== undefined; chunk = await next()) if (text.length < 1_000_000) text += chunk;
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not JSON (a proxy's page): classified from the status and the text.
      }
      complete = true;
      throw request.classify(response.status, parsed, (name) => response!.header(name));
    }
    const events: EventSourceMessage[] = [];
    const parser = createParser({ onEvent: (event) => events.push(event) });
    for (let chunk = await next(); chunk !== undefined; chunk = await next()) {
      parser.feed(chunk);
      for (let i = 0; i < events.length; i++) yield events[i];
      events.length = 0;
    }
    parser.feed('\n\n');
    for (const event of events) yield event;
    complete = true;
  } finally {
    release();
    if (!complete) {
      cut();
      response?.body.destroy();
    }
  }
}

/** JSON of one SSE frame; a malformed one is a server failure. */
export function frameJson(data: string, model: string): Record<string, unknown> {
  try {
    const value = JSON.parse(data) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch (err) {
    throw new UpstreamFailure('server', 'the provider sent a malformed stream frame', { model, cause: err });
  }
  throw new UpstreamFailure('server', 'the provider sent a stream frame that is not an object', { model });
}

/** The `error.message` of a provider error body (all three wrap it so), else a short text. */
export function errorMessageOf(body: unknown, status: number): string {
  const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string')
    return (error as { message: string }).message;
  if (typeof body === 'string' && body.trim()) return body.trim().slice(0, 300);
  return `HTTP ${status}`;
}

/**
 * The failure classes shared by the three providers (kind-specific bodies are
 * read by each adapter first): 401/403 the key, 429 a cooldown, 529 and 503 capacity,
 * other 5xx the server, 404 the model, other 4xx the request.
 */
export function classifyProviderStatus(status: number, message: string, model: string, retryAfter: number | undefined, body: unknown): UpstreamFailure {
  const init = { status, model, body, retryAfterMs: retryAfter };
  if (status === 401 || status === 403) return new UpstreamFailure('forbidden', `key rejected: ${message}`, { ...init, reason: 'KEY_REJECTED' });
  if (status === 429) return new UpstreamFailure('rate_limited', message, { ...init, reason: 'RATE_LIMIT_EXCEEDED' });
  if (status === 529 || status === 503) return new UpstreamFailure('capacity', message, { ...init, reason: 'OVERLOADED' });
  if (status >= 500) return new UpstreamFailure('server', message, init);
  if (status === 404) return new UpstreamFailure('not_found', message, init);
  if (status === 408) return new UpstreamFailure('timeout', message, init);
  return new UpstreamFailure('bad_request', message, init);
}
