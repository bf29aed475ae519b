import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type Koa from 'koa';
import { ResponseAggregator } from '../aggregate';
import type { AttemptRecord, Dispatcher, DispatchHooks, GenerationRun } from '../dispatch';
import { toGatewayError, type GatewayError } from '../errors';
import type { ChatRequest, Usage } from '../ir';
import type { RequestObserver } from '../monitor/types';
import { cutAtStopSequences } from '../stop-sequences';
import type { Logger } from '../ports';
import type { InboundContext, ProtocolCodec, StreamEncoder } from '../protocols/codec';
import { LARGE_BODY_BYTES, yieldToLoop } from '../loop-slices';
import { passthroughOffer, writeRawAnswer } from './passthrough';
import { drained } from './back-pressure';

export interface GenerateDeps {
  dispatcher: Dispatcher;
  observer: RequestObserver;
  logger: Logger;
  keepAliveMs: number;
  /**
   * Vets and rewrites a decoded request before dispatch: the caller's model
   * permissions (from `state`, set by the guards), media URL fetching,
   * background-task routing (the codec's `backgroundRequest`).
   */
  prepare(request: ChatRequest, signal: AbortSignal, state: Koa.DefaultState, codec: ProtocolCodec): Promise<ChatRequest>;
}

/** Attempts collected on a failure, when the dispatcher attaches them (to the error, or to the one it wraps). */
function attemptsOf(err: unknown): AttemptRecord[] {
  for (let current = err, depth = 0; current && depth < 3; current = (current as Error).cause, depth++) {
    const attempts = (current as { attempts?: AttemptRecord[] }).attempts;
    if (attempts) return attempts;
  }
  return [];
}

export function inboundContextOf(ctx: Koa.Context, params: Record<string, string>, streamFromPath?: boolean): InboundContext {
  return { headers: ctx.headers, query: ctx.query, params, streamFromPath };
}

/**
 * One generation request, any protocol: decode → dispatch (retries happen
 * there, before the first byte) → encode. Streams are written event by event
 * as the upstream produces them; nothing is buffered for replay.
 */
