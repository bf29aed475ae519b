/**
 * A strict fake of the Anthropic Messages API (`{base}/v1/messages`,
 * `/v1/messages/count_tokens`, `/v1/models`): `x-api-key` and
 * `anthropic-version` required, Anthropic's error envelope
 * `{type:"error",error:{type,message}}` with a `request-id` header, its SSE
 * event sequence, and usage with prompt-cache creation/read counts driven by
 * `cache_control` breakpoints.
 *
 * Long (~580 lines) because it is one wire's strict reading: the request validation (every field Anthropic
 * checks, with its own error texts), the conversion to the scripted model's shape and the SSE event sequence are
 * read against the same API reference and change together.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Exchange } from '../exchange';
import { SimHttpError } from '../google-errors';
import { isObject } from '../http';
import { tokensForChars } from '../tokens';
import type { FaultSpec } from '../types';
import { RESPONSE_SUBJECT } from '../validate-contents';
import type { SimState } from '../state';
import type { GenerateRequest, WireContent, WirePart } from '../wire';
import { findProviderModel, PROVIDER_MODELS, type ProviderModel } from './catalog';
import { deliverFrames, deliverWhole, scriptAnswer, splitEvenly } from './common';

/** Dated API versions the service accepts (the current official SDK sends 2026-10-21). */
const VERSIONS = ['2023-01-01', '2023-06-01', '2026-10-21'];
const BODY_KEYS = [
  'model',
  'messages',
  'max_tokens',
  'system',
  'stop_sequences',
  'stream',
  'temperature',
  'top_p',
  'top_k',
  'tools',
  'tool_choice',
  'thinking',
  'metadata',
  'service_tier',
  'container',
  'mcp_servers',
  'context_management',
  // Claude Code sends its effort here (`{ effort: 'high' }`).
  'output_config',
];
const BLOCK_TYPES = ['text', 'image', 'document', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking', 'search_result'];
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;
const MAX_CACHE_BREAKPOINTS = 4;
/** Sonnet/Opus: shorter prefixes are not cached (creation and read stay 0). */
const MIN_CACHEABLE_TOKENS = 1024;
const MAX_CACHED_PREFIXES = 10_000;

type Json = Record<string, unknown>;

export function anthropicError(status: number, type: string, message: string, headers: Record<string, string> = {}): SimHttpError {
  return new SimHttpError(status, { type: 'error', error: { type, message } }, headers);
}

export const invalidRequest = (message: string): SimHttpError => anthropicError(400, 'invalid_request_error', message);

/** Prefixes written to the prompt cache, per key and model. */
export class AnthropicPromptCache {
  private readonly prefixes = new Map<string, number>();

  /** 'read' when the prefix was written before; 'write' the first time. */
  touch(key: string, tokens: number): 'read' | 'write' {
    if (this.prefixes.has(key)) return 'read';
    this.prefixes.set(key, tokens);
    if (this.prefixes.size > MAX_CACHED_PREFIXES) this.prefixes.delete(this.prefixes.keys().next().value as string);
    return 'write';
  }
}

export function anthropicFaultError(fault: FaultSpec, model: string): SimHttpError | undefined {
  switch (fault.kind) {
    case 'rate_limited': {
      const seconds = Math.max(1, Math.ceil((fault.retryDelayMs ?? 1000) / 1000));
      return anthropicError(
        429,
        'rate_limit_error',
        'This request would exceed the rate limit for your organization of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.',
        { 'retry-after': String(seconds), 'anthropic-ratelimit-requests-remaining': '0' },
      );
    }
    case 'quota_exhausted':
      return invalidRequest('Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.');
    case 'capacity':
      return anthropicError(529, 'overloaded_error', 'Overloaded');
    case 'server_error':
      return anthropicError(fault.status ?? 500, 'api_error', 'Internal server error');
    case 'unauthorized':
      return anthropicError(401, 'authentication_error', 'invalid x-api-key');
    case 'validation_required':
    case 'tos_disabled':
      return anthropicError(403, 'permission_error', `Your API key does not have permission to use the specified resource (${model}).`);
    case 'bad_request':
      return invalidRequest(fault.message ?? 'Invalid request.');
    case 'hang':
    case 'reset_after':
      return undefined;
  }
}

/**
 * Checks the key and `anthropic-version`; returns the key. The key comes in
 * `x-api-key` (Claude Code, curl) or as `Authorization: Bearer` (the current official SDK).
 */
export function anthropicAuth(req: IncomingMessage): string {
  const header = req.headers['x-api-key'];
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const key = typeof header === 'string' && header !== '' ? header : bearer;
  if (!key) throw anthropicError(401, 'authentication_error', 'x-api-key header is required');
  const version = req.headers['anthropic-version'];
  if (typeof version !== 'string' || version === '') throw invalidRequest('anthropic-version: header is required');
  if (!VERSIONS.includes(version)) throw invalidRequest(`anthropic-version: invalid version ${JSON.stringify(version)}`);
  return key;
}

export function anthropicModels(): unknown {
  const data = PROVIDER_MODELS.anthropic.map((m) => ({
    type: 'model',
    id: m.id,
    display_name: m.displayName,
    created_at: new Date(m.created * 1000).toISOString(),
  }));
  return { data, has_more: false, first_id: data[0].id, last_id: data[data.length - 1].id };
}

interface ValidMessages {
  model: ProviderModel;
  request: GenerateRequest;
  /** Tools, system and message blocks in the order the prompt cache sees them, as JSON characters. */
  promptChars: number;
  /** Everything before and including the last cache_control breakpoint, for the prompt cache. */
  cachePrefix?: { digest: string; chars: number };
  stream: boolean;
  thinking: boolean;
}

function fieldRequired(path: string): SimHttpError {
  return invalidRequest(`${path}: Field required`);
}

/** Validates a Messages body and converts it to the wire request the scripted model reads. */
/** The betas a request turned on (`anthropic-beta`, comma-separated). */
export function betasOf(header: string | undefined): ReadonlySet<string> {
  return new Set(
    (header ?? '')
      .split(',')
      .map((beta) => beta.trim())
      .filter(Boolean),
  );
}

/** Lets `system` turns sit among the messages (Claude Code sends its reminders so). */
const MID_CONVERSATION_SYSTEM_BETA = 'mid-conversation-system-2026-04-07';

export function validateMessages(body: unknown, state: SimState, countOnly = false, betas: ReadonlySet<string> = new Set()): ValidMessages {
  if (!isObject(body)) throw invalidRequest('Input should be a valid dictionary');
  for (const key of Object.keys(body)) {
    if (
      !BODY_KEYS.includes(key) ||
      (countOnly && ['max_tokens', 'stream', 'temperature', 'top_p', 'top_k', 'stop_sequences', 'metadata', 'service_tier'].includes(key))
    ) {
      throw invalidRequest(`${key}: Extra inputs are not permitted`);
    }
  }
  if (typeof body.model !== 'string') throw fieldRequired('model');
  const model = findProviderModel('anthropic', body.model);
  if (!model) throw anthropicError(404, 'not_found_error', `model: ${body.model}`);
  let maxTokens = model.maxOutputTokens;
  if (!countOnly) {
    if (body.max_tokens === undefined) throw fieldRequired('max_tokens');
    if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1)
      throw invalidRequest('max_tokens: Input should be a valid integer greater than or equal to 1');
    maxTokens = body.max_tokens as number;
    if (maxTokens > model.maxOutputTokens) {
      throw invalidRequest(`max_tokens: ${maxTokens} > ${model.maxOutputTokens}, which is the maximum allowed number of output tokens for ${model.id}`);
    }
  }
  if (body.temperature !== undefined && (typeof body.temperature !== 'number' || body.temperature < 0 || body.temperature > 1)) {
    throw invalidRequest('temperature: range: 0..1');
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') throw invalidRequest('stream: Input should be a valid boolean');
  if (body.output_config !== undefined) {
    if (!isObject(body.output_config)) throw invalidRequest('output_config: Input should be a valid dictionary');
    const effort = body.output_config.effort;
    if (effort !== undefined && !['low', 'medium', 'high', 'max'].includes(effort as string)) {
      throw invalidRequest("output_config.effort: Input should be 'low', 'medium', 'high' or 'max'");
    }
  }
  if (body.metadata !== undefined) {
    if (!isObject(body.metadata)) throw invalidRequest('metadata: Input should be a valid dictionary');
    for (const key of Object.keys(body.metadata)) if (key !== 'user_id') throw invalidRequest(`metadata.${key}: Extra inputs are not permitted`);
  }
  if (body.stop_sequences !== undefined && (!Array.isArray(body.stop_sequences) || body.stop_sequences.some((s) => typeof s !== 'string'))) {
    throw invalidRequest('stop_sequences: Input should be a valid list of strings');
  }
  const thinking = validateThinking(body.thinking, maxTokens, countOnly);
  const breakpoints = { count: 0 };
  const segments: unknown[] = [];
  let prefixEnd = -1;
  const mark = (block: Json, segment: unknown) => {
    segments.push(segment);
    if (block.cache_control !== undefined) {
      if (!isObject(block.cache_control) || block.cache_control.type !== 'ephemeral') {
        throw invalidRequest("cache_control: Input tag found using 'type' does not match the expected tag 'ephemeral'");
      }
      breakpoints.count += 1;
      prefixEnd = segments.length;
    }
  };

  const declarations = validateTools(body.tools, mark);
  validateToolChoice(body.tool_choice, declarations.length > 0);
  const systemParts = validateSystem(body.system, mark);
  const contents = validateMessageList(body.messages, state, declarations.length > 0, mark, betas.has(MID_CONVERSATION_SYSTEM_BETA));
  if (breakpoints.count > MAX_CACHE_BREAKPOINTS) {
    throw invalidRequest(`A maximum of ${MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided. Found ${breakpoints.count}.`);
  }
  const request: GenerateRequest = {
    contents,
    generationConfig: {
      maxOutputTokens: maxTokens,
      thinkingConfig: thinking ? { includeThoughts: true } : { thinkingBudget: 0 },
    },
  };
  if (systemParts.length > 0) request.systemInstruction = { parts: systemParts };
  if (declarations.length > 0) request.tools = [{ functionDeclarations: declarations }];
  let cachePrefix: ValidMessages['cachePrefix'];
  if (prefixEnd > 0) {
    const prefix = JSON.stringify(segments.slice(0, prefixEnd));
    cachePrefix = { digest: createHash('sha1').update(prefix).digest('hex'), chars: prefix.length };
  }
  const promptChars = JSON.stringify(segments).length;
  return { model, request, promptChars, cachePrefix, stream: body.stream === true, thinking };
}

function validateThinking(thinking: unknown, maxTokens: number, countOnly: boolean): boolean {
  if (thinking === undefined) return false;
  if (!isObject(thinking)) throw invalidRequest('thinking: Input should be a valid dictionary');
  if (thinking.type === 'disabled') return false;
  if (thinking.type === 'adaptive') {
    for (const key of Object.keys(thinking)) if (key !== 'type') throw invalidRequest(`thinking.adaptive.${key}: Extra inputs are not permitted`);
    return true;
  }
  if (thinking.type !== 'enabled') {
    throw invalidRequest("thinking: Input tag found using 'type' does not match any of the expected tags: 'enabled', 'disabled', 'adaptive'");
  }
  const budget = thinking.budget_tokens;
  if (budget === undefined) throw fieldRequired('thinking.enabled.budget_tokens');
  if (!Number.isInteger(budget) || (budget as number) < 1024) {
    throw invalidRequest('thinking.enabled.budget_tokens: Input should be greater than or equal to 1024');
  }
  if (!countOnly && (budget as number) >= maxTokens) {
    throw invalidRequest(
      '`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size',
    );
  }
  return true;
}

function validateTools(tools: unknown, mark: (block: Json, segment: unknown) => void): Array<{ name: string; description?: string; parameters?: never }> {
  if (tools === undefined) return [];
  if (!Array.isArray(tools)) throw invalidRequest('tools: Input should be a valid list');
  const names = new Set<string>();
  const declarations: Array<{ name: string; description?: string }> = [];
  tools.forEach((tool: unknown, index) => {
    const path = `tools.${index}`;
    if (!isObject(tool)) throw invalidRequest(`${path}: Input should be a valid dictionary`);
    if (tool.type !== undefined && tool.type !== 'custom') {
      // Server tools (web_search_…, text_editor_…, …): versioned types the scripted model never calls.
      if (typeof tool.type !== 'string' || !/_\d{8}$/.test(tool.type))
        throw invalidRequest(`${path}: Input tag ${JSON.stringify(tool.type)} found using 'type' does not match any of the expected tags`);
      mark(tool, tool);
      return;
    }
    for (const key of Object.keys(tool)) {
      if (!['name', 'description', 'input_schema', 'cache_control', 'type'].includes(key))
        throw invalidRequest(`${path}.custom.${key}: Extra inputs are not permitted`);
    }
    if (typeof tool.name !== 'string' || !TOOL_NAME.test(tool.name)) {
      throw invalidRequest(`${path}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`);
    }
    if (names.has(tool.name)) throw invalidRequest('tools: Tool names must be unique.');
    names.add(tool.name);
    if (!isObject(tool.input_schema)) throw fieldRequired(`${path}.custom.input_schema`);
    if (tool.input_schema.type !== 'object') throw invalidRequest(`${path}.custom.input_schema.type: Input should be 'object'`);
    if (tool.description !== undefined && typeof tool.description !== 'string')
      throw invalidRequest(`${path}.custom.description: Input should be a valid string`);
    mark(tool, tool);
    declarations.push({ name: tool.name, description: tool.description as string | undefined });
  });
  return declarations;
}

function validateToolChoice(choice: unknown, hasTools: boolean): void {
  if (choice === undefined) return;
  if (!isObject(choice) || !['auto', 'any', 'tool', 'none'].includes(choice.type as string)) {
    throw invalidRequest("tool_choice: Input tag found using 'type' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'");
  }
  if (choice.type === 'tool' && typeof choice.name !== 'string') throw fieldRequired('tool_choice.tool.name');
  if ((choice.type === 'any' || choice.type === 'tool') && !hasTools) throw invalidRequest('tool_choice: may only be specified while providing tools.');
}

function validateSystem(system: unknown, mark: (block: Json, segment: unknown) => void): WirePart[] {
  if (system === undefined) return [];
  if (typeof system === 'string') {
    if (system === '') return [];
    mark({}, system);
    return [{ text: system }];
  }
  if (!Array.isArray(system)) throw invalidRequest('system: Input should be a valid string or list of text blocks');
  return system.map((block: unknown, index): WirePart => {
    if (!isObject(block) || block.type !== 'text') throw invalidRequest(`system.${index}.type: Input should be 'text'`);
    if (typeof block.text !== 'string' || block.text === '') throw invalidRequest('system: text content blocks must be non-empty');
    rejectBlockKeys(block, ['type', 'text', 'cache_control', 'citations'], `system.${index}`);
    mark(block, block.text);
    return { text: block.text };
  });
}

function rejectBlockKeys(block: Json, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(block))
    if (!allowed.includes(key)) throw invalidRequest(`${path}.${block.type as string}.${key}: Extra inputs are not permitted`);
}

