import type Koa from 'koa';
import type { ClientProtocol } from '../ir';
import { CLIENT_CLOSED_STATUS } from '../monitor/status';
import type { RequestObserver } from '../monitor/types';
import { protocolFamilyOf } from './protocol-of-path';

/** The client protocol a rejected request was meant for, from its path. */
export function clientProtocolOf(path: string): ClientProtocol {
  if (path === '/v1/chat/completions') return 'openai-chat';
  if (path === '/v1/responses' || path.startsWith('/v1/responses/')) return 'openai-responses';
  if (path === '/v1/completions') return 'openai-completions';
  const family = protocolFamilyOf(path);
  return family === 'openai' ? 'openai-chat' : family;
}

/** `gemini-3-flash` from `/v1beta/models/gemini-3-flash:generateContent`. */
function geminiModelOf(path: string): string | undefined {
  const match = /\/models\/([^/:]+):/.exec(path);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}

/** Every protocol's error body (Anthropic, OpenAI, Gemini) has `error.message`. */
function messageOf(body: unknown): string | undefined {
  const message = (body as { error?: { message?: unknown } } | null | undefined)?.error?.message;
  return typeof message === 'string' ? message : undefined;
}

const isProtocolPath = (path: string) => path.startsWith('/v1/') || path.startsWith('/v1beta/');

/**
 * Requests turned away before the generation handler saw them — a missing
 * or wrong key (401), a forbidden model or origin (403), a body too large
 * (413) or not JSON (400) — go to the live monitor with the reason the
 * client got. Costs nothing on a request that succeeds.
 */
export function recordRejections(observer: RequestObserver): Koa.Middleware {
  return async (ctx, next) => {
    const startedAt = Date.now();
    // A client that left mid-body (a load run cut at its end) gets no answer: the monitor says so (499), not
    // the 400 the cut body raised.
    let clientClosed = false;
    const onClose = () => {
      if (!ctx.res.writableFinished) clientClosed = true;
    };
    ctx.res.once('close', onClose);
    try {
      await next();
    } finally {
      ctx.res.off('close', onClose);
      const status = clientClosed ? CLIENT_CLOSED_STATUS : ctx.respond === false ? ctx.res.statusCode : ctx.status;
      if (status >= 400 && ctx.state.observed !== true && isProtocolPath(ctx.path)) {
        const body = ctx.state.body as { model?: unknown; stream?: unknown } | undefined;
        const request = {
          id: String(ctx.state.requestId),
          startedAt,
          protocol: clientProtocolOf(ctx.path),
          path: ctx.path,
          stream: body?.stream === true || ctx.path.endsWith(':streamGenerateContent'),
          clientModel: typeof body?.model === 'string' ? body.model : (geminiModelOf(ctx.path) ?? ''),
        };
        observer.started(request);
        observer.finished({
          ...request,
          attempts: [],
          status,
          latencyMs: Date.now() - startedAt,
          error: clientClosed ? 'The client went away before its request was read' : (messageOf(ctx.body) ?? `Rejected with HTTP ${status}`),
        });
      }
    }
  };
}
