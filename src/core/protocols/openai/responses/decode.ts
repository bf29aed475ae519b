import { GatewayError, invalidRequest } from '../../../errors';
import type { ChatRequest, Message } from '../../../ir';
import {
  at,
  definedOnly,
  isAbsent,
  isObject,
  type JsonObject,
  optionalBoolean,
  optionalNumber,
  optionalObject,
  optionalString,
  optionalStringList,
  requireNonEmptyString,
  unsupported,
} from '../shared/read';
import { thinkingFromEffort } from '../shared/reasoning';
import { responseFormatFrom } from '../shared/response-format';
import { decodeResponsesInput } from './input';
import { type ResponseEcho, ResponsesRequestState } from './state';
import type { ResponsesStore } from './store';
import { ToolNameMap } from './tool-names';
import { DecodeNotes } from '../../tool-notes';
import { ResponsesToolCollector, decodeResponsesToolChoice } from './tools';

const SUMMARY_MODES = ['auto', 'concise', 'detailed'];

/** `POST /v1/responses` body → IR, with the history of `previous_response_id` in front. */
export function decodeResponsesRequest(body: unknown, options: { exposeReasoning: boolean; store: ResponsesStore }): ChatRequest {
  if (!isObject(body)) throw invalidRequest('The request body must be a JSON object.');
  rejectUnsupported(body);

  const previousResponseId = optionalString(body.previous_response_id, 'previous_response_id');
  const prior = previousResponseId === undefined ? [] : loadPrevious(options.store, previousResponseId);
  const toolNames = new ToolNameMap();
  const notes = new DecodeNotes();
  const collector = new ResponsesToolCollector(toolNames, notes);
  collector.addList(body.tools, 'tools');
  const input = decodeResponsesInput(body.input ?? [], prior, { toolNames, tools: collector, notes });
  const { tools, webSearch } = collector.finish();
  if (input.messages.length === 0) {
    throw invalidRequest(`Invalid 'input': at least one user or assistant item with content is required.`, 'input');
  }
  const instructions = optionalString(body.instructions, 'instructions');
  const system = instructions ? [{ type: 'text' as const, text: instructions }, ...input.system] : input.system;

  const reasoning = optionalObject(body.reasoning, 'reasoning');
  const summary = decodeSummary(reasoning);
  const text = optionalObject(body.text, 'text');
  const format = optionalObject(text?.format, 'text.format');
  const user = optionalString(body.user, 'user') ?? optionalString(body.safety_identifier, 'safety_identifier');
  const store = optionalBoolean(body.store, 'store') ?? true;
  const include = optionalStringList(body.include, 'include') ?? [];
  const toolChoice = decodeResponsesToolChoice(body.tool_choice, tools, toolNames, notes);
  const parallelToolCalls = optionalBoolean(body.parallel_tool_calls, 'parallel_tool_calls');
  const maxOutputTokens = optionalNumber(body.max_output_tokens, 'max_output_tokens', { integer: true, min: 1 });
  const temperature = optionalNumber(body.temperature, 'temperature', { min: 0, max: 2 });
  const topP = optionalNumber(body.top_p, 'top_p', { min: 0, max: 1 });
  const reasoningEffort = optionalString(reasoning?.effort, 'reasoning.effort');

  const echo: ResponseEcho = {
    instructions: instructions ?? null,
    max_output_tokens: maxOutputTokens ?? null,
    metadata: optionalObject(body.metadata, 'metadata') ?? {},
    parallel_tool_calls: parallelToolCalls ?? true,
    previous_response_id: previousResponseId ?? null,
    reasoning: { effort: reasoningEffort ?? null, summary: summary ?? null },
    store,
    temperature: temperature ?? null,
    text: { format: format ?? { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: Array.isArray(body.tools) ? body.tools : [],
    top_p: topP ?? null,
    truncation: optionalString(body.truncation, 'truncation') ?? 'disabled',
    user: user ?? null,
  };

  return definedOnly<ChatRequest>({
    protocol: 'openai-responses',
    model: requireNonEmptyString(body.model, 'model'),
    system,
    messages: input.messages,
    tools,
    toolChoice,
    parallelToolCalls,
    maxOutputTokens,
    temperature,
    topP,
    thinking: thinkingFromEffort(reasoningEffort, 'reasoning.effort'),
    // OpenAI returns reasoning summaries only to clients that ask for them (Codex: `summary: "auto"`).
    includeThoughts: options.exposeReasoning && summary !== undefined,
    responseFormat: format ? responseFormatFrom(format, 'text.format', (f) => f, 'text.format') : undefined,
    stream: optionalBoolean(body.stream, 'stream') ?? false,
    // upstream-protocol §8: Codex sends its conversation id as prompt_cache_key.
    sessionKey: optionalString(body.prompt_cache_key, 'prompt_cache_key') ?? user,
    user,
    webSearch: webSearch || undefined,
    notes: notes.list.length > 0 ? notes.list : undefined,
    inboundCodecState: new ResponsesRequestState(store, include.includes('reasoning.encrypted_content'), toolNames, echo),
  });
}

function rejectUnsupported(body: JsonObject): void {
  if (optionalBoolean(body.background, 'background')) unsupported('background', 'Background responses');
  if (!isAbsent(body.conversation)) unsupported('conversation', 'Conversation objects (use previous_response_id)');
  if (!isAbsent(body.prompt)) unsupported('prompt', 'Stored prompt templates');
  if ((optionalNumber(body.top_logprobs, 'top_logprobs', { integer: true, min: 0 }) ?? 0) > 0) {
    unsupported('top_logprobs', 'top_logprobs');
  }
}

function loadPrevious(store: ResponsesStore, id: string): readonly Message[] {
  const conversation = store.load(id);
  if (!conversation) {
    throw new GatewayError('not_found', `Previous response with id '${id}' not found.`, { param: 'previous_response_id' });
  }
  return conversation;
}

/** `reasoning.summary` (or its deprecated twin `generate_summary`); null and absent both mean none. */
function decodeSummary(reasoning: JsonObject | undefined): string | undefined {
  const param = isAbsent(reasoning?.summary) ? at('reasoning', 'generate_summary') : at('reasoning', 'summary');
  const summary = optionalString(reasoning?.summary ?? reasoning?.generate_summary, param);
  if (summary !== undefined && !SUMMARY_MODES.includes(summary)) {
    throw invalidRequest(`Invalid value for '${param}': expected one of ${SUMMARY_MODES.map((m) => `'${m}'`).join(', ')}, got '${summary}'.`, param);
  }
  return summary;
}
