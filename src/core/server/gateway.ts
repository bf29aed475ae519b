import type { RouterMiddleware } from '@koa/router';
import Koa from 'koa';
import type { ModelCatalog } from '../dispatch';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError, toGatewayError } from '../errors';
import { leanRequestListener } from './lean-route';
import { protocolFamilyOf } from './protocol-of-path';
import type { RequestObserver } from '../monitor/types';
import type { Logger } from '../ports';
import type { ProtocolRegistry } from '../protocols/registry';
import { readJsonBodyAndBytes } from './body';
import { handleGeneration, inboundContextOf, type GenerateDeps } from './generate';
import { accessLog, errorBoundary, requestId, type ErrorRenderers } from './middleware';
import type { PoolQuota } from './pool-quota';
import { recordRejections } from './rejections';
import { RouteTable, type Authorizer } from './routes';

export interface HealthReport {
  status: 'ok' | 'degraded';
  version: string;
  uptimeSeconds: number;
  accounts: { total: number; usable: number };
  /** Team mode only: whether this instance reaches the team's Redis; `warning` when it does not. */
  team?: { connected: boolean; instanceId: string; warning?: string };
}

/** What a caller may use (a client key can be limited to some models). */
export interface ModelAccess {
  /** Throws a permission error when the caller may not use the model. */
  authorize(state: Koa.DefaultState, model: string): void;
  allows(state: Koa.DefaultState, model: string): boolean;
}

export interface GatewayOptions extends GenerateDeps {
  protocols: ProtocolRegistry;
  catalog: ModelCatalog;
  bodyLimitBytes: number;
  version: string;
  accountStats(): { total: number; usable: number };
  /** The pool's quota per model, limited to the models `visible` lets the caller see; absent: no quota route. */
  poolQuota?(visible: (model: string) => boolean): PoolQuota;
  /** Team mode: the Redis link's state for `/healthz` (absent: a single gateway). */
  teamHealth?(): HealthReport['team'];
  /** Security middleware for every request (host/origin checks), composed before the routes. */
  guards?: Koa.Middleware[];
  /** The auth check each route runs with its declared permission; absent: every route is open. */
  authorize?: Authorizer;
  /** Extra routes a host mounts (admin API, dashboard), each with its permission. */
  extraRoutes?: (routes: RouteTable) => void;
  observer: RequestObserver;
  logger: Logger;
  modelAccess?: ModelAccess;
}

/** Splits Gemini's `model:method` path segment (`gemini-3-flash:streamGenerateContent`). */
function splitModelAction(segment: string): { model: string; action: string } {
  const at = segment.lastIndexOf(':');
  if (at <= 0) throw new GatewayError('not_found', `Unknown model action "${segment}"; expected models/{model}:{method}`);
  let model: string;
  try {
    model = decodeURIComponent(segment.slice(0, at));
  } catch {
    throw new GatewayError('invalid_request', `The model name in "${segment}" is not valid percent-encoding`);
  }
  return { model, action: segment.slice(at + 1) };
}

/** True when a model-list request speaks Google's dialect (its auth header or `?key=`). */
const wantsGoogleShape = (ctx: Koa.Context) => ctx.get('x-goog-api-key') !== '' || typeof ctx.query.key === 'string';

/** `/v1/models` is shared: Google's dialect, Anthropic's (its SDK always sends `anthropic-version`), else OpenAI's. */
function modelListCodec(ctx: Koa.Context, protocols: ProtocolRegistry) {
  if (wantsGoogleShape(ctx)) return protocols.gemini;
  return ctx.get('anthropic-version') !== '' ? protocols.anthropic : protocols.openaiModels;
}

/** Each protocol family's error shape, for the error boundary and for requests Node rejects before Koa sees them. */
export function errorRenderersOf(protocols: ProtocolRegistry): ErrorRenderers {
  return {
    anthropic: (err) => protocols.anthropic.encodeError(err),
    openai: (err) => protocols.openaiChat.encodeError(err),
    gemini: (err) => protocols.gemini.encodeError(err),
  };
}

