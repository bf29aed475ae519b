import type { ChatEvent } from '../../../ir';
import { DataStreamEncoder } from '../shared/data-stream';
import { chatFinishReason, type ChatFinishReason } from '../shared/finish';
import { nowSeconds, openAIId } from '../shared/ids';
import { markdownImage } from '../shared/media';
import { dataFrame } from '../shared/sse';
import { toolArgumentsJson } from '../shared/tools';
import { chatUsage } from '../shared/usage';

type Delta = Record<string, unknown>;

/**
 * `chat.completion.chunk` frames: a role delta first, then content /
 * reasoning_content / tool_calls deltas as events arrive, one chunk with the
 * finish_reason, the usage chunk (`choices: []`) when the client asked for it
 * with `stream_options.include_usage`, and `data: [DONE]`.
 */
export class ChatStreamEncoder extends DataStreamEncoder {
  private readonly id = openAIId('chatcmpl-');
  private readonly created = nowSeconds();
  private started = false;
  private toolCalls = 0;

  constructor(
    private readonly model: string,
    private readonly includeUsage: boolean,
    private readonly exposeReasoning: boolean,
  ) {
    super();
  }

  protected encodeEvent(event: ChatEvent): string {
    switch (event.type) {
      case 'text':
        return event.text ? this.delta({ content: event.text }) : '';
      case 'thinking':
        return this.exposeReasoning && event.text ? this.delta({ reasoning_content: event.text }) : '';
      case 'media':
        return this.delta({ content: markdownImage(event.mimeType, event.data) });
      case 'tool_call': {
        // Stable index per call; id, type and name open the call, arguments follow (as OpenAI streams them).
        const index = this.toolCalls++;
        const { id, name, args } = event.call;
        return (
          this.delta({ tool_calls: [{ index, id, type: 'function', function: { name, arguments: '' } }] }) +
          this.delta({ tool_calls: [{ index, function: { arguments: toolArgumentsJson(args) } }] })
        );
      }
      case 'finish': {
        let frames = this.opening() + this.chunk({}, chatFinishReason(event.reason, this.toolCalls > 0));
        if (this.includeUsage) frames += dataFrame({ ...this.envelope(), choices: [], usage: chatUsage(event.usage) });
        return frames;
      }
      // Signatures have no Chat Completions field; grounding and interim usage have no chunk of their own.
      case 'thinking_signature':
      case 'grounding':
      case 'usage':
        return '';
    }
  }

  private delta(delta: Delta): string {
    return this.opening() + this.chunk(delta, null);
  }

  private opening(): string {
    if (this.started) return '';
    this.started = true;
    return this.chunk({ role: 'assistant', content: '' }, null);
  }

  private chunk(delta: Delta, finishReason: ChatFinishReason | null): string {
    return dataFrame({ ...this.envelope(), choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] });
  }

  private envelope() {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model };
  }
}
