/**
 * A strict fake of an OpenAI-compatible API (`{base}/chat/completions`,
 * `{base}/models`, base URL ending in `/v1`): `Authorization: Bearer` keys,
 * OpenAI's error envelope `{error:{message,type,param,code}}`, chunked SSE
 * ending in `data: [DONE]`, and usage on a last chunk with empty `choices`
 * when `stream_options.include_usage` asks for it.
 */
import type { IncomingMessage } from 'node:http';
import type { Exchange } from '../exchange';
import { SimHttpError } from '../google-errors';
import { isObject } from '../http';
import type { SimState } from '../state';
import type { FaultSpec } from '../types';
import type { GenerateRequest, WireContent, WirePart } from '../wire';
import { findProviderModel, PROVIDER_MODELS, type ProviderModel } from './catalog';
import { deliverFrames, deliverWhole, scriptAnswer, splitEvenly } from './common';
import { redactKey } from './keys';

const BODY_KEYS = [
  'model',
  'messages',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'n',
  'stream',
  'stream_options',
  'stop',
  'presence_penalty',
  'frequency_penalty',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'user',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'seed',
  'reasoning_effort',
  'metadata',
  'store',
  'service_tier',
  'modalities',
  'prediction',
  'verbosity',
  'prompt_cache_key',
  'safety_identifier',
];
const ROLES = ['system', 'developer', 'user', 'assistant', 'tool'];

type Json = Record<string, unknown>;

export function openaiError(status: number, message: string, type: string, code: string | null = null, param: string | null = null): SimHttpError {
  return new SimHttpError(status, { error: { message, type, param, code } });
}

export const invalidRequest = (message: string, param: string | null = null, code: string | null = null): SimHttpError =>
  openaiError(400, message, 'invalid_request_error', code, param);

export function openaiKey(req: IncomingMessage): string {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match) {
    throw openaiError(
      401,
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
      'invalid_request_error',
    );
  }
  return match[1];
}

export function incorrectKey(key: string): SimHttpError {
  return openaiError(
    401,
    `Incorrect API key provided: ${redactKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    'invalid_request_error',
    'invalid_api_key',
  );
}

export function openaiFaultError(fault: FaultSpec, model: string): SimHttpError | undefined {
  switch (fault.kind) {
    case 'rate_limited': {
      const seconds = Math.max(1, Math.ceil((fault.retryDelayMs ?? 1000) / 1000));
      const error = openaiError(
        429,
        `Rate limit reached for ${model} on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${seconds}s.`,
        'requests',
        'rate_limit_exceeded',
      );
      return new SimHttpError(429, error.body, { 'retry-after': String(seconds), 'x-ratelimit-remaining-requests': '0' });
    }
    case 'quota_exhausted':
      return openaiError(
        429,
        'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
        'insufficient_quota',
        'insufficient_quota',
      );
    case 'capacity':
      return openaiError(503, 'The server is overloaded or not ready yet.', 'server_error');
    case 'server_error':
      return openaiError(fault.status ?? 500, 'The server had an error while processing your request. Sorry about that!', 'server_error');
    case 'unauthorized':
      return openaiError(
        401,
        'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
        'invalid_request_error',
        'invalid_api_key',
      );
    case 'validation_required':
    case 'tos_disabled':
      return openaiError(403, `Project does not have access to model \`${model}\``, 'invalid_request_error', 'model_not_found');
    case 'bad_request':
      return invalidRequest(fault.message ?? 'Invalid request.');
    case 'hang':
    case 'reset_after':
      return undefined;
  }
}

export function openaiModels(): unknown {
  return {
    object: 'list',
    data: PROVIDER_MODELS.openai.map((m) => ({ id: m.id, object: 'model', created: m.created, owned_by: 'system' })),
  };
}

interface ValidChat {
  model: ProviderModel;
  request: GenerateRequest;
  stream: boolean;
  includeUsage: boolean;
}

