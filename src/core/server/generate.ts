import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type Koa from 'koa';
import { ResponseAggregator } from '../aggregate';
import type { AttemptRecord, Dispatcher, GenerationRun } from '../dispatch';
import { toGatewayError, type GatewayError } from '../errors';
import type { ChatRequest, Usage } from '../ir';
import type { RequestObserver } from '../monitor/types';
import { cutAtStopSequences } from '../stop-sequences';
import type { Logger } from '../ports';
import type { InboundContext, ProtocolCodec } from '../protocols/codec';

export interface GenerateDeps {
  dispatcher: Dispatcher;
  observer: RequestObserver;
  logger: Logger;
  keepAliveMs: number;
  /**
   * Vets and rewrites a decoded request before dispatch: the caller's model
   * permissions (from `state`, set by the guards), media URL fetching,
   * background-task routing.
   */
  prepare(request: ChatRequest, signal: AbortSignal, state: Koa.DefaultState): Promise<ChatRequest>;
}

/** Attempts collected on a failure, when the dispatcher attaches them. */
const attemptsOf = (err: unknown): AttemptRecord[] =>
  (err as { attempts?: AttemptRecord[] } | undefined)?.attempts ?? [];

export function inboundContextOf(ctx: Koa.Context, params: Record<string, string>, streamFromPath?: boolean): InboundContext {
  return { headers: ctx.headers, query: ctx.query, params, streamFromPath };
}

/**
 * One generation request, any protocol: decode → dispatch (retries happen
 * there, before the first byte) → encode. Streams are written event by event
 * as the upstream produces them; nothing is buffered for replay.
 */
export async function handleGeneration(
  ctx: Koa.Context,
  codec: ProtocolCodec,
  inbound: InboundContext,
  deps: GenerateDeps,
): Promise<void> {
  const startedAt = Date.now();
  const id = String(ctx.state.requestId);
  const decoded = decodeOrRecord(ctx, codec, inbound, deps.observer, startedAt);
  if (decoded.notes) deps.logger.info(`request ${id}: ${decoded.notes.join('; ')}`, { model: decoded.model, path: ctx.path });
  const abort = abortOnClientGone(ctx.res);
  deps.observer.started({ id, startedAt, protocol: codec.protocol, path: ctx.path, stream: decoded.stream, clientModel: decoded.model });

  let run: GenerationRun | undefined;
  let usage: Usage | undefined;
  let ttfbMs: number | undefined;
  let status = 200;
  let failure: GatewayError | undefined;
  try {
    const request = await deps.prepare(decoded, abort.signal, ctx.state);
    const stops = codec.namesStopSequence && request.stopSequences?.length ? request.stopSequences : undefined;
    const opened = await deps.dispatcher.open(stops ? { ...request, stopSequences: undefined } : request, abort.signal);
    run = stops ? { ...opened, events: cutAtStopSequences(opened.events, stops) } : opened;
    if (request.stream) {
      const outcome = await writeStream(ctx, codec, request, run, deps.keepAliveMs, abort.signal);
      ({ usage, ttfbMs } = outcome);
      failure = outcome.failure;
    } else {
      const aggregator = new ResponseAggregator();
      for await (const event of run.events) aggregator.add(event);
      const response = aggregator.result(`${id}`, request.model);
      usage = response.usage;
      ctx.body = codec.encodeResponse(response, request);
      ttfbMs = Date.now() - startedAt;
    }
  } catch (err) {
    failure = toGatewayError(err);
    status = failure.status;
    throw failure;
  } finally {
    abort.dispose();
    deps.observer.finished({
      id,
      startedAt,
      protocol: codec.protocol,
      path: ctx.path,
      stream: decoded.stream,
      clientModel: decoded.model,
      upstreamModel: run?.upstreamModel,
      accountId: run?.accountId,
      accountEmail: run?.accountEmail,
      clientKey: ctx.state.clientKey as string | undefined,
      attempts: run?.attempts ?? attemptsOf(failure?.cause ?? failure),
      status: abort.signal.aborted ? 499 : failure && status === 200 ? failure.status : status,
      latencyMs: Date.now() - startedAt,
      ttfbMs,
      usage,
      error: failure?.message,
      ...(decoded.notes ? { notes: decoded.notes } : {}),
    });
  }
}

