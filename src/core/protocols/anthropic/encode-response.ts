import type { ChatRequest, ChatResponse } from '../../ir';
import {
  imageBlock,
  thinkingBlock,
  toolUseBlock,
  webSearchBlocks,
  type ImageBlock,
  type ServerToolUseBlock,
  type ThinkingBlock,
  type ToolUseBlock,
  type WebSearchToolResultBlock,
} from './blocks';
import { messageIdFor } from './ids';
import { toAnthropicUsage, toStopReason, type AnthropicStopReason, type AnthropicUsage } from './usage';

export type OutputBlock = ThinkingBlock | { type: 'text'; text: string } | ToolUseBlock | ImageBlock | ServerToolUseBlock | WebSearchToolResultBlock;

export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: OutputBlock[];
  stop_reason: AnthropicStopReason;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

/** A complete (non-streamed) answer as an Anthropic `message`, named with the client's own model id. */
export function encodeMessageResponse(response: ChatResponse, request: ChatRequest): AnthropicMessage {
  const content: OutputBlock[] = response.parts.map((part): OutputBlock => {
    switch (part.type) {
      case 'thinking':
        return thinkingBlock(part);
      case 'text':
        return { type: 'text', text: part.text };
      case 'tool_call':
        return toolUseBlock(part);
      case 'media':
        return imageBlock(part);
    }
  });
  if (response.grounding) {
    // Anthropic places the search blocks after the reasoning and before the answer they ground.
    const firstAfterThinking = content.findIndex((block) => block.type !== 'thinking' && block.type !== 'redacted_thinking');
    content.splice(firstAfterThinking === -1 ? content.length : firstAfterThinking, 0, ...webSearchBlocks(response.grounding));
  }
  return {
    id: messageIdFor(response.id),
    type: 'message',
    role: 'assistant',
    model: request.model,
    content,
    stop_reason: toStopReason(
      response.finishReason,
      response.parts.some((part) => part.type === 'tool_call'),
    ),
    stop_sequence: response.stopSequence ?? null,
    usage: toAnthropicUsage(response.usage),
  };
}