function validateChat(body: unknown): ValidChat {
  if (!isObject(body))
    throw invalidRequest(
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
    );
  for (const key of Object.keys(body)) if (!BODY_KEYS.includes(key)) throw invalidRequest(`Unrecognized request argument supplied: ${key}`);
  if (typeof body.model !== 'string' || body.model === '') throw invalidRequest('you must provide a model parameter');
  const model = findProviderModel('openai', body.model);
  if (!model) throw openaiError(404, `The model \`${body.model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean')
    throw invalidRequest(`Invalid type for 'stream': expected a boolean, but got ${typeof body.stream} instead.`, 'stream', 'invalid_type');
  const stream = body.stream === true;
  if (body.stream_options !== undefined && body.stream_options !== null) {
    if (!stream) throw invalidRequest("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options');
    if (!isObject(body.stream_options)) throw invalidRequest("Invalid type for 'stream_options': expected an object.", 'stream_options', 'invalid_type');
  }
  const includeUsage = isObject(body.stream_options) && body.stream_options.include_usage === true;
  if (body.n !== undefined && body.n !== null && body.n !== 1) throw invalidRequest('The simulated provider serves n=1 only.', 'n');
  if (body.temperature !== undefined && body.temperature !== null && (typeof body.temperature !== 'number' || body.temperature < 0 || body.temperature > 2)) {
    throw invalidRequest(
      `Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got ${String(body.temperature)} instead.`,
      'temperature',
      'decimal_above_max_value',
    );
  }
  if (model.reasoning && body.max_tokens !== undefined && body.max_tokens !== null) {
    throw invalidRequest(
      "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      'max_tokens',
      'unsupported_parameter',
    );
  }
  const maxTokens = (body.max_completion_tokens ?? body.max_tokens) as unknown;
  if (maxTokens !== undefined && maxTokens !== null) {
    if (!Number.isInteger(maxTokens) || (maxTokens as number) < 1)
      throw invalidRequest("Invalid 'max_tokens': integer below minimum value. Expected a value >= 1.", 'max_tokens', 'integer_below_min_value');
    if ((maxTokens as number) > model.maxOutputTokens) {
      throw invalidRequest(
        `max_tokens is too large: ${String(maxTokens)}. This model supports at most ${model.maxOutputTokens} completion tokens, whereas you provided ${String(maxTokens)}.`,
        'max_tokens',
        'invalid_value',
      );
    }
  }
  const declarations = validateTools(body.tools);
  const contents: WireContent[] = [];
  const systemParts: WirePart[] = [];
  validateMessages(body.messages, contents, systemParts, declarations.length > 0);
  const request: GenerateRequest = { contents, generationConfig: {} };
  if (maxTokens !== undefined && maxTokens !== null) request.generationConfig!.maxOutputTokens = maxTokens as number;
  if (model.reasoning) request.generationConfig!.thinkingConfig = { includeThoughts: false };
  else request.generationConfig!.thinkingConfig = { thinkingBudget: 0 };
  if (systemParts.length > 0) request.systemInstruction = { parts: systemParts };
  if (declarations.length > 0) request.tools = [{ functionDeclarations: declarations }];
  applyResponseFormat(body.response_format, body.messages as Json[], request);
  return { model, request, stream, includeUsage };
}

function validateTools(tools: unknown): Array<{ name: string; description?: string }> {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) throw invalidRequest("Invalid type for 'tools': expected an array.", 'tools', 'invalid_type');
  return tools.map((tool: unknown, index) => {
    const param = `tools[${index}]`;
    if (!isObject(tool) || tool.type !== 'function')
      throw invalidRequest(`Invalid value for '${param}.type': expected 'function'.`, `${param}.type`, 'invalid_value');
    const fn = tool.function;
    if (!isObject(fn)) throw invalidRequest(`Missing required parameter: '${param}.function'.`, `${param}.function`, 'missing_required_parameter');
    if (typeof fn.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(fn.name)) {
      throw invalidRequest(
        `Invalid '${param}.function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`,
        `${param}.function.name`,
        'invalid_value',
      );
    }
    if (fn.parameters !== undefined && (!isObject(fn.parameters) || (fn.parameters.type !== undefined && fn.parameters.type !== 'object'))) {
      throw invalidRequest(
        `Invalid schema for function '${fn.name}': schema must be a JSON Schema of 'type: "object"'.`,
        `${param}.function.parameters`,
        'invalid_function_parameters',
      );
    }
    return { name: fn.name, description: typeof fn.description === 'string' ? fn.description : undefined };
  });
}

function textOf(content: unknown, param: string, allowImages: boolean): WirePart[] {
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  if (content === null || content === undefined) return [];
  if (!Array.isArray(content)) throw invalidRequest(`Invalid type for '${param}': expected one of a string or array of objects.`, param, 'invalid_type');
  return content.map((part: unknown, index): WirePart => {
    const partParam = `${param}[${index}]`;
    if (!isObject(part)) throw invalidRequest(`Invalid type for '${partParam}': expected an object.`, partParam, 'invalid_type');
    if (part.type === 'text' && typeof part.text === 'string') return { text: part.text };
    if (allowImages && part.type === 'image_url' && isObject(part.image_url) && typeof part.image_url.url === 'string') {
      const data = /^data:([^;,]+);base64,(.*)$/s.exec(part.image_url.url);
      return data ? { inlineData: { mimeType: data[1], data: data[2] } } : { fileData: { fileUri: part.image_url.url } };
    }
    throw invalidRequest(
      `Invalid value: '${String(part.type)}'. Supported values are: 'text'${allowImages ? ", 'image_url'" : ''}.`,
      `${partParam}.type`,
      'invalid_value',
    );
  });
}

