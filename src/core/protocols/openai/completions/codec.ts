import type { GatewayError } from '../../../errors';
import type { ChatRequest, ChatResponse } from '../../../ir';
import type { ErrorReply, InboundContext, ProtocolCodec, StreamEncoder } from '../../codec';
import { encodeOpenAIError } from '../shared/errors';
import { streamOptionsOf } from '../shared/stream-options';
import { decodeCompletionsRequest } from './decode';
import { encodeTextCompletion } from './encode';
import { CompletionsStreamEncoder } from './stream';

/** `POST /v1/completions` (legacy text completions). */
export class CompletionsCodec implements ProtocolCodec {
  readonly protocol = 'openai-completions' as const;

  decodeRequest(body: unknown, _ctx?: InboundContext): ChatRequest {
    return decodeCompletionsRequest(body);
  }

  encodeResponse(response: ChatResponse, request: ChatRequest): unknown {
    return encodeTextCompletion(response, request);
  }

  createStreamEncoder(request: ChatRequest): StreamEncoder {
    return new CompletionsStreamEncoder(request.model, streamOptionsOf(request).includeUsage);
  }

  encodeError(err: GatewayError): ErrorReply {
    return encodeOpenAIError(err);
  }
}
