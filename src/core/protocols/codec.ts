import type { ChatEvent, ChatRequest, ChatResponse, ClientProtocol } from '../ir';
import type { GatewayError } from '../errors';

/** What a codec may read besides the body: headers (lower-case), query, path parameters. */
export interface InboundContext {
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, string | string[] | undefined>;
  /** Path parameters, e.g. `{ model: 'gemini-3-flash' }` for `/v1beta/models/:model:generateContent`. */
  params: Record<string, string>;
  /** For routes whose path decides streaming (Gemini `:streamGenerateContent`). */
  streamFromPath?: boolean;
}

export interface ErrorReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Turns IR events into the bytes of one streamed answer, in order. Stateful: one per response. */
export interface StreamEncoder {
  readonly contentType: string;
  /** Frames for one event ('' when the event produces none yet). */
  encode(event: ChatEvent): string;
  /** Closing frames after the last event (e.g. OpenAI `data: [DONE]`). */
  end(): string;
  /** A failure after the stream began: a protocol-correct error frame, never a silent cut. */
  error(err: GatewayError): string;
  /** Sent while the upstream is silent, so clients and proxies keep the connection. */
  keepAlive(): string;
}

export interface ProtocolCodec {
  readonly protocol: ClientProtocol;
  /**
   * The protocol reports which stop sequence ended the answer (Anthropic's `stop_sequence`). Gemini never says,
   * so for such a protocol the gateway applies the stop sequences itself instead of sending them upstream.
   */
  readonly namesStopSequence?: boolean;
  /**
   * Brings what decoding will look up synchronously (a stored conversation) from a store shared with other
   * instances; never throws (a miss decodes as unknown). Only a codec with such state implements it.
   */
  preload?(body: unknown): Promise<void>;
  /** Validates and decodes; throws GatewayError('invalid_request', …, {param}) naming the bad field. */
  decodeRequest(body: unknown, ctx: InboundContext): ChatRequest;
  encodeResponse(response: ChatResponse, request: ChatRequest): unknown;
  createStreamEncoder(request: ChatRequest): StreamEncoder;
  encodeError(err: GatewayError): ErrorReply;
  /**
   * The request to send instead when its client sent it as a background chore (Claude Code's titles, topic
   * checks, suggestions) and the gateway has a cheaper `model` for those; undefined keeps the request as asked.
   * Only a protocol that can tell a client's chores from its real work implements it.
   */
  backgroundRequest?(request: ChatRequest, model: string): ChatRequest | undefined;
}
