import { invalidRequest } from '../../../errors';
import type { ChatRequest } from '../../../ir';
import {
  definedOnly,
  isAbsent,
  isObject,
  type JsonObject,
  optionalBoolean,
  optionalNumber,
  optionalString,
  optionalStringList,
  requireNonEmptyString,
  unsupported,
} from '../shared/read';
import { decodeStreamOptions } from '../shared/stream-options';

/**
 * `POST /v1/completions` body → IR. The upstream only chats, so the prompt
 * becomes one user message; what needs raw text completion (suffix/insertion,
 * echo, token-id prompts, several prompts or choices) is refused.
 */
export function decodeCompletionsRequest(body: unknown): ChatRequest {
  if (!isObject(body)) throw invalidRequest('The request body must be a JSON object.');
  rejectUnsupported(body);
  const user = optionalString(body.user, 'user');
  return definedOnly<ChatRequest>({
    protocol: 'openai-completions',
    model: requireNonEmptyString(body.model, 'model'),
    system: [],
    messages: [{ role: 'user', parts: [{ type: 'text', text: decodePrompt(body.prompt) }] }],
    tools: [],
    maxOutputTokens: optionalNumber(body.max_tokens, 'max_tokens', { integer: true, min: 1 }),
    temperature: optionalNumber(body.temperature, 'temperature', { min: 0, max: 2 }),
    topP: optionalNumber(body.top_p, 'top_p', { min: 0, max: 1 }),
    stopSequences: optionalStringList(body.stop, 'stop'),
    seed: optionalNumber(body.seed, 'seed', { integer: true }),
    includeThoughts: false,
    stream: optionalBoolean(body.stream, 'stream') ?? false,
    sessionKey: user,
    user,
    inboundCodecState: decodeStreamOptions(body.stream_options),
  });
}

/** A string, or an array holding exactly one string. */
function decodePrompt(prompt: unknown): string {
  let text: unknown = prompt;
  if (Array.isArray(prompt)) {
    if (prompt.length !== 1) unsupported('prompt', 'A prompt array of several prompts (send one request per prompt)');
    text = prompt[0];
  }
  if (typeof text !== 'string') {
    if (isAbsent(text)) throw invalidRequest(`Missing required parameter: 'prompt'.`, 'prompt');
    throw invalidRequest(`Invalid type for 'prompt': expected a string (token-id prompts are not supported).`, 'prompt');
  }
  if (text.length === 0) throw invalidRequest(`Invalid 'prompt': empty string.`, 'prompt');
  return text;
}

function rejectUnsupported(body: JsonObject): void {
  if (!isAbsent(body.suffix) && body.suffix !== '') unsupported('suffix', 'suffix (insertion)');
  if (optionalBoolean(body.echo, 'echo')) unsupported('echo', 'echo');
  if ((optionalNumber(body.n, 'n', { integer: true, min: 1 }) ?? 1) > 1) unsupported('n', 'Requesting several choices (n > 1)');
  if ((optionalNumber(body.best_of, 'best_of', { integer: true, min: 1 }) ?? 1) > 1) unsupported('best_of', 'best_of > 1');
  if (!isAbsent(body.logprobs) && body.logprobs !== 0) unsupported('logprobs', 'logprobs');
}
