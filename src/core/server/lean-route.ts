import type { IncomingMessage, ServerResponse } from 'node:http';
import querystring, { type ParsedUrlQuery } from 'node:querystring';
import type Koa from 'koa';

/**
 * The generation routes without Koa. At 500 req/s Koa's per-request objects (context, request and response
 * with their delegated getters), its compose, `on-finished` and the router's match over every route cost
 * about 7 % of the gateway's CPU, more than any one codec. The hot routes run the same middleware functions
 * (request id, access log, rejections, error boundary, guards, the route's auth check, body, handler) on a
 * context that has only what those functions read and write; every other route stays on Koa.
 *
 * A hot route matches one path exactly (or one path prefix and a single segment after it, with the segment
 * decoded as @koa/router decodes its parameters), for POST only: everything else, including other spellings of
 * the same path, goes to Koa's strict router as before.
 */
export class LeanContext {
  readonly state: Record<string, unknown> = {};
  params: Record<string, string> = {};
  /** False when a handler writes the response itself (a stream). */
  respond: boolean | undefined;
  readonly request: { readonly length: number | undefined };
  private statusCode = 404;
  private statusSet = false;
  private bodyValue: unknown;
  private parsedQuery: ParsedUrlQuery | undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly path: string,
    private readonly search: string,
  ) {
    // As Koa's `request.length`: the declared Content-Length as a number, undefined when absent.
    const declared = req.headers['content-length'];
    this.request = { length: declared === undefined || declared === '' ? undefined : ~~declared };
  }

  get method(): string {
    return this.req.method ?? 'GET';
  }

  get headers(): IncomingMessage['headers'] {
    return this.req.headers;
  }

  get query(): ParsedUrlQuery {
    return (this.parsedQuery ??= this.search ? querystring.parse(this.search) : {});
  }

  /** Koa's default: no proxy trust, no TLS on this listener. */
  get protocol(): string {
    return 'http';
  }

  /** A request header by name ('' when absent), as Koa's `ctx.get`. */
  get(name: string): string {
    const key = name.toLowerCase();
    const value = key === 'referer' || key === 'referrer' ? (this.req.headers.referer ?? this.req.headers.referrer) : this.req.headers[key];
    if (value === undefined) return '';
    return Array.isArray(value) ? value.join(', ') : value;
  }

  set(name: string, value: string | number | string[]): void {
    if (this.res.headersSent) return;
    this.res.setHeader(name, Array.isArray(value) ? value.map(String) : String(value));
  }

  vary(field: string): void {
    if (this.res.headersSent) return;
    const current = this.res.getHeader('vary');
    const listed = typeof current === 'string' ? current.split(/\s*,\s*/).map((item) => item.toLowerCase()) : [];
    if (listed.includes('*') || listed.includes(field.toLowerCase())) return;
    this.res.setHeader('vary', typeof current === 'string' && current ? `${current}, ${field}` : field);
  }

  get status(): number {
    return this.statusCode;
  }

  set status(code: number) {
    this.statusSet = true;
    this.statusCode = code;
  }

  get body(): unknown {
    return this.bodyValue;
  }

  /** As Koa: a body without an explicit status answers 200. */
  set body(value: unknown) {
    this.bodyValue = value;
    if (!this.statusSet) this.statusCode = value === null ? 204 : 200;
  }
}

type LeanMiddleware = (ctx: LeanContext, next: () => Promise<void>) => unknown;

/** Koa's compose for a fixed stack: each middleware gets `next`, which runs the rest once. */
function compose(stack: readonly Koa.Middleware[]): (ctx: LeanContext) => Promise<void> {
  const middleware = stack as unknown as readonly LeanMiddleware[];
  return (ctx) => {
    let last = -1;
    const dispatch = (index: number): Promise<void> => {
      if (index <= last) return Promise.reject(new Error('next() called multiple times'));
      last = index;
      const fn = middleware[index];
      if (!fn) return Promise.resolve();
      try {
        return Promise.resolve(fn(ctx, () => dispatch(index + 1))) as Promise<void>;
      } catch (err) {
        return Promise.reject(err);
      }
    };
    return dispatch(0);
  };
}

/** Writes what the middleware left in the context, as Koa's `respond` does for the bodies the hot routes set. */
function respond(ctx: LeanContext): void {
  const { res } = ctx;
  if (ctx.respond === false || res.writableEnded || res.destroyed) return;
  res.statusCode = ctx.status;
  const body = ctx.body;
  if (body === undefined || body === null || ctx.status === 204 || ctx.status === 304) {
    res.end();
    return;
  }
  let payload: string | Buffer;
  if (typeof body === 'string') {
    payload = body;
    if (!res.hasHeader('content-type')) res.setHeader('content-type', 'text/plain; charset=utf-8');
  } else if (Buffer.isBuffer(body)) {
    payload = body;
    if (!res.hasHeader('content-type')) res.setHeader('content-type', 'application/octet-stream');
  } else {
    payload = JSON.stringify(body);
    if (!res.hasHeader('content-type')) res.setHeader('content-type', 'application/json; charset=utf-8');
  }
  res.setHeader('content-length', typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length);
  res.end(payload);
}

export interface LeanRoute {
  /** The whole path, or (with `segmentParam`) the prefix before the one segment it captures. */
  path: string;
  /** The parameter name of the single segment after `path` (`/v1beta/models/:modelAction`). */
  segmentParam?: string;
  /** The route's own stack: its auth check, then its handlers. */
  stack: readonly Koa.Middleware[];
}

/** @koa/router's parameter decoding: percent-decoded, or as sent when that fails. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The request listener: a POST to a hot route runs `before` (the gateway-wide middleware) and the route's stack
 * on a LeanContext; anything else goes to `fallback` (Koa).
 */
export function leanRequestListener(
  before: readonly Koa.Middleware[],
  routes: readonly LeanRoute[],
  fallback: (req: IncomingMessage, res: ServerResponse) => void,
  onUnhandled: (err: unknown, ctx: LeanContext) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  const exact = new Map<string, (ctx: LeanContext) => Promise<void>>();
  const bySegment: Array<{ prefix: string; param: string; run: (ctx: LeanContext) => Promise<void> }> = [];
  for (const route of routes) {
    const run = compose([...before, ...route.stack]);
    if (route.segmentParam) bySegment.push({ prefix: route.path, param: route.segmentParam, run });
    else exact.set(route.path, run);
  }
  return (req, res) => {
    const url = req.url ?? '';
    if (req.method !== 'POST' || url.charCodeAt(0) !== 47 /* '/' */) return fallback(req, res);
    const queryAt = url.indexOf('?');
    const path = queryAt < 0 ? url : url.slice(0, queryAt);
    // A fragment is not part of a request target; Koa's parser would cut it: leave such requests to Koa.
    if (path.includes('#')) return fallback(req, res);
    let run = exact.get(path);
    let params: Record<string, string> | undefined;
    if (!run) {
      for (const route of bySegment) {
        if (!path.startsWith(route.prefix)) continue;
        const segment = path.slice(route.prefix.length);
        if (segment === '' || segment.includes('/')) continue;
        run = route.run;
        params = { [route.param]: decodeSegment(segment) };
        break;
      }
    }
    if (!run) return fallback(req, res);
    const ctx = new LeanContext(req, res, path, queryAt < 0 ? '' : url.slice(queryAt + 1));
    if (params) ctx.params = params;
    run(ctx).then(
      () => respond(ctx),
      (err: unknown) => onUnhandled(err, ctx),
    );
  };
}