/** The gateway: a Koa app (middleware composed in order, then one route per endpoint) and its route table. */
export interface Gateway {
  app: Koa;
  routes: RouteTable;
  /** What the HTTP server calls: the hot generation routes without Koa (lean-route.ts), the rest through `app`. */
  requestListener: (req: IncomingMessage, res: ServerResponse) => void;
}

const CLIENT_GONE_CODES = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);

/** The gateway as a Koa app: middleware composed in order, then one route per protocol endpoint. */
export function createGateway(options: GatewayOptions): Gateway {
  const { protocols, catalog, dispatcher } = options;
  const startedAt = Date.now();
  const app = new Koa({ proxy: false });
  const router = new RouteTable(options.authorize);

  const access = options.modelAccess;
  const visibleModels = (ctx: Koa.Context) => {
    const models = catalog.list();
    return access ? models.filter((model) => access.allows(ctx.state, model.id)) : models;
  };
  /** A model the caller may not use is, to that caller, not there. */
  const visibleModel = (ctx: Koa.Context, id: string) => {
    const model = catalog.get(id);
    return model && (!access || access.allows(ctx.state, model.id)) ? model : undefined;
  };

  const body: Koa.Middleware = async (ctx, next) => {
    const read = await readJsonBodyAndBytes(ctx.req, options.bodyLimitBytes);
    ctx.state.body = read.value;
    // Kept for a same-protocol passthrough, which sends the client's bytes on.
    ctx.state.bodyBytes = read.bytes;
    await next();
  };

  router.get('/healthz', 'public', (ctx) => {
    const accounts = options.accountStats();
    const team = options.teamHealth?.();
    const report: HealthReport = {
      // Without Redis the instance still serves (local state), but the team's view of it is stale: degraded.
      status: accounts.usable > 0 && (!team || team.connected) ? 'ok' : 'degraded',
      version: options.version,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      accounts,
      ...(team && { team }),
    };
    ctx.body = report;
  });
  // Claude Code probes `HEAD /` at start and `HEAD /api/hello` to preconnect: bodiless answers, like `/healthz`
  // open in `all_except_health`. `GET /` says what this is, to a caller with a key.
  const probe: RouterMiddleware = (ctx) => {
    ctx.status = 200;
  };
  router.head('/', 'public', probe);
  router.head('/api/hello', 'public', probe);
  router.get('/', 'client', (ctx) => {
    ctx.body = { name: 'agate', version: options.version, docs: 'https://github.com/agate/agate#readme' };
  });

  // Anthropic
  router.hotPost('/v1/messages', 'client', body, (ctx) => handleGeneration(ctx, protocols.anthropic, inboundContextOf(ctx, {}), options));
  router.post('/v1/messages/count_tokens', 'client', body, async (ctx) => {
    const request = protocols.anthropic.decodeCountTokensRequest(ctx.state.body, inboundContextOf(ctx, {}));
    access?.authorize(ctx.state, request.model);
    const count = await dispatcher.countTokens(request, AbortSignal.timeout(30_000));
    if (count.estimated) ctx.set('x-agate-token-count', 'estimated');
    ctx.body = protocols.anthropic.encodeCountTokens(count);
  });

  // OpenAI
  router.hotPost('/v1/chat/completions', 'client', body, (ctx) => handleGeneration(ctx, protocols.openaiChat, inboundContextOf(ctx, {}), options));
  router.hotPost('/v1/completions', 'client', body, (ctx) => handleGeneration(ctx, protocols.openaiCompletions, inboundContextOf(ctx, {}), options));
  router.hotPost('/v1/responses', 'client', body, (ctx) => handleGeneration(ctx, protocols.openaiResponses, inboundContextOf(ctx, {}), options));
  router.get('/v1/models', 'client', (ctx) => {
    ctx.body = modelListCodec(ctx, protocols).encodeModelList(visibleModels(ctx));
  });
  router.get('/v1/models/:id', 'client', (ctx) => {
    const model = visibleModel(ctx, ctx.params.id);
    if (!model) throw new GatewayError('not_found', `The model '${ctx.params.id}' does not exist`, { param: 'model' });
    ctx.body = modelListCodec(ctx, protocols).encodeModel(model);
  });

  // Agate's own: what quota is left across the pool, for a client (a team member's editor) that has only a client
  // key. Per model and without account identities (docs/security.md), only the models the key may use.
  const poolQuota = options.poolQuota;
  if (poolQuota) {
    router.get('/v1/agate/quota', 'client', (ctx) => {
      ctx.body = poolQuota((model) => !access || access.allows(ctx.state, model));
    });
  }

  // Gemini, under /v1beta and (as some clients call it) /v1
  router.get('/v1beta/models', 'client', (ctx) => {
    ctx.body = protocols.gemini.encodeModelList(visibleModels(ctx));
  });
  router.get('/v1beta/models/:model', 'client', (ctx) => {
    const id = ctx.params.model.replace(/^models\//, '');
    const model = visibleModel(ctx, id);
    if (!model) throw new GatewayError('not_found', `models/${id} is not found for API version v1beta`);
    ctx.body = protocols.gemini.encodeModel(model);
  });
  const geminiAction: RouterMiddleware = async (ctx) => {
    const { model, action } = splitModelAction(ctx.params.modelAction);
    const inbound = inboundContextOf(ctx, { model }, action === 'streamGenerateContent');
    switch (action) {
      case 'generateContent':
      case 'streamGenerateContent':
        return handleGeneration(ctx, protocols.gemini, inbound, options);
      case 'countTokens': {
        const request = protocols.gemini.decodeCountTokensRequest(ctx.state.body, inbound);
        access?.authorize(ctx.state, request.model);
        const count = await dispatcher.countTokens(request, AbortSignal.timeout(30_000));
        if (count.estimated) ctx.set('x-agate-token-count', 'estimated');
        ctx.body = protocols.gemini.encodeCountTokens(count);
        return;
      }
      default:
        throw new GatewayError('not_found', `Unknown method "${action}" for models/${model}`);
    }
  };
  router.hotPost('/v1beta/models/:modelAction', 'client', body, geminiAction);
  router.hotPost('/v1/models/:modelAction', 'client', body, geminiAction);

  options.extraRoutes?.(router);

  // Every request, before its route: the same functions on Koa and on the lean hot routes.
  const before: Koa.Middleware[] = [
    requestId(),
    accessLog(options.logger),
    recordRejections(options.observer),
    errorBoundary(errorRenderersOf(protocols), options.logger),
    ...(options.guards ?? []),
  ];
  for (const middleware of before) app.use(middleware);
  for (const middleware of router.middleware()) app.use(middleware);
  const requestListener = leanRequestListener(before, router.leanRoutes(), app.callback(), (err, ctx) => {
    // The error boundary answers every failure; this is only for one raised past it.
    options.logger.error('unhandled error', { path: ctx.path, error: String((err as Error)?.stack ?? err) });
    if (ctx.res.headersSent) return void ctx.res.destroy();
    const reply = errorRenderersOf(protocols)[protocolFamilyOf(ctx.path)](toGatewayError(err));
    ctx.res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
    ctx.res.end(JSON.stringify(reply.body));
  });
  app.on('error', (err: Error) => {
    // Socket errors after a client left (a closed dashboard tab ends its event stream early) are expected;
    // anything else is logged once.
    if (!CLIENT_GONE_CODES.has(String((err as NodeJS.ErrnoException).code))) {
      options.logger.warn('server error', { error: err.message });
    }
  });
  return { app, routes: router, requestListener };
}
