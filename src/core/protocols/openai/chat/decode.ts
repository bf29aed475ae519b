import { invalidRequest } from '../../../errors';
import type { ChatRequest, MediaPart, Part, TextPart, ToolChoice, ToolDefinition } from '../../../ir';
import { mediaPartFromUrl } from '../../../media/data-url';
import { contentParts } from '../shared/content-parts';
import { ConversationBuilder } from '../shared/conversation';
import { inlineFilePart } from '../shared/file-data';
import {
  at,
  definedOnly,
  isAbsent,
  isObject,
  type JsonObject,
  optionalArray,
  optionalBoolean,
  optionalNumber,
  optionalObject,
  optionalString,
  optionalStringList,
  requireArray,
  requireNonEmptyString,
  requireObject,
  requireString,
  unsupported,
} from '../shared/read';
import { thinkingFromEffort } from '../shared/reasoning';
import { responseFormatFrom } from '../shared/response-format';
import { decodeStreamOptions } from '../shared/stream-options';
import { assertUniqueToolNames, functionTool, namedToolChoice, parseToolArguments, toolChoiceFromMode } from '../shared/tools';
import { DecodeNotes, webSearchBeside } from '../../tool-notes';

/** `POST /v1/chat/completions` body → IR. */
export function decodeChatRequest(body: unknown, options: { exposeReasoning: boolean }): ChatRequest {
  if (!isObject(body)) throw invalidRequest('The request body must be a JSON object.');
  rejectUnsupported(body);

  const { tools, toolParams } = decodeTools(body);
  assertUniqueToolNames(tools, (i) => toolParams[i]);
  const { system, messages } = decodeMessages(body.messages);

  const searchOptions = optionalObject(body.web_search_options, 'web_search_options');
  const notes = new DecodeNotes();
  const reasoning = optionalObject(body.reasoning, 'reasoning');
  const user = optionalString(body.user, 'user') ?? optionalString(body.safety_identifier, 'safety_identifier');
  const responseFormat = optionalObject(body.response_format, 'response_format');

  return definedOnly<ChatRequest>({
    protocol: 'openai-chat',
    model: requireNonEmptyString(body.model, 'model'),
    system,
    messages,
    tools,
    toolChoice: decodeToolChoice(body, tools),
    parallelToolCalls: optionalBoolean(body.parallel_tool_calls, 'parallel_tool_calls'),
    maxOutputTokens:
      optionalNumber(body.max_completion_tokens, 'max_completion_tokens', { integer: true, min: 1 }) ??
      optionalNumber(body.max_tokens, 'max_tokens', { integer: true, min: 1 }),
    temperature: optionalNumber(body.temperature, 'temperature', { min: 0, max: 2 }),
    topP: optionalNumber(body.top_p, 'top_p', { min: 0, max: 1 }),
    stopSequences: optionalStringList(body.stop, 'stop'),
    seed: optionalNumber(body.seed, 'seed', { integer: true }),
    thinking: thinkingFromEffort(body.reasoning_effort, 'reasoning_effort') ?? thinkingFromEffort(reasoning?.effort, 'reasoning.effort'),
    includeThoughts: options.exposeReasoning,
    responseFormat: responseFormat ? responseFormatFrom(responseFormat, 'response_format', (f) => f.json_schema, 'response_format.json_schema') : undefined,
    stream: optionalBoolean(body.stream, 'stream') ?? false,
    // upstream-protocol §8: the client's cache key is the best conversation identity, then its end-user id.
    sessionKey: optionalString(body.prompt_cache_key, 'prompt_cache_key') ?? user,
    user,
    webSearch: webSearchBeside(searchOptions ? ['web_search_options'] : [], tools.length, notes) || undefined,
    notes: notes.list.length > 0 ? notes.list : undefined,
    inboundCodecState: decodeStreamOptions(body.stream_options),
  });
}