/** A request the codec refuses still shows in the monitor, with the status and message the client got. */
function decodeOrRecord(ctx: Koa.Context, codec: ProtocolCodec, inbound: InboundContext, observer: RequestObserver, startedAt: number): ChatRequest {
  try {
    return codec.decodeRequest(ctx.state.body, inbound);
  } catch (err) {
    const failure = toGatewayError(err);
    const body = ctx.state.body as { model?: unknown; stream?: unknown } | undefined;
    const clientModel = typeof body?.model === 'string' ? body.model : (inbound.params.model ?? '');
    const stream = inbound.streamFromPath ?? body?.stream === true;
    const request = { id: String(ctx.state.requestId), startedAt, protocol: codec.protocol, path: ctx.path, stream, clientModel };
    observer.started(request);
    observer.finished({ ...request, attempts: [], status: failure.status, latencyMs: Date.now() - startedAt, error: failure.message });
    throw failure;
  }
}

interface StreamOutcome {
  usage?: Usage;
  ttfbMs?: number;
  failure?: GatewayError;
}

async function writeStream(
  ctx: Koa.Context,
  codec: ProtocolCodec,
  request: ChatRequest,
  run: GenerationRun,
  keepAliveMs: number,
  signal: AbortSignal,
): Promise<StreamOutcome> {
  const started = Date.now();
  const encoder = codec.createStreamEncoder(request);
  const res = ctx.res;
  ctx.respond = false; // Koa must not touch the response we stream ourselves
  res.writeHead(200, {
    'content-type': encoder.contentType,
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-request-id': String(ctx.state.requestId),
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  const outcome: StreamOutcome = {};
  let lastWrite = Date.now();
  let corked = false;
  const uncork = () => {
    corked = false;
    res.uncork();
  };
  /** A promise only when the socket pushes back; frames written in one tick (one upstream chunk) leave in one socket write. */
  const write = (frames: string): Promise<void> | undefined => {
    if (!frames || res.destroyed) return undefined;
    lastWrite = Date.now();
    outcome.ttfbMs ??= lastWrite - started;
    if (!corked) {
      corked = true;
      res.cork();
      process.nextTick(uncork);
    }
    return res.write(frames) ? undefined : drained(res, signal);
  };
  // Keep-alive frames while the upstream is silent (Anthropic `ping`, SSE comments).
  const keepAlive = setInterval(() => {
    if (Date.now() - lastWrite >= keepAliveMs && !res.destroyed) {
      lastWrite = Date.now();
      res.write(encoder.keepAlive());
    }
  }, Math.max(250, Math.floor(keepAliveMs / 2)));
  keepAlive.unref();
  try {
    for await (const event of run.events) {
      if (event.type === 'usage' || event.type === 'finish') outcome.usage = event.usage;
      const pushedBack = write(encoder.encode(event));
      if (pushedBack) await pushedBack;
    }
    await write(encoder.end());
  } catch (err) {
    if (!signal.aborted) {
      outcome.failure = toGatewayError(err);
      try {
        await write(encoder.error(outcome.failure));
      } catch {
        // Writing the error frame failed too: the stream ends as it is.
      }
    }
  } finally {
    clearInterval(keepAlive);
    if (!res.destroyed) res.end();
  }
  return outcome;
}

function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Aborts when the client goes away before the answer is complete: the upstream call is cancelled with it. */
function abortOnClientGone(res: ServerResponse): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) controller.abort(new Error('client disconnected'));
  };
  res.once('close', onClose);
  return { signal: controller.signal, dispose: () => res.off('close', onClose) };
}

export const newRequestId = (): string => `req_${randomUUID().replace(/-/g, '')}`;
