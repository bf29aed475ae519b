import type { CatalogModel, TokenCount } from '../dispatch';
import type { ChatRequest } from '../ir';
import type { InboundContext, ProtocolCodec } from './codec';

export interface CountTokensCodec {
  decodeCountTokensRequest(body: unknown, ctx: InboundContext): ChatRequest;
  encodeCountTokens(count: TokenCount): unknown;
}

export interface ModelListCodec {
  encodeModelList(models: CatalogModel[]): unknown;
  encodeModel(model: CatalogModel): unknown;
}

/** Every inbound protocol the gateway speaks; the routes take their codecs from here. */
export interface ProtocolRegistry {
  anthropic: ProtocolCodec & CountTokensCodec & ModelListCodec;
  openaiChat: ProtocolCodec;
  openaiResponses: ProtocolCodec;
  openaiCompletions: ProtocolCodec;
  openaiModels: ModelListCodec;
  gemini: ProtocolCodec & CountTokensCodec & ModelListCodec;
}