/** Parameters whose meaning the gateway cannot honour: refused rather than silently ignored. */
function rejectUnsupported(body: JsonObject): void {
  if ((optionalNumber(body.n, 'n', { integer: true, min: 1 }) ?? 1) > 1) {
    unsupported('n', 'Requesting several choices (n > 1)');
  }
  if (optionalBoolean(body.logprobs, 'logprobs')) unsupported('logprobs', 'logprobs');
  if ((optionalNumber(body.top_logprobs, 'top_logprobs', { integer: true, min: 0 }) ?? 0) > 0) {
    unsupported('top_logprobs', 'top_logprobs');
  }
  if (!isAbsent(body.audio)) unsupported('audio', 'Audio output');
  if (optionalStringList(body.modalities, 'modalities')?.includes('audio')) unsupported('modalities', 'Audio output');
}

function decodeTools(body: JsonObject): { tools: ToolDefinition[]; toolParams: string[] } {
  const tools: ToolDefinition[] = [];
  const toolParams: string[] = [];
  optionalArray(body.tools, 'tools')?.forEach((raw, i) => {
    const param = at('tools', i);
    const tool = requireObject(raw, param);
    const type = requireString(tool.type, at(param, 'type'));
    if (type !== 'function') unsupported(at(param, 'type'), `Tool type '${type}' (only 'function' tools are)`);
    tools.push(functionTool(requireObject(tool.function, at(param, 'function')), at(param, 'function')));
    toolParams.push(param);
  });
  // Legacy `functions`: the same declarations without the wrapper.
  optionalArray(body.functions, 'functions')?.forEach((raw, i) => {
    const param = at('functions', i);
    tools.push(functionTool(requireObject(raw, param), param));
    toolParams.push(param);
  });
  return { tools, toolParams };
}

function decodeToolChoice(body: JsonObject, tools: ToolDefinition[]): ToolChoice | undefined {
  const [value, param] = isAbsent(body.tool_choice)
    ? [body.function_call, 'function_call'] // legacy: 'none' | 'auto' | {name}
    : [body.tool_choice, 'tool_choice'];
  if (isAbsent(value)) return undefined;
  if (typeof value === 'string') return toolChoiceFromMode(value, tools, param);
  const choice = requireObject(value, param);
  if (param === 'function_call') {
    return namedToolChoice(requireNonEmptyString(choice.name, at(param, 'name')), tools, at(param, 'name'));
  }
  const type = requireString(choice.type, at(param, 'type'));
  if (type !== 'function') unsupported(at(param, 'type'), `tool_choice of type '${type}'`);
  const fn = requireObject(choice.function, at(param, 'function'));
  const nameParam = at(at(param, 'function'), 'name');
  return namedToolChoice(requireNonEmptyString(fn.name, nameParam), tools, nameParam);
}

