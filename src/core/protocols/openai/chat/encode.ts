import type { ChatRequest, ChatResponse } from '../../../ir';
import { chatFinishReason, type ChatFinishReason } from '../shared/finish';
import { openAIId, nowSeconds } from '../shared/ids';
import { markdownOfMedia } from '../shared/media';
import { toolArgumentsJson } from '../shared/tools';
import { chatUsage, type ChatUsage } from '../shared/usage';

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: 0;
    message: {
      role: 'assistant';
      content: string | null;
      refusal: null;
      /** The model's thoughts, as DeepSeek-style clients read them. */
      reasoning_content?: string;
      tool_calls?: ChatToolCall[];
    };
    logprobs: null;
    finish_reason: ChatFinishReason;
  }>;
  usage: ChatUsage;
}

/** A whole answer as one `chat.completion` object. */
export function encodeChatCompletion(response: ChatResponse, request: ChatRequest, exposeReasoning: boolean): ChatCompletion {
  let content = '';
  let reasoning = '';
  const toolCalls: ChatToolCall[] = [];
  for (const part of response.parts) {
    if (part.type === 'text') content += part.text;
    else if (part.type === 'media') content += markdownOfMedia(part);
    else if (part.type === 'thinking') reasoning += part.redacted ? '' : part.text;
    else toolCalls.push({ id: part.id, type: 'function', function: { name: part.name, arguments: toolArgumentsJson(part.args) } });
  }
  const message: ChatCompletion['choices'][number]['message'] = {
    role: 'assistant',
    // OpenAI sends null content beside tool calls and '' for an empty answer.
    content: content || (toolCalls.length > 0 ? null : ''),
    refusal: null,
  };
  if (exposeReasoning && reasoning) message.reasoning_content = reasoning;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return {
    id: openAIId('chatcmpl-'),
    object: 'chat.completion',
    created: nowSeconds(),
    model: request.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: chatFinishReason(response.finishReason, toolCalls.length > 0) }],
    usage: chatUsage(response.usage),
  };
}
