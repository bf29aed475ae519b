import type { ChatRequest } from '../../../ir';
import { at, optionalBoolean, optionalObject } from './read';

/**
 * Chat and Completions `stream_options`, kept on the request as its
 * `inboundCodecState` so the stream encoder knows whether to end with a usage chunk.
 */
export class OpenAIStreamOptions {
  constructor(readonly includeUsage: boolean) {}
}

export function decodeStreamOptions(value: unknown): OpenAIStreamOptions {
  const options = optionalObject(value, 'stream_options');
  return new OpenAIStreamOptions(optionalBoolean(options?.include_usage, at('stream_options', 'include_usage')) ?? false);
}

export function streamOptionsOf(request: ChatRequest): OpenAIStreamOptions {
  const state = request.inboundCodecState;
  return state instanceof OpenAIStreamOptions ? state : new OpenAIStreamOptions(false);
}
