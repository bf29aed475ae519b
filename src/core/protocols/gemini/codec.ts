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

export class GeminiCodec implements ProtocolCodec {
  readonly protocol = 'gemini' as const;

  /**
   * The stream framing each streaming request asked for (`?alt=`), known only
   * at decode time. Kept beside the request rather than in it: it concerns this
   * client connection alone, and anything inside the ChatRequest (geminiExtras
   * included) is meant for the upstream. Keyed by the object `decodeRequest`
   * returned, which is the one the pipeline hands to `createStreamEncoder`; a
   * request this codec did not decode streams as SSE, what every Google SDK asks for.
   */
  private readonly framings = new WeakMap<ChatRequest, StreamFraming>();

  decodeRequest(body: unknown, ctx: InboundContext): ChatRequest {
    const framing = ctx.streamFromPath === true ? streamFramingOf(ctx.query) : undefined;
    const request = decodeGenerateContentRequest(body, ctx);
    if (framing !== undefined) this.framings.set(request, framing);
    return request;
  }

  encodeResponse(response: ChatResponse, request: ChatRequest): GenerateContentResponse {
    return encodeGenerateContentResponse(response, request);
  }

  createStreamEncoder(request: ChatRequest): StreamEncoder {
    return new GeminiStreamEncoder(request, this.framings.get(request) ?? 'sse');
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
