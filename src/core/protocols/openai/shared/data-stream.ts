import type { GatewayError } from '../../../errors';
import type { ChatEvent } from '../../../ir';
import type { StreamEncoder } from '../../codec';
import { DONE_FRAME, errorDataFrame, KEEP_ALIVE_FRAME, SSE_CONTENT_TYPE } from './sse';

/**
 * The framing Chat Completions and legacy Completions streams share: `data:`
 * frames, `data: [DONE]` at the end, and on a failure one error frame after
 * which nothing more is sent.
 */
export abstract class DataStreamEncoder implements StreamEncoder {
  readonly contentType = SSE_CONTENT_TYPE;
  private failed = false;

  encode(event: ChatEvent): string {
    return this.failed ? '' : this.encodeEvent(event);
  }

  end(): string {
    return this.failed ? '' : DONE_FRAME;
  }

  error(err: GatewayError): string {
    if (this.failed) return '';
    this.failed = true;
    return errorDataFrame(err);
  }

  keepAlive(): string {
    return KEEP_ALIVE_FRAME;
  }

  protected abstract encodeEvent(event: ChatEvent): string;
}