function validateMessageList(
  messages: unknown,
  state: SimState,
  hasTools: boolean,
  mark: (block: Json, segment: unknown) => void,
  systemTurns: boolean,
): WireContent[] {
  if (messages === undefined) throw fieldRequired('messages');
  if (!Array.isArray(messages)) throw invalidRequest('messages: Input should be a valid list');
  if (messages.length === 0) throw invalidRequest('messages: at least one message is required');
  const contents: WireContent[] = [];
  /** Ids of the previous assistant turn's tool_use blocks, and their names. */
  let pendingCalls = new Map<string, string>();
  messages.forEach((message: unknown, index) => {
    const path = `messages.${index}`;
    if (!isObject(message)) throw invalidRequest(`${path}: Input should be a valid dictionary`);
    for (const key of Object.keys(message)) if (key !== 'role' && key !== 'content') throw invalidRequest(`${path}.${key}: Extra inputs are not permitted`);
    if (systemTurns && message.role === 'system' && index > 0) {
      // Text only; it instructs the model and is no turn of the conversation.
      const blocks = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
      if (!Array.isArray(blocks) || blocks.length === 0)
        throw invalidRequest(`${path}.content: Input should be a valid string or a non-empty list of text blocks`);
      blocks.forEach((block: unknown, blockIndex) => {
        if (!isObject(block) || block.type !== 'text' || typeof block.text !== 'string')
          throw invalidRequest(`${path}.content.${blockIndex}: system messages take text blocks only`);
        rejectBlockKeys(block, ['type', 'text', 'cache_control'], `${path}.content.${blockIndex}`);
        mark(block, block);
      });
      return;
    }
    if (message.role !== 'user' && message.role !== 'assistant') throw invalidRequest(`${path}.role: Input should be 'user' or 'assistant'`);
    if (index === 0 && message.role !== 'user') throw invalidRequest('messages: first message must use the "user" role');
    const blocks: Json[] =
      typeof message.content === 'string'
        ? [{ type: 'text', text: message.content }]
        : Array.isArray(message.content)
          ? (message.content as Json[])
          : (() => {
              throw invalidRequest(`${path}.content: Input should be a valid string or list of content blocks`);
            })();
    if (blocks.length === 0 && !(message.role === 'assistant' && index === messages.length - 1)) {
      throw invalidRequest(`${path}: all messages must have non-empty content except for the optional final assistant message`);
    }
    const parts: WirePart[] = [];
    const answered = new Set<string>();
    const calls = new Map<string, string>();
    blocks.forEach((block, blockIndex) => {
      const blockPath = `${path}.content.${blockIndex}`;
      if (!isObject(block) || !BLOCK_TYPES.includes(block.type as string)) {
        throw invalidRequest(
          `${blockPath}: Input tag ${JSON.stringify(isObject(block) ? block.type : undefined)} found using 'type' does not match any of the expected tags: ${BLOCK_TYPES.map((t) => `'${t}'`).join(', ')}`,
        );
      }
      const part = convertBlock(block, blockPath, message.role as string, state, pendingCalls, answered, calls);
      mark(block, block);
      if (part) parts.push(part);
    });
    if (message.role === 'user' && pendingCalls.size > answered.size) {
      const missing = [...pendingCalls.keys()].filter((id) => !answered.has(id));
      throw invalidRequest(
        `messages.${index}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
      );
    }
    if (message.role === 'assistant' && pendingCalls.size > 0) {
      throw invalidRequest(
        `messages.${index}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${[...pendingCalls.keys()].join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
      );
    }
    if ((calls.size > 0 || answered.size > 0) && !hasTools)
      throw invalidRequest('Requests which include `tool_use` or `tool_result` blocks must define tools.');
    pendingCalls = calls;
    const role = message.role === 'user' ? 'user' : 'model';
    // Consecutive turns of one role are merged, as the API does.
    const previous = contents[contents.length - 1];
    if (parts.length === 0) return;
    if (previous?.role === role) previous.parts.push(...parts);
    else contents.push({ role, parts });
  });
  if (pendingCalls.size > 0 && contents[contents.length - 1]?.role === 'model') {
    // A trailing assistant turn with tool_use is a prefill the model cannot continue.
    throw invalidRequest('messages: the final assistant message cannot contain `tool_use` blocks.');
  }
  return contents;
}

function convertBlock(
  block: Json,
  path: string,
  role: string,
  state: SimState,
  pendingCalls: Map<string, string>,
  answered: Set<string>,
  calls: Map<string, string>,
): WirePart | undefined {
  switch (block.type) {
    case 'text':
      rejectBlockKeys(block, ['type', 'text', 'cache_control', 'citations'], path);
      if (typeof block.text !== 'string') throw invalidRequest(`${path}.text.text: Input should be a valid string`);
      if (block.text === '') throw invalidRequest('messages: text content blocks must be non-empty');
      return { text: block.text };
    case 'image': {
      rejectBlockKeys(block, ['type', 'source', 'cache_control'], path);
      if (role !== 'user') throw invalidRequest(`${path}: image blocks are only allowed in user messages`);
      const source = block.source;
      if (!isObject(source)) throw fieldRequired(`${path}.image.source`);
      if (source.type === 'base64') {
        if (!['image/jpeg', 'image/png', 'image/gif', 'image/webp'].includes(source.media_type as string)) {
          throw invalidRequest(`${path}.image.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`);
        }
        if (typeof source.data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(source.data))
          throw invalidRequest(`${path}.image.source.base64: invalid base64 data`);
        return { inlineData: { mimeType: source.media_type as string, data: source.data } };
      }
      if (source.type === 'url' && typeof source.url === 'string') return { fileData: { fileUri: source.url } };
      throw invalidRequest(`${path}.image.source: Input tag found using 'type' does not match any of the expected tags: 'base64', 'url'`);
    }
    case 'document':
      return { text: JSON.stringify(block.source ?? '') };
    case 'search_result':
      return { text: JSON.stringify(block.content ?? '') };
    case 'tool_use': {
      rejectBlockKeys(block, ['type', 'id', 'name', 'input', 'cache_control'], path);
      if (role !== 'assistant') throw invalidRequest(`${path}: tool_use blocks are only allowed in assistant messages`);
      if (typeof block.id !== 'string' || !/^[a-zA-Z0-9_-]+$/.test(block.id))
        throw invalidRequest(`${path}.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'`);
      if (typeof block.name !== 'string') throw fieldRequired(`${path}.tool_use.name`);
      if (!isObject(block.input)) throw invalidRequest(`${path}.tool_use.input: Input should be a valid dictionary`);
      if (calls.has(block.id)) throw invalidRequest(`messages: \`tool_use\` ids must be unique. Found duplicate id: ${block.id}`);
      calls.set(block.id, block.name);
      return { functionCall: { name: block.name, args: block.input, id: block.id } };
    }
    case 'tool_result': {
      rejectBlockKeys(block, ['type', 'tool_use_id', 'content', 'is_error', 'cache_control'], path);
      if (role !== 'user') throw invalidRequest(`${path}: tool_result blocks are only allowed in user messages`);
      const id = block.tool_use_id;
      if (typeof id !== 'string' || !pendingCalls.has(id)) {
        throw invalidRequest(
          `${path}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
        );
      }
      answered.add(id);
      const content = typeof block.content === 'string' ? block.content : JSON.stringify(block.content ?? '');
      return { functionResponse: { name: pendingCalls.get(id)!, response: { content }, id } };
    }
    case 'thinking': {
      rejectBlockKeys(block, ['type', 'thinking', 'signature'], path);
      if (role !== 'assistant') throw invalidRequest(`${path}: thinking blocks are only allowed in assistant messages`);
      if (typeof block.thinking !== 'string') throw fieldRequired(`${path}.thinking.thinking`);
      const claim = typeof block.signature === 'string' ? state.signer.verify(block.signature) : undefined;
      if (!claim || claim.family !== 'claude' || !claim.subject.startsWith(RESPONSE_SUBJECT)) {
        throw invalidRequest(`${path}: Invalid \`signature\` in \`thinking\` block`);
      }
      return undefined;
    }
    case 'redacted_thinking':
      if (role !== 'assistant') throw invalidRequest(`${path}: redacted_thinking blocks are only allowed in assistant messages`);
      return undefined;
    default:
      return undefined;
  }
}

interface Usage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
}