export async function handleGeneration(ctx: Koa.Context, codec: ProtocolCodec, inbound: InboundContext, deps: GenerateDeps): Promise<void> {
  const startedAt = Date.now();
  const id = String(ctx.state.requestId);
  // From here on the request is recorded here, never by the gateway's record of rejected requests.
  ctx.state.observed = true;
  // A large body was parsed in this turn: it is decoded in the next, and encoded for the upstream in another.
  const large = (ctx.request.length ?? 0) >= LARGE_BODY_BYTES;
  if (large) await yieldToLoop();
  await codec.preload?.(ctx.state.body);
  const decoded = decodeOrRecord(ctx, codec, inbound, deps.observer, startedAt);
  if (large) await yieldToLoop();
  if (decoded.notes) deps.logger.info(`request ${id}: ${decoded.notes.join('; ')}`, { model: decoded.model, path: ctx.path });
  const abort = abortOnClientGone(ctx.res);
  deps.observer.started({ id, startedAt, protocol: codec.protocol, path: ctx.path, stream: decoded.stream, clientModel: decoded.model });

  let run: GenerationRun | undefined;
  let usage: Usage | undefined;
  let ttfbMs: number | undefined;
  let status = 200;
  let failure: GatewayError | undefined;
  let stream: StreamResponse | undefined;
  try {
    const request = await deps.prepare(decoded, abort.signal, ctx.state, codec);
    const stops = codec.namesStopSequence && request.stopSequences?.length ? request.stopSequences : undefined;
    const encoder = request.stream ? codec.createStreamEncoder(request) : undefined;
    const offer = passthroughOffer(ctx, codec, inbound, decoded, request);
    const hooks: DispatchHooks | undefined = encoder && {
      // Retries can outlast a client's patience: the head and a first keep-alive frame go out now, more follow.
      onWaiting: () => {
        if (stream || (offer && !offer.earlyHead)) return;
        stream = new StreamResponse(ctx, encoder, deps.keepAliveMs, abort.signal, startedAt);
        stream.keepAliveNow();
      },
    };
    const opened = await deps.dispatcher.open(stops ? { ...request, stopSequences: undefined } : request, abort.signal, hooks, offer);
    run = stops && !opened.raw ? { ...opened, events: cutAtStopSequences(opened.events, stops) } : opened;
    if (opened.raw) {
      // A provider of the client's own protocol answered the client's bytes: its bytes go back as they are.
      const outcome = await writeRawAnswer(ctx, opened.raw, stream, abort.signal, startedAt);
      ({ usage, ttfbMs, failure } = outcome);
    } else if (encoder) {
      stream ??= new StreamResponse(ctx, encoder, deps.keepAliveMs, abort.signal, startedAt);
      const outcome = await writeStream(stream, encoder, run, abort.signal);
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
    if (!stream) throw failure;
    // The head went out with the keep-alive frames: the error travels in the stream, in the client's protocol.
    if (!abort.signal.aborted) await stream.fail(failure);
  } finally {
    stream?.close();
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
      attempts: run?.attempts ?? attemptsOf(failure),
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

/**
 * A streamed answer's response: the head, writes corked per tick, and
 * keep-alive frames (Anthropic `ping`, SSE comments, …) whenever nothing
 * else was written for `keepAliveMs`.
 */
class StreamResponse {
  /** Time from the request's start to the first answer byte (keep-alive frames do not count). */
  ttfbMs?: number;
  private lastWrite = Date.now();
  /** Frames written in this tick, sent together at its end. */
  private pending = '';
  private readonly res: ServerResponse;
  private readonly keepAlive: ReturnType<typeof setInterval>;
  private readonly flush = () => {
    const frames = this.pending;
    this.pending = '';
    if (frames && !this.res.destroyed) this.res.write(frames);
  };

  constructor(
    ctx: Koa.Context,
    private readonly encoder: StreamEncoder,
    keepAliveMs: number,
    private readonly signal: AbortSignal,
    private readonly requestStartedAt: number,
  ) {
    this.res = ctx.res;
    ctx.respond = false; // Koa must not touch the response we stream ourselves
    this.res.writeHead(200, {
      'content-type': encoder.contentType,
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-request-id': String(ctx.state.requestId),
      'x-accel-buffering': 'no',
    });
    // No flushHeaders: the head leaves with the first frames (or the first keep-alive frame), in one socket write.
    this.keepAlive = setInterval(
      () => {
        if (Date.now() - this.lastWrite >= keepAliveMs) this.keepAliveNow();
      },
      Math.max(250, Math.floor(keepAliveMs / 2)),
    );
    this.keepAlive.unref();
  }

  stopKeepAlive(): void {
    clearInterval(this.keepAlive);
  }

  keepAliveNow(): void {
    if (this.res.destroyed) return;
    this.lastWrite = Date.now();
    this.pending += this.encoder.keepAlive();
    this.flush();
  }

  /**
   * Frames written in one tick (one upstream chunk) leave as one string in one chunk of the response: a chunked
   * response frames every `write` with its own length line, so separate writes would triple the socket's pieces.
   * A promise only when the socket pushed back at the last flush: a slow client holds back the upstream.
   */
  write(frames: string): Promise<void> | undefined {
    if (!frames || this.res.destroyed) return undefined;
    this.lastWrite = Date.now();
    this.ttfbMs ??= this.lastWrite - this.requestStartedAt;
    if (this.pending === '') process.nextTick(this.flush);
    this.pending += frames;
    return this.res.writableNeedDrain ? drained(this.res, this.signal) : undefined;
  }

  /** Ends the stream with the error frame of the client's protocol. */
  async fail(error: GatewayError): Promise<void> {
    try {
      await this.write(this.encoder.error(error));
    } catch {
      // Writing the error frame failed too: the stream ends as it is.
    }
  }

  close(): void {
    clearInterval(this.keepAlive);
    if (this.res.destroyed) return;
    const frames = this.pending;
    this.pending = '';
    this.res.end(frames || undefined);
  }
}

async function writeStream(stream: StreamResponse, encoder: StreamEncoder, run: GenerationRun, signal: AbortSignal): Promise<StreamOutcome> {
  const outcome: StreamOutcome = {};
  try {
    for await (const event of run.events) {
      if (event.type === 'usage' || event.type === 'finish') outcome.usage = event.usage;
      const pushedBack = stream.write(encoder.encode(event));
      if (pushedBack) await pushedBack;
    }
    await stream.write(encoder.end());
  } catch (err) {
    if (!signal.aborted) {
      outcome.failure = toGatewayError(err);
      await stream.fail(outcome.failure);
    }
  }
  outcome.ttfbMs = stream.ttfbMs;
  return outcome;
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
