/**
 * The server's side of same-protocol passthrough: what it offers the
 * dispatcher (the client's bytes, when nothing in the gateway rewrote the
 * request), and how a provider's bytes go back to the client: as they arrive,
 * with the socket's back-pressure, never re-encoded.
 */
import type Koa from 'koa';
import type { PassthroughOffer, RawAnswer } from '../dispatch';
import { toGatewayError, type GatewayError } from '../errors';
import type { ChatRequest, Usage } from '../ir';
import type { InboundContext, ProtocolCodec } from '../protocols/codec';
import { drained } from './back-pressure';

/** Client protocols a provider can take as they are (Anthropic Messages, OpenAI Chat Completions, Gemini). */
const PASSABLE = new Set(['anthropic', 'openai-chat', 'gemini']);

/**
 * The client's request as it came, when it may go to a provider of its own protocol unchanged but for the
 * model: not when the gateway changed it on the way (fetched media, a background model).
 */
export function passthroughOffer(
  ctx: Koa.Context,
  codec: ProtocolCodec,
  inbound: InboundContext,
  decoded: ChatRequest,
  prepared: ChatRequest,
): PassthroughOffer | undefined {
  const bytes = ctx.state.bodyBytes as Buffer | undefined;
  if (!bytes || prepared !== decoded || !PASSABLE.has(codec.protocol)) return undefined;
  const rawAlt = inbound.query.alt;
  const alt = codec.protocol === 'gemini' ? (Array.isArray(rawAlt) ? rawAlt[0] : rawAlt) : undefined;
  return {
    protocol: codec.protocol,
    body: bytes,
    headers: ctx.headers,
    stream: prepared.stream,
    ...(alt !== undefined ? { alt } : {}),
    // Gemini's JSON-array stream opens with the answer's `[`: no keep-alive may go out before it.
    earlyHead: codec.protocol !== 'gemini' || !prepared.stream || alt === 'sse',
  };
}

/** A response head already sent (keep-alive frames went out while the dispatcher waited). */
export interface StartedResponse {
  /** Stops the keep-alive frames: from here on only the provider's bytes are written. */
  stopKeepAlive(): void;
}

export interface RawOutcome {
  usage?: Usage;
  ttfbMs?: number;
  failure?: GatewayError;
}

/**
 * Writes a provider's answer to the client as it arrives. A failure after
 * the first byte cuts the connection: the client's own parser sees a broken
 * answer, never a frame the gateway made up in the middle of the provider's.
 */
export async function writeRawAnswer(
  ctx: Koa.Context,
  raw: RawAnswer,
  started: StartedResponse | undefined,
  signal: AbortSignal,
  startedAt: number,
): Promise<RawOutcome> {
  const res = ctx.res;
  const outcome: RawOutcome = {};
  if (started) {
    started.stopKeepAlive();
  } else {
    ctx.respond = false; // Koa must not touch the response written here
    res.writeHead(raw.status, {
      'content-type': raw.contentType,
      'cache-control': 'no-cache',
      'x-request-id': String(ctx.state.requestId),
      'x-accel-buffering': 'no',
    });
  }
  try {
    for await (const chunk of raw.body) {
      outcome.ttfbMs ??= Date.now() - startedAt;
      if (res.destroyed) break;
      if (!res.write(chunk)) await drained(res, signal);
    }
    if (!started) res.end();
  } catch (err) {
    if (!signal.aborted) outcome.failure = toGatewayError(err);
    res.destroy();
  }
  outcome.usage = raw.usage();
  return outcome;
}