export async function handleMessages(state: SimState, exchange: Exchange, keyName: string, body: unknown, cache: AnthropicPromptCache): Promise<void> {
  const valid = validateMessages(body, state, false, betasOf(exchange.entry.headers?.['anthropic-beta']));
  const { model, request, stream } = valid;
  exchange.annotate({ model: model.id });
  const scripted = scriptAnswer(state, exchange, model, request, stream, invalidRequest);
  const { answer, fault, sequence } = scripted;
  if (fault) {
    const error = anthropicFaultError(fault, model.id);
    if (error) throw error;
  }
  let cached = 0;
  let written = 0;
  const prompt = Math.max(1, tokensForChars(valid.promptChars));
  if (valid.cachePrefix) {
    const prefixTokens = Math.min(prompt, tokensForChars(valid.cachePrefix.chars));
    if (prefixTokens >= MIN_CACHEABLE_TOKENS) {
      const touched = cache.touch(`${keyName}\n${model.id}\n${valid.cachePrefix.digest}`, prefixTokens);
      if (touched === 'read') cached = prefixTokens;
      else written = prefixTokens;
    }
  }
  const usage: Usage = {
    input_tokens: prompt - cached - written,
    cache_creation_input_tokens: written,
    cache_read_input_tokens: cached,
    output_tokens: answer.candidatesTokenCount + answer.thoughtsTokenCount,
  };
  const id = `msg_sim${String(sequence).padStart(20, '0')}`;
  const hasCalls = answer.frames.some((frame) => frame.some((part) => part.functionCall));
  const stopReason = hasCalls ? 'tool_use' : answer.finishReason === 'MAX_TOKENS' ? 'max_tokens' : 'end_turn';
  const headers = { 'request-id': `req_sim${sequence}` };
  if (!stream) {
    const content = wholeContent(answer.frames.flat());
    const message = {
      id,
      type: 'message',
      role: 'assistant',
      model: model.id,
      content,
      stop_reason: stopReason,
      stop_sequence: null,
      usage: { ...usage, service_tier: 'standard' },
    };
    return deliverWhole(state, exchange, answer.frames.length, message, fault, headers);
  }
  const frames = streamFrames(id, model.id, answer.frames, usage, stopReason);
  return deliverFrames(state, exchange, frames, fault, { ...headers, 'content-type': 'text/event-stream; charset=utf-8' });
}