function decodeMessages(value: unknown): Pick<ChatRequest, 'system' | 'messages'> {
  const list = requireArray(value, 'messages');
  if (list.length === 0) throw invalidRequest(`Invalid 'messages': empty array. Expected at least one message.`, 'messages');
  const system: TextPart[] = [];
  const conversation = new ConversationBuilder();
  // Legacy assistant `function_call`s carry no id; their `function` answers match by name.
  const unansweredLegacyCalls: Array<{ id: string; name: string }> = [];
  let legacyCallCount = 0;

  list.forEach((raw, i) => {
    const param = at('messages', i);
    const message = requireObject(raw, param);
    const role = requireString(message.role, at(param, 'role'));
    switch (role) {
      // The IR has one system prompt: system and developer messages join it wherever they appear.
      case 'system':
      case 'developer':
        system.push(...textContent(message.content, at(param, 'content')));
        return;
      case 'user':
        conversation.append('user', userContent(message.content, at(param, 'content')));
        return;
      case 'assistant': {
        const parts: Part[] = [];
        const reasoning = optionalString(message.reasoning_content, at(param, 'reasoning_content'));
        if (reasoning) parts.push({ type: 'thinking', text: reasoning });
        if (!isAbsent(message.content)) parts.push(...textContent(message.content, at(param, 'content')));
        optionalArray(message.tool_calls, at(param, 'tool_calls'))?.forEach((rawCall, j) => {
          const callParam = at(at(param, 'tool_calls'), j);
          const call = requireObject(rawCall, callParam);
          const fn = requireObject(call.function, at(callParam, 'function'));
          parts.push({
            type: 'tool_call',
            id: requireNonEmptyString(call.id, at(callParam, 'id')),
            name: requireNonEmptyString(fn.name, at(at(callParam, 'function'), 'name')),
            args: parseToolArguments(fn.arguments, at(at(callParam, 'function'), 'arguments')),
          });
        });
        const legacy = optionalObject(message.function_call, at(param, 'function_call'));
        if (legacy) {
          const name = requireNonEmptyString(legacy.name, at(at(param, 'function_call'), 'name'));
          const id = `call_legacy_${++legacyCallCount}`;
          unansweredLegacyCalls.push({ id, name });
          parts.push({ type: 'tool_call', id, name, args: parseToolArguments(legacy.arguments, at(at(param, 'function_call'), 'arguments')) });
        }
        conversation.append('assistant', parts);
        return;
      }
      case 'tool': {
        const idParam = at(param, 'tool_call_id');
        const callId = requireNonEmptyString(message.tool_call_id, idParam);
        const name = conversation.callName(callId);
        if (name === undefined) {
          throw invalidRequest(`Invalid parameter: '${idParam}' ('${callId}') does not match any tool call of an earlier assistant message.`, idParam);
        }
        const content = userContent(message.content, at(param, 'content'));
        conversation.append('user', [{ type: 'tool_result', callId, name, content }]);
        return;
      }
      case 'function': {
        const nameParam = at(param, 'name');
        const name = requireNonEmptyString(message.name, nameParam);
        const index = unansweredLegacyCalls.findLastIndex((call) => call.name === name);
        if (index < 0) {
          throw invalidRequest(`Invalid parameter: '${nameParam}' ('${name}') answers no earlier assistant function_call.`, nameParam);
        }
        const [call] = unansweredLegacyCalls.splice(index, 1);
        const content = userContent(message.content, at(param, 'content'));
        conversation.append('user', [{ type: 'tool_result', callId: call.id, name, content }]);
        return;
      }
      default:
        throw invalidRequest(
          `Invalid value for '${at(param, 'role')}': expected 'system', 'developer', 'user', 'assistant' or 'tool', got '${role}'.`,
          at(param, 'role'),
        );
    }
  });

  if (conversation.messages.length === 0) {
    throw invalidRequest(`Invalid 'messages': at least one user or assistant message with content is required.`, 'messages');
  }
  return { system, messages: conversation.messages };
}

/** System, developer and assistant content: a string or text parts (assistant refusals read as text). */
function textContent(content: unknown, param: string): TextPart[] {
  return contentParts(content, param, (type, part, partParam): TextPart => {
    if (type === 'text') return { type: 'text', text: requireString(part.text, at(partParam, 'text')) };
    if (type === 'refusal') return { type: 'text', text: requireString(part.refusal, at(partParam, 'refusal')) };
    throw invalidRequest(`Invalid value for '${at(partParam, 'type')}': expected 'text', got '${type}'.`, at(partParam, 'type'));
  });
}

/** User and tool content: a string or text, image and file parts. */
function userContent(content: unknown, param: string): Array<TextPart | MediaPart> {
  return contentParts(content, param, (type, part, partParam): TextPart | MediaPart => {
    switch (type) {
      case 'text':
        return { type: 'text', text: requireString(part.text, at(partParam, 'text')) };
      case 'image_url': {
        // `{url, detail}`, or the bare URL string some clients send.
        if (typeof part.image_url === 'string') return mediaPartFromUrl(part.image_url, at(partParam, 'image_url'), 'image');
        const image = requireObject(part.image_url, at(partParam, 'image_url'));
        const urlParam = at(at(partParam, 'image_url'), 'url');
        return mediaPartFromUrl(requireNonEmptyString(image.url, urlParam), urlParam, 'image');
      }
      case 'file':
        return inlineFilePart(requireObject(part.file, at(partParam, 'file')), at(partParam, 'file'));
      case 'input_audio':
        return unsupported(at(partParam, 'type'), 'Audio input');
      default:
        throw invalidRequest(`Invalid value for '${at(partParam, 'type')}': expected 'text', 'image_url' or 'file', got '${type}'.`, at(partParam, 'type'));
    }
  });
}
