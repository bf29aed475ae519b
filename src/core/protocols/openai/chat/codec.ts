import type { GatewayError } from '../../../errors';
import type { ChatRequest, ChatResponse } from '../../../ir';
import type { ErrorReply, InboundContext, ProtocolCodec, StreamEncoder } from '../../codec';
import { encodeOpenAIError } from '../shared/errors';
import { streamOptionsOf } from '../shared/stream-options';
import { decodeChatRequest } from './decode';
import { encodeChatCompletion } from './encode';
import { ChatStreamEncoder } from './stream';

export interface ChatCompletionsCodecOptions {
  /** Return the model's thoughts as `reasoning_content` (default true). */
  exposeReasoning?: boolean;
}

/** `POST /v1/chat/completions`. */
export class ChatCompletionsCodec implements ProtocolCodec {
  readonly protocol = 'openai-chat' as const;
  private readonly exposeReasoning: boolean;

  constructor(options: ChatCompletionsCodecOptions = {}) {
    this.exposeReasoning = options.exposeReasoning ?? true;
  }

  decodeRequest(body: unknown, _ctx?: InboundContext): ChatRequest {
    return decodeChatRequest(body, { exposeReasoning: this.exposeReasoning });
  }

  encodeResponse(response: ChatResponse, request: ChatRequest): unknown {
    return encodeChatCompletion(response, request, this.exposeReasoning);
  }

  createStreamEncoder(request: ChatRequest): StreamEncoder {
    return new ChatStreamEncoder(request.model, streamOptionsOf(request).includeUsage, this.exposeReasoning);
  }

  encodeError(err: GatewayError): ErrorReply {
    return encodeOpenAIError(err);
  }
}
