/**
 * The native Gemini protocol (`/v1beta/models/{model}:generateContent`,
 * `:streamGenerateContent`, `:countTokens`, `/v1beta/models`), spoken by
 * @google/genai and gemini-cli.
 */
import type { CatalogModel, TokenCount } from '../../dispatch';
import type { GatewayError } from '../../errors';
import type { ChatRequest, ChatResponse } from '../../ir';
import type { ErrorReply, InboundContext, ProtocolCodec, StreamEncoder } from '../codec';
import { decodeCountTokensRequest, decodeGenerateContentRequest } from './decode-request';
import { encodeGoogleError } from './encode-error';
import { encodeModel, encodeModelList, type GeminiModel } from './encode-models';
import { encodeGenerateContentResponse } from './encode-response';
import { GeminiStreamEncoder } from './stream-encoder';
import { streamFramingOf, type StreamFraming } from './stream-framing';
import type { GenerateContentResponse } from './wire';

/** What a Gemini stream encoder needs beyond the IR: the framing `?alt=` chose. */
export class GeminiStreamRequest {
  constructor(readonly framing: StreamFraming) {}
}

export class GeminiCodec implements ProtocolCodec {
  readonly protocol = 'gemini' as const;

  /**
   * The stream framing a streaming request asked for (`?alt=`), known only at
   * decode time, travels as the request's `inboundCodecState`: it concerns this
   * client connection alone (geminiExtras is for the upstream), and it survives
   * every copy of the request on the way to `createStreamEncoder`.
   */
  decodeRequest(body: unknown, ctx: InboundContext): ChatRequest {
    const framing = ctx.streamFromPath === true ? streamFramingOf(ctx.query) : undefined;
    const request = decodeGenerateContentRequest(body, ctx);
    return framing === undefined ? request : { ...request, inboundCodecState: new GeminiStreamRequest(framing) };
  }

  encodeResponse(response: ChatResponse, request: ChatRequest): GenerateContentResponse {
    return encodeGenerateContentResponse(response, request);
  }

  createStreamEncoder(request: ChatRequest): StreamEncoder {
    // A request this codec did not decode streams as SSE, what every Google SDK asks for.
    const state = request.inboundCodecState;
    return new GeminiStreamEncoder(request, state instanceof GeminiStreamRequest ? state.framing : 'sse');
  }

  encodeError(err: GatewayError): ErrorReply {
    return encodeGoogleError(err);
  }

  /** `:countTokens` body (`{contents}` or `{generateContentRequest}`) as a non-streaming request to count. */
  decodeCountTokensRequest(body: unknown, ctx: InboundContext): ChatRequest {
    return decodeCountTokensRequest(body, ctx);
  }

  encodeCountTokens(count: TokenCount): { totalTokens: number } {
    return { totalTokens: count.inputTokens };
  }

  encodeModelList(models: CatalogModel[]): { models: GeminiModel[] } {
    return encodeModelList(models);
  }

  encodeModel(model: CatalogModel): GeminiModel {
    return encodeModel(model);
  }
}

export const geminiCodec = new GeminiCodec();
