import type { CatalogModel, TokenCount } from '../../dispatch';
import type { ChatRequest } from '../../ir';
import type { InboundContext, ProtocolCodec } from '../codec';
import { decodeMessagesBody } from './decode-request';
import { encodeMessageResponse } from './encode-response';
import { encodeAnthropicError } from './errors';
import { DEFAULT_MAX_INLINE_MEDIA_BYTES, type MediaLimits } from './media';
import { encodeModel, encodeModelList, type AnthropicModelInfo, type AnthropicModelList } from './models';
import { isClaudeCodeBackgroundRequest, stripForBackground } from './background';
import { AnthropicStreamEncoder } from './stream-encoder';

export interface AnthropicCodecOptions {
  /** Largest decoded inline image or PDF, in bytes (default 30 MB). */
  maxInlineMediaBytes?: number;
}

/** The Anthropic Messages codec, plus count_tokens and the models list in Anthropic's shapes. */
export interface AnthropicCodec extends ProtocolCodec {
  /** `/v1/messages/count_tokens`: the same body without `max_tokens` or `stream`. */
  decodeCountTokensRequest(body: unknown, ctx?: InboundContext): ChatRequest;
  encodeCountTokens(count: TokenCount): { input_tokens: number };
  encodeModelList(models: CatalogModel[]): AnthropicModelList;
  encodeModel(model: CatalogModel): AnthropicModelInfo;
}

export function createAnthropicCodec(options: AnthropicCodecOptions = {}): AnthropicCodec {
  const limits: MediaLimits = { maxInlineMediaBytes: options.maxInlineMediaBytes ?? DEFAULT_MAX_INLINE_MEDIA_BYTES };
  return {
    protocol: 'anthropic',
    namesStopSequence: true,
    decodeRequest: (body, ctx) => decodeMessagesBody(body, ctx, { limits, requireMaxTokens: true }),
    encodeResponse: encodeMessageResponse,
    createStreamEncoder: (request) => new AnthropicStreamEncoder(request.model),
    encodeError: encodeAnthropicError,
    backgroundRequest: (request, model) => (isClaudeCodeBackgroundRequest(request) ? stripForBackground(request, model) : undefined),
    decodeCountTokensRequest: (body, ctx) => decodeMessagesBody(body, ctx, { limits, requireMaxTokens: false }),
    encodeCountTokens,
    encodeModelList,
    encodeModel,
  };
}

/** Anthropic has no field for an estimated count; the gateway flags one with a response header instead. */
export function encodeCountTokens(count: TokenCount): { input_tokens: number } {
  return { input_tokens: count.inputTokens };
}

/** The codec with default limits. */
export const anthropicCodec: AnthropicCodec = createAnthropicCodec();

export const decodeCountTokensRequest = (body: unknown, ctx?: InboundContext): ChatRequest => anthropicCodec.decodeCountTokensRequest(body, ctx);

export { isClaudeCodeBackgroundRequest, stripForBackground, CLAUDE_CODE_BACKGROUND_PROMPTS } from './background';
export { DEFAULT_MAX_INLINE_MEDIA_BYTES } from './media';
