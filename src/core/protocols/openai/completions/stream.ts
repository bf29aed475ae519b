import type { ChatEvent } from '../../../ir';
import { DataStreamEncoder } from '../shared/data-stream';
import { nowSeconds, openAIId } from '../shared/ids';
import { markdownImage } from '../shared/media';
import { dataFrame } from '../shared/sse';
import { chatUsage } from '../shared/usage';
import { completionFinishReason } from './encode';

/** `text_completion` chunks with text deltas, a chunk with the finish_reason, the optional usage chunk, `[DONE]`. */
export class CompletionsStreamEncoder extends DataStreamEncoder {
  private readonly id = openAIId('cmpl-');
  private readonly created = nowSeconds();

  constructor(
    private readonly model: string,
    private readonly includeUsage: boolean,
  ) {
    super();
  }

  protected encodeEvent(event: ChatEvent): string {
    switch (event.type) {
      case 'text':
        return event.text ? this.chunk(event.text, null) : '';
      case 'media':
        return this.chunk(markdownImage(event.mimeType, event.data), null);
      case 'finish': {
        const frames = this.chunk('', completionFinishReason(event.reason));
        return this.includeUsage ? frames + dataFrame({ ...this.envelope(), choices: [], usage: chatUsage(event.usage) }) : frames;
      }
      // A text completion has no thoughts or calls to show.
      default:
        return '';
    }
  }

  private chunk(text: string, finishReason: string | null): string {
    return dataFrame({ ...this.envelope(), choices: [{ text, index: 0, logprobs: null, finish_reason: finishReason }] });
  }

  private envelope() {
    return { id: this.id, object: 'text_completion', created: this.created, model: this.model };
  }
}
