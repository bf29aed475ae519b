import type { GatewayError } from '../../../errors';
import type { ChatRequest, ChatResponse } from '../../../ir';
import type { ErrorReply, InboundContext, ProtocolCodec, StreamEncoder } from '../../codec';
import { encodeOpenAIError } from '../shared/errors';
import { decodeResponsesRequest } from './decode';
import { encodeResponsesResponse } from './encode';
import type { ResponsesStore } from './store';
import { ResponsesStreamEncoder } from './stream';

export interface ResponsesCodecOptions {
  /** Where answers are kept for `previous_response_id`; share one per gateway. */
  store: ResponsesStore;
  /** Return reasoning summaries to clients that ask for them (default true). */
  exposeReasoning?: boolean;
}

/** `POST /v1/responses`. */
export class ResponsesCodec implements ProtocolCodec {
  readonly protocol = 'openai-responses' as const;
  private readonly options: { exposeReasoning: boolean; store: ResponsesStore };

  constructor(options: ResponsesCodecOptions) {
    this.options = { store: options.store, exposeReasoning: options.exposeReasoning ?? true };
  }

  /** Team mode: the history of `previous_response_id` may be on another instance; fetched before decoding. */
  async preload(body: unknown): Promise<void> {
    const id = (body as { previous_response_id?: unknown } | null)?.previous_response_id;
    if (typeof id === 'string' && id.length > 0 && id.length <= 256) await this.options.store.preload(id);
  }

  /** Throws a 404 (`previous_response_not_found`) when `previous_response_id` is unknown or expired. */
  decodeRequest(body: unknown, _ctx?: InboundContext): ChatRequest {
    return decodeResponsesRequest(body, this.options);
  }

  /** Also stores the answer for `previous_response_id` unless the request said `store: false`. */
  encodeResponse(response: ChatResponse, request: ChatRequest): unknown {
    return encodeResponsesResponse(response, request, this.options);
  }

  createStreamEncoder(request: ChatRequest): StreamEncoder {
    return new ResponsesStreamEncoder(request, this.options);
  }

  encodeError(err: GatewayError): ErrorReply {
    return encodeOpenAIError(err);
  }
}
