import type { GatewayError } from '../../errors';
import { emptyUsage, type ChatEvent, type FinishReason, type Usage } from '../../ir';
import type { StreamEncoder } from '../codec';
import { imageBlock, toolUseBlock, webSearchBlocks } from './blocks';
import { anthropicErrorBody } from './errors';
import { newMessageId } from './ids';
import { toAnthropicUsage, toStopReason } from './usage';

/** A text or thinking block stays open while deltas of its kind keep coming. */
interface OpenBlock {
  kind: 'text' | 'thinking';
  index: number;
}

/**
 * One SSE frame: `data` is the event's JSON with `type` (the event name) first, written around the data's own
 * JSON rather than a copy of it with `type` spread in (the data never holds a `type` of its own).
 */
const frame = (event: string, data: object): string => {
  const json = JSON.stringify(data);
  return `event: ${event}\ndata: {"type":"${event}"${json === '{}' ? '' : `,${json.slice(1, -1)}`}}\n\n`;
};

/**
 * IR events as Anthropic's SSE stream, frame for frame as the real API emits
 * it: `message_start`, then blocks numbered 0, 1, 2 … in order
 * (`content_block_start` / `_delta` / `_stop`), then `message_delta` with the
 * stop reason and usage, then `message_stop`. Every event is written at once;
 * only a text or thinking block is left open, because the next event may
 * continue it.
 */
export class AnthropicStreamEncoder implements StreamEncoder {
  readonly contentType = 'text/event-stream; charset=utf-8';
  private started = false;
  private finished = false;
  private open: OpenBlock | undefined;
  private nextIndex = 0;
  private usage: Usage = emptyUsage();
  private calledTools = false;

  constructor(
    /** The model id exactly as the client named it. */
    private readonly model: string,
    private readonly id: string = newMessageId(),
  ) {}

  encode(event: ChatEvent): string {
    if (this.finished) return '';
    if (event.type === 'usage' || event.type === 'finish') this.usage = event.usage;
    let out = this.start();
    switch (event.type) {
      case 'text':
        if (event.text) out += this.appendTo('text', { type: 'text_delta', text: event.text });
        break;
      case 'thinking':
        if (event.text) out += this.appendTo('thinking', { type: 'thinking_delta', thinking: event.text });
        break;
      case 'thinking_signature':
        // The signature ends the thinking run; a signature without thought text
        // still gets its (empty) block so the client can replay it.
        out += this.appendTo('thinking', { type: 'signature_delta', signature: event.signature }) + this.closeOpen();
        break;
      case 'tool_call':
        this.calledTools = true;
        out += this.closeOpen() + this.wholeBlock({ ...toolUseBlock(event.call), input: {} }, JSON.stringify(event.call.args));
        break;
      case 'media':
        out += this.closeOpen() + this.wholeBlock(imageBlock({ type: 'media', mimeType: event.mimeType, source: { kind: 'base64', data: event.data } }));
        break;
      case 'grounding': {
        out += this.closeOpen();
        for (const block of webSearchBlocks(event.metadata)) {
          out += block.type === 'server_tool_use' ? this.wholeBlock({ ...block, input: {} }, JSON.stringify(block.input)) : this.wholeBlock(block);
        }
        break;
      }
      case 'usage':
        break;
      case 'finish':
        out += this.stop(event.reason, event.stopSequence);
        break;
    }
    return out;
  }

  /** An upstream that ended without a finish event still gets a well-formed ending. */
  end(): string {
    return this.finished ? '' : this.start() + this.stop('stop');
  }

  /** Anthropic sends the error event on its own, without closing open blocks; the SDK throws it as an APIError. */
  error(err: GatewayError): string {
    if (this.finished) return '';
    this.finished = true;
    return frame('error', { error: anthropicErrorBody(err).error });
  }

  keepAlive(): string {
    // Byte-for-byte Anthropic's own ping, spaces included.
    return this.finished ? '' : 'event: ping\ndata: {"type": "ping"}\n\n';
  }

  private start(): string {
    if (this.started) return '';
    this.started = true;
    return frame('message_start', {
      message: {
        id: this.id,
        type: 'message',
        role: 'assistant',
        model: this.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: toAnthropicUsage(this.usage),
      },
    });
  }

  private stop(reason: FinishReason, stopSequence?: string): string {
    this.finished = true;
    return (
      this.closeOpen() +
      frame('message_delta', {
        delta: { stop_reason: toStopReason(reason, this.calledTools), stop_sequence: stopSequence ?? null },
        usage: toAnthropicUsage(this.usage),
      }) +
      frame('message_stop', {})
    );
  }

  /** A delta for the open block of `kind`, opening one first (and closing another kind) when needed. */
  private appendTo(kind: OpenBlock['kind'], delta: object): string {
    let out = '';
    if (this.open?.kind !== kind) {
      out += this.closeOpen();
      this.open = { kind, index: this.nextIndex++ };
      const block = kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' };
      out += frame('content_block_start', { index: this.open.index, content_block: block });
    }
    return out + frame('content_block_delta', { index: this.open.index, delta });
  }

  /** A block known completely at once: start, optional JSON input delta, stop. */
  private wholeBlock(block: object, inputJson?: string): string {
    const index = this.nextIndex++;
    let out = frame('content_block_start', { index, content_block: block });
    if (inputJson !== undefined) out += frame('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: inputJson } });
    return out + frame('content_block_stop', { index });
  }

  private closeOpen(): string {
    if (!this.open) return '';
    const { index } = this.open;
    this.open = undefined;
    return frame('content_block_stop', { index });
  }
}
