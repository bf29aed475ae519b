import type { ChatRequest, ChatResponse } from '../../../ir';
import { chatFinishReason } from '../shared/finish';
import { nowSeconds, openAIId } from '../shared/ids';
import { markdownOfMedia } from '../shared/media';
import { chatUsage, type ChatUsage } from '../shared/usage';

export interface TextCompletion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: Array<{ text: string; index: 0; logprobs: null; finish_reason: 'stop' | 'length' | 'content_filter' }>;
  usage: ChatUsage;
}

/** Finish reasons of a completion: no tools exist here, so never `tool_calls`. */
export const completionFinishReason = (reason: ChatResponse['finishReason']) => {
  const mapped = chatFinishReason(reason, false);
  return mapped === 'tool_calls' ? 'stop' : mapped;
};

export function encodeTextCompletion(response: ChatResponse, request: ChatRequest): TextCompletion {
  let text = '';
  for (const part of response.parts) {
    if (part.type === 'text') text += part.text;
    else if (part.type === 'media') text += markdownOfMedia(part);
  }
  return {
    id: openAIId('cmpl-'),
    object: 'text_completion',
    created: nowSeconds(),
    model: request.model,
    choices: [{ text, index: 0, logprobs: null, finish_reason: completionFinishReason(response.finishReason) }],
    usage: chatUsage(response.usage),
  };
}
