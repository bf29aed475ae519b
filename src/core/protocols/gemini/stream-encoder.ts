/**
 * IR events as streamed `GenerateContentResponse` chunks, one chunk per event
 * as it arrives. The last chunk carries `finishReason` and `usageMetadata`.
 */
import { randomBytes } from 'node:crypto';
import type { GatewayError } from '../../errors';
import type { ChatEvent, ChatRequest, Usage } from '../../ir';
import type { StreamEncoder } from '../codec';
import { googleErrorBody } from './encode-error';
import { finishReasonOf, functionCallPart, signaturePart, usageMetadataOf } from './encode-parts';
import { createFramer, type Framer, type StreamFraming } from './stream-framing';
import type { GeminiCandidate, GeminiPart, GenerateContentResponse } from './wire';

export class GeminiStreamEncoder implements StreamEncoder {
  private readonly framer: Framer;
  /** One id for every chunk of the answer, as Google does. */
  private readonly responseId = randomBytes(16).toString('base64url');
  private finished = false;

  constructor(
    private readonly request: ChatRequest,
    framing: StreamFraming,
  ) {
    this.framer = createFramer(framing);
  }

  get contentType(): string {
    return this.framer.contentType;
  }

  encode(event: ChatEvent): string {
    if (this.finished) return '';
    switch (event.type) {
      case 'text':
        return event.text === '' ? '' : this.chunk([{ text: event.text }]);
      case 'thinking':
        // Thought text only for clients that asked for it (`includeThoughts`), as Gemini does.
        return event.text === '' || this.request.includeThoughts !== true ? '' : this.chunk([{ text: event.text, thought: true }]);
      case 'thinking_signature':
        return this.chunk([signaturePart(event.signature)]);
      case 'tool_call':
        return this.chunk([functionCallPart(event.call)]);
      case 'media':
        return this.chunk([{ inlineData: { mimeType: event.mimeType, data: event.data } }]);
      case 'grounding':
        return this.chunk([EMPTY_TEXT], { groundingMetadata: event.metadata });
      case 'usage':
        // Cumulative; the finish event repeats the final figures, which go on the last chunk.
        return '';
      case 'finish': {
        const last = this.chunk([EMPTY_TEXT], { finishReason: finishReasonOf(event.reason) }, event.usage);
        this.finished = true;
        return last;
      }
    }
  }

  end(): string {
    this.finished = true;
    return this.framer.close();
  }

  /**
   * Google's error object as the next element: the SDK throws an ApiError with
   * its code on reading it (rather than ending quietly with a partial answer).
   * After the finish chunk the answer is whole, and only the framing is closed.
   */
  error(err: GatewayError): string {
    const frame = this.finished ? '' : this.framer.error(JSON.stringify(googleErrorBody(err)));
    this.finished = true;
    return frame + this.framer.close();
  }

  keepAlive(): string {
    return this.finished ? '' : this.framer.keepAlive();
  }

  private chunk(parts: GeminiPart[], candidateFields: Partial<GeminiCandidate> = {}, usage?: Usage): string {
    const response: GenerateContentResponse = {
      candidates: [{ content: { role: 'model', parts }, ...candidateFields, index: 0 }],
      modelVersion: this.request.model,
      responseId: this.responseId,
    };
    if (usage !== undefined) response.usageMetadata = usageMetadataOf(usage);
    return this.framer.chunk(JSON.stringify(response));
  }
}

/**
 * Chunks that carry no content still hold one empty text part: the SDK's chat
 * history discards a whole answer if any chunk has a candidate without parts,
 * and Gemini's own final chunk looks the same.
 */
const EMPTY_TEXT: GeminiPart = { text: '' };
