import { emptyUsage, type ChatEvent, type ChatResponse, type FinishReason } from './ir';

/**
 * Folds a stream of IR events into one ChatResponse, for clients that asked
 * for a non-streamed answer: adjacent text deltas join, a thinking run closes
 * with its signature, tool calls and media stay in order.
 */
export class ResponseAggregator {
  private readonly parts: ChatResponse['parts'] = [];
  private usage = emptyUsage();
  private finishReason: FinishReason = 'stop';
  private stopSequence?: string;
  private grounding?: Record<string, unknown>;

  add(event: ChatEvent): void {
    const last = this.parts[this.parts.length - 1];
    switch (event.type) {
      case 'text':
        if (last?.type === 'text') last.text += event.text;
        else this.parts.push({ type: 'text', text: event.text });
        break;
      case 'thinking':
        if (last?.type === 'thinking' && last.signature === undefined) last.text += event.text;
        else this.parts.push({ type: 'thinking', text: event.text });
        break;
      case 'thinking_signature':
        if (last?.type === 'thinking' && last.signature === undefined) last.signature = event.signature;
        else this.parts.push({ type: 'thinking', text: '', signature: event.signature });
        break;
      case 'tool_call':
        this.parts.push({ ...event.call });
        break;
      case 'media':
        this.parts.push({ type: 'media', mimeType: event.mimeType, source: { kind: 'base64', data: event.data } });
        break;
      case 'grounding':
        this.grounding = event.metadata;
        break;
      case 'usage':
        this.usage = event.usage;
        break;
      case 'finish':
        this.finishReason = event.reason;
        this.usage = event.usage;
        this.stopSequence = event.stopSequence;
        break;
    }
  }

  result(id: string, model: string): ChatResponse {
    return {
      id,
      model,
      parts: this.parts,
      finishReason: this.finishReason,
      stopSequence: this.stopSequence,
      usage: this.usage,
      grounding: this.grounding,
    };
  }
}
