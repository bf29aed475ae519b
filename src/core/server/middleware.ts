import type Koa from 'koa';
import { GatewayError, toGatewayError } from '../errors';
import type { CoreMessage } from '../messages';
import { CLIENT_CLOSED_STATUS } from '../monitor/status';
import type { Logger } from '../ports';
import type { ErrorReply } from '../protocols/codec';
import { newRequestId } from './generate';
import { protocolFamilyOf, type ProtocolFamily } from './protocol-of-path';

/** Gives every request an id, echoed in `x-request-id` and in the access log. */
export function requestId(): Koa.Middleware {
  return async (ctx, next) => {
    const id = newRequestId();
    ctx.state.requestId = id;
    ctx.set('x-request-id', id);
    await next();
  };
}

/**
 * One line per request: method, path (never the query — `?key=` carries
 * secrets), status, duration. Successful calls log at debug to keep the hot
 * path quiet; failures at info/warn.
 */
export function accessLog(logger: Logger): Koa.Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    // A client that hung up mid-request (a cut benchmark, Esc in Claude Code) is logged as the monitor records
    // it, 499, not with the status of the error its abort raised inside the gateway.
    let clientClosed = false;
    const onClose = () => {
      if (!ctx.res.writableFinished) clientClosed = true;
    };
    ctx.res.once('close', onClose);
    try {
      await next();
    } finally {
      ctx.res.off('close', onClose);
      const fields = {
        id: ctx.state.requestId,
        method: ctx.method,
        path: ctx.path,
        status: clientClosed ? CLIENT_CLOSED_STATUS : ctx.respond === false ? ctx.res.statusCode : ctx.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      };
      if (clientClosed) logger.info('client closed the connection before the answer was complete', fields);
      else if (fields.status >= 500) logger.warn('request failed', fields);
      else if (fields.status >= 400) logger.info('request rejected', fields);
      else logger.debug('request', fields);
    }
  };
}

/** The admin API's paths: their error bodies also carry the message as a code (`error.detail`), for the dashboard and the CLI to word. */
const ADMIN_PATH_PREFIX = '/admin/';

/** `{ error: { message, … } }` with `error.detail`: the English message stays for every other reader. */
function withDetail(body: unknown, detail: CoreMessage): unknown {
  const error = (body as { error?: unknown } | undefined)?.error;
  return typeof error === 'object' && error !== null ? { ...(body as object), error: { ...error, detail } } : body;
}

export type ErrorRenderers = Record<ProtocolFamily, (err: GatewayError) => ErrorReply>;

/**
 * Every failure — thrown by a handler, a parse error, an unknown route —
 * leaves in the shape of the protocol the path belongs to. Never an HTML
 * page, never a stack trace.
 */
export function errorBoundary(renderers: ErrorRenderers, logger: Logger): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined && ctx.respond !== false) {
        throw new GatewayError('not_found', `Unknown endpoint: ${ctx.method} ${ctx.path}`);
      }
      if (ctx.status === 405 && ctx.respond !== false) {
        throw new GatewayError('invalid_request', `Method ${ctx.method} is not allowed on ${ctx.path}`);
      }
    } catch (thrown) {
      const err = toGatewayError(thrown);
      if (err.kind === 'api_error' && !(thrown instanceof GatewayError)) {
        logger.error('unhandled error', { id: ctx.state.requestId, path: ctx.path, error: String((thrown as Error)?.stack ?? thrown) });
      }
      if (ctx.respond === false || ctx.res.headersSent) {
        if (!ctx.res.writableEnded) ctx.res.end();
        return;
      }
      const reply = renderers[protocolFamilyOf(ctx.path)](err);
      ctx.status = reply.status;
      for (const [name, value] of Object.entries(reply.headers ?? {})) ctx.set(name, value);
      ctx.body = err.detail && ctx.path.startsWith(ADMIN_PATH_PREFIX) ? withDetail(reply.body, err.detail) : reply.body;
    }
  };
}
