import type { GatewayError } from '../../../errors';
import type { ChatEvent, ChatRequest } from '../../../ir';
import type { StreamEncoder } from '../../codec';
import { eventFrame, KEEP_ALIVE_FRAME, SSE_CONTENT_TYPE } from '../shared/sse';
import { ResponsesOutputBuilder } from './output';
import { responsesStateOf } from './state';
import type { ResponsesStore } from './store';

/**
 * Responses SSE: `event: <type>\ndata: <json>\n\n` frames numbered by
 * `sequence_number`, from response.created to response.completed
 * (response.incomplete when cut short, response.failed on a failure). No
 * `[DONE]`: the Responses API ends with the terminal event.
 */
export class ResponsesStreamEncoder implements StreamEncoder {
  readonly contentType = SSE_CONTENT_TYPE;
  private readonly builder: ResponsesOutputBuilder;
  private pending = '';
  private sequence = 0;
  private started = false;
  private ended = false;

  constructor(request: ChatRequest, options: { exposeReasoning: boolean; store: ResponsesStore }) {
    this.builder = new ResponsesOutputBuilder(request, responsesStateOf(request), options, ({ type, ...fields }) => {
      this.pending += eventFrame(type, { type, sequence_number: this.sequence++, ...fields });
    });
  }

  encode(event: ChatEvent): string {
    if (this.ended) return '';
    this.open();
    switch (event.type) {
      case 'text':
        this.builder.text(event.text);
        break;
      case 'thinking':
        this.builder.thinking(event.text);
        break;
      case 'thinking_signature':
        this.builder.endThinking(event.signature);
        break;
      case 'tool_call':
        this.builder.toolCall(event.call);
        break;
      case 'media':
        this.builder.media(event.mimeType, event.data);
        break;
      case 'finish':
        this.builder.finish(event.reason, event.usage);
        this.ended = true;
        break;
      // Grounding has no Responses item here; usage is reported with the terminal event.
      case 'grounding':
      case 'usage':
        break;
    }
    return this.flush();
  }

  end(): string {
    return '';
  }

  error(err: GatewayError): string {
    if (this.ended) return '';
    this.open();
    this.builder.fail(err);
    this.ended = true;
    return this.flush();
  }

  keepAlive(): string {
    return KEEP_ALIVE_FRAME;
  }

  /** response.created and response.in_progress precede everything, a failure included (the SDK needs created first). */
  private open(): void {
    if (this.started) return;
    this.started = true;
    this.builder.start();
  }

  private flush(): string {
    const frames = this.pending;
    this.pending = '';
    return frames;
  }
}