function validateMessages(messages: unknown, contents: WireContent[], systemParts: WirePart[], hasTools: boolean): void {
  if (messages === undefined) throw invalidRequest("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
  if (!Array.isArray(messages)) throw invalidRequest("Invalid type for 'messages': expected an array.", 'messages', 'invalid_type');
  if (messages.length === 0)
    throw invalidRequest(
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'messages',
      'empty_array',
    );
  let pending = new Map<string, string>();
  const push = (role: 'user' | 'model', parts: WirePart[]) => {
    if (parts.length === 0) return;
    const previous = contents[contents.length - 1];
    if (previous?.role === role) previous.parts.push(...parts);
    else contents.push({ role, parts });
  };
  messages.forEach((message: unknown, index) => {
    const param = `messages[${index}]`;
    if (!isObject(message)) throw invalidRequest(`Invalid type for '${param}': expected an object.`, param, 'invalid_type');
    const role = message.role;
    if (typeof role !== 'string' || !ROLES.includes(role)) {
      throw invalidRequest(
        `Invalid value: '${String(role)}'. Supported values are: 'system', 'assistant', 'user', 'tool', 'function' and 'developer'.`,
        `${param}.role`,
        'invalid_value',
      );
    }
    if (role !== 'tool' && pending.size > 0) {
      throw invalidRequest(
        `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...pending.keys()].join(', ')}`,
        `messages.[${index}].role`,
      );
    }
    switch (role) {
      case 'system':
      case 'developer':
        systemParts.push(...textOf(message.content, `${param}.content`, false));
        return;
      case 'user': {
        const parts = textOf(message.content, `${param}.content`, true);
        if (parts.length === 0)
          throw invalidRequest(
            `Invalid '${param}.content': string too short. Expected a string with minimum length 1.`,
            `${param}.content`,
            'string_below_min_length',
          );
        push('user', parts);
        return;
      }
      case 'assistant': {
        const parts = textOf(message.content, `${param}.content`, false);
        const calls = new Map<string, string>();
        if (message.tool_calls !== undefined && message.tool_calls !== null) {
          if (!Array.isArray(message.tool_calls))
            throw invalidRequest(`Invalid type for '${param}.tool_calls': expected an array.`, `${param}.tool_calls`, 'invalid_type');
          message.tool_calls.forEach((call: unknown, callIndex) => {
            const callParam = `${param}.tool_calls[${callIndex}]`;
            if (!isObject(call) || typeof call.id !== 'string' || !isObject(call.function) || typeof call.function.name !== 'string') {
              throw invalidRequest(`Missing required parameter: '${callParam}.function'.`, callParam, 'missing_required_parameter');
            }
            let args: unknown;
            try {
              args = JSON.parse(typeof call.function.arguments === 'string' ? call.function.arguments : '');
            } catch {
              throw invalidRequest(`Invalid '${callParam}.function.arguments': not valid JSON.`, `${callParam}.function.arguments`, 'invalid_value');
            }
            calls.set(call.id, call.function.name);
            parts.push({ functionCall: { name: call.function.name, args: isObject(args) ? args : {}, id: call.id } });
          });
        }
        if (parts.length === 0) throw invalidRequest(`Invalid '${param}': an assistant message needs content or tool_calls.`, param);
        if (calls.size > 0 && !hasTools)
          throw invalidRequest(`Invalid '${param}.tool_calls': tool_calls are present but no tools were provided.`, `${param}.tool_calls`);
        push('model', parts);
        pending = calls;
        return;
      }
      case 'tool': {
        const id = message.tool_call_id;
        if (typeof id !== 'string' || !pending.has(id)) {
          throw invalidRequest(
            "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
            `messages.[${index}].role`,
          );
        }
        const content = textOf(message.content, `${param}.content`, false)
          .map((part) => part.text)
          .join('');
        push('user', [{ functionResponse: { name: pending.get(id)!, response: { content }, id } }]);
        pending.delete(id);
        return;
      }
    }
  });
  if (pending.size > 0) {
    throw invalidRequest(
      `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...pending.keys()].join(', ')}`,
      'messages',
    );
  }
  if (contents.length === 0 || contents[0].role !== 'user') {
    // The scripted model needs a user turn to answer; a conversation of system text only still gets one.
    contents.unshift({ role: 'user', parts: [{ text: systemParts.map((p) => p.text).join('\n') || '.' }] });
  }
}

function applyResponseFormat(format: unknown, messages: Json[], request: GenerateRequest): void {
  if (format === undefined || format === null) return;
  if (!isObject(format)) throw invalidRequest("Invalid type for 'response_format': expected an object.", 'response_format', 'invalid_type');
  if (format.type === 'text') return;
  if (format.type === 'json_object') {
    if (!JSON.stringify(messages).toLowerCase().includes('json')) {
      throw invalidRequest("'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.", 'messages');
    }
    request.generationConfig!.responseMimeType = 'application/json';
    return;
  }
  if (format.type === 'json_schema') {
    if (!isObject(format.json_schema) || typeof format.json_schema.name !== 'string') {
      throw invalidRequest("Missing required parameter: 'response_format.json_schema.name'.", 'response_format.json_schema.name', 'missing_required_parameter');
    }
    request.generationConfig!.responseMimeType = 'application/json';
    if (isObject(format.json_schema.schema)) request.generationConfig!.responseJsonSchema = format.json_schema.schema;
    return;
  }
  throw invalidRequest(
    `Invalid value: '${String(format.type)}'. Supported values are: 'json_object', 'json_schema', and 'text'.`,
    'response_format.type',
    'invalid_value',
  );
}

export async function handleChatCompletions(state: SimState, exchange: Exchange, body: unknown): Promise<void> {
  const { model, request, stream, includeUsage } = validateChat(body);
  exchange.annotate({ model: model.id });
  const scripted = scriptAnswer(state, exchange, model, request, stream, (message) => invalidRequest(message));
  const { answer, fault, sequence } = scripted;
  if (fault) {
    const error = openaiFaultError(fault, model.id);
    if (error) throw error;
  }
  const completion = answer.candidatesTokenCount + answer.thoughtsTokenCount;
  const usage = {
    prompt_tokens: scripted.promptTokens,
    completion_tokens: completion,
    total_tokens: scripted.promptTokens + completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: answer.thoughtsTokenCount, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
  const id = `chatcmpl-sim${sequence}`;
  const created = Math.floor(state.now() / 1000);
  const parts = answer.frames.flat().filter((part) => !part.thought);
  const calls = parts.filter((part) => part.functionCall);
  const finishReason = calls.length > 0 ? 'tool_calls' : answer.finishReason === 'MAX_TOKENS' ? 'length' : 'stop';
  const base = { id, created, model: model.id, system_fingerprint: 'fp_agate_sim', service_tier: 'default' };
  if (!stream) {
    const text = parts.map((part) => part.text ?? '').join('');
    const message: Json = { role: 'assistant', content: calls.length > 0 && text === '' ? null : text, refusal: null, annotations: [] };
    if (calls.length > 0) {
      message.tool_calls = calls.map((part) => ({
        id: callId(part),
        type: 'function',
        function: { name: part.functionCall!.name, arguments: JSON.stringify(part.functionCall!.args ?? {}) },
      }));
    }
    const completionBody = { ...base, object: 'chat.completion', choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }], usage };
    return deliverWhole(state, exchange, answer.frames.length, completionBody, fault);
  }
  const chunk = (delta: Json, finish: string | null): string => {
    const data: Json = { ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] };
    if (includeUsage) data.usage = null;
    return `data: ${JSON.stringify(data)}\n\n`;
  };
  const frames: string[] = [];
  let callIndex = 0;
  let first = true;
  for (const frame of answer.frames) {
    let text = '';
    for (const part of frame) {
      if (part.thought) continue;
      const role = first ? { role: 'assistant' } : {};
      if (part.text !== undefined) {
        text += chunk({ ...role, content: part.text }, null);
      } else if (part.functionCall) {
        const args = splitEvenly(JSON.stringify(part.functionCall.args ?? {}), 2);
        text += chunk(
          { ...role, tool_calls: [{ index: callIndex, id: callId(part), type: 'function', function: { name: part.functionCall.name, arguments: '' } }] },
          null,
        );
        for (const piece of args) text += chunk({ tool_calls: [{ index: callIndex, function: { arguments: piece } }] }, null);
        callIndex += 1;
      }
      first = false;
    }
    if (text !== '') frames.push(text);
  }
  let tail = chunk(first ? { role: 'assistant', content: '' } : {}, finishReason);
  if (includeUsage) tail += `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage })}\n\n`;
  tail += 'data: [DONE]\n\n';
  if (frames.length === 0) frames.push(tail);
  else frames[frames.length - 1] += tail;
  return deliverFrames(state, exchange, frames, fault, { 'content-type': 'text/event-stream; charset=utf-8' });
}

function callId(part: WirePart): string {
  return `call_${part.functionCall!.id!.replace(/[^a-zA-Z0-9]/g, '')}`;
}