function wholeContent(parts: WirePart[]): Json[] {
  const content: Json[] = [];
  for (const part of parts) {
    const last = content[content.length - 1];
    if (part.thought) {
      if (last?.type === 'thinking' && last.signature === '') {
        last.thinking = (last.thinking as string) + part.text!;
        if (part.thoughtSignature) last.signature = part.thoughtSignature;
      } else content.push({ type: 'thinking', thinking: part.text!, signature: part.thoughtSignature ?? '' });
    } else if (part.text !== undefined) {
      if (last?.type === 'text') last.text = (last.text as string) + part.text;
      else content.push({ type: 'text', text: part.text });
    } else if (part.functionCall) {
      content.push({ type: 'tool_use', id: toolUseId(part.functionCall.id!), name: part.functionCall.name, input: part.functionCall.args ?? {} });
    }
  }
  return content;
}

/** Anthropic ids look like `toolu_…`; the scripted model's call ids are mapped onto that form. */
function toolUseId(callId: string): string {
  return `toolu_${callId.replace(/[^a-zA-Z0-9]/g, '')}`;
}

function event(type: string, data: Json): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

/** The SSE event sequence, grouped into the frames the scripted model paces. */
function streamFrames(id: string, model: string, answerFrames: WirePart[][], usage: Usage, stopReason: string): string[] {
  const frames: string[] = [];
  let index = -1;
  let open: 'thinking' | 'text' | undefined;
  let current = event('message_start', {
    message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } },
  });
  current += event('ping', {});
  const close = () => {
    if (open !== undefined) current += event('content_block_stop', { index });
    open = undefined;
  };
  answerFrames.forEach((parts) => {
    for (const part of parts) {
      if (part.thought) {
        if (open !== 'thinking') {
          close();
          index += 1;
          open = 'thinking';
          current += event('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } });
        }
        current += event('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: part.text! } });
        if (part.thoughtSignature) current += event('content_block_delta', { index, delta: { type: 'signature_delta', signature: part.thoughtSignature } });
      } else if (part.text !== undefined) {
        if (open !== 'text') {
          close();
          index += 1;
          open = 'text';
          current += event('content_block_start', { index, content_block: { type: 'text', text: '' } });
        }
        current += event('content_block_delta', { index, delta: { type: 'text_delta', text: part.text } });
      } else if (part.functionCall) {
        close();
        index += 1;
        const call = part.functionCall;
        current += event('content_block_start', { index, content_block: { type: 'tool_use', id: toolUseId(call.id!), name: call.name, input: {} } });
        for (const piece of splitEvenly(JSON.stringify(call.args ?? {}), 2)) {
          current += event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } });
        }
        current += event('content_block_stop', { index });
      }
    }
    frames.push(current);
    current = '';
  });
  close();
  current += event('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
  current += event('message_stop', {});
  if (frames.length === 0) frames.push(current);
  else frames[frames.length - 1] += current;
  return frames;
}

export function countAnthropicTokens(body: unknown, state: SimState, betas?: ReadonlySet<string>): unknown {
  return { input_tokens: Math.max(1, tokensForChars(validateMessages(body, state, true, betas).promptChars)) };
}
