import { definedOnly } from '../defined-only';
import type { ChatRequest, Message, TextPart } from '../../ir';
import { invalidRequest } from '../../errors';
import type { InboundContext } from '../codec';
import { decodeContent } from './content';
import {
  expectArray,
  expectInteger,
  expectLiteral,
  expectNonEmptyString,
  expectString,
  invalidField,
  isObject,
  optionalArray,
  optionalBoolean,
  optionalInteger,
  optionalNumber,
  optionalObject,
  optionalString,
  type JsonObject,
} from './fields';
import type { MediaLimits } from './media';
import { decodeReasoning } from './reasoning';
import { decodeResponseFormat } from './response-format';
import { decodeToolChoice, decodeTools } from './tools';
import { DecodeNotes } from '../tool-notes';

export interface DecodeOptions {
  limits: MediaLimits;
  /** `/v1/messages` requires `max_tokens`; `/v1/messages/count_tokens` does not take it. */
  requireMaxTokens: boolean;
}

/** Claude Code names its conversation in this header (upstream-protocol §8). */
export const SESSION_HEADER = 'x-claude-code-session-id';

/**
 * An Anthropic Messages body as an IR request. Unknown fields
 * (`context_management`, `container`, `service_tier`, …) are tolerated and
 * ignored; every field the IR carries is validated, and a failure names it.
 */
export function decodeMessagesBody(body: unknown, ctx: InboundContext | undefined, options: DecodeOptions): ChatRequest {
  if (!isObject(body)) throw invalidRequest('The request body must be a JSON object.');
  const model = expectNonEmptyString(body.model, 'model');
  const maxOutputTokens = options.requireMaxTokens ? expectInteger(body.max_tokens, 'max_tokens', 1) : optionalInteger(body.max_tokens, 'max_tokens', 1);
  const system = decodeSystem(body.system, 'system');
  const messages = decodeMessages(body, system, options.limits);
  const notes = new DecodeNotes();
  const tools = decodeTools(body.tools, notes);
  const metadata = optionalObject(body.metadata, 'metadata');
  const user = optionalString(metadata?.user_id, 'metadata.user_id') || undefined;
  return definedOnly({
    protocol: 'anthropic',
    model,
    system,
    messages,
    tools: tools.functions,
    ...decodeToolChoice(body.tool_choice, tools),
    maxOutputTokens,
    temperature: optionalNumber(body.temperature, 'temperature', { min: 0, max: 1 }),
    topP: optionalNumber(body.top_p, 'top_p', { min: 0, max: 1 }),
    topK: optionalInteger(body.top_k, 'top_k', 0),
    stopSequences: decodeStopSequences(body.stop_sequences),
    ...decodeReasoning(body),
    responseFormat: decodeResponseFormat(body),
    stream: options.requireMaxTokens ? (optionalBoolean(body.stream, 'stream') ?? false) : false,
    sessionKey: headerValue(ctx, SESSION_HEADER) ?? user,
    user,
    webSearch: tools.webSearch || undefined,
    notes: notes.list.length > 0 ? notes.list : undefined,
  });
}

function decodeMessages(body: JsonObject, system: TextPart[], limits: MediaLimits): Message[] {
  const raw = expectArray(body.messages, 'messages');
  if (raw.length === 0) throw invalidField('messages', 'at least one message is required');
  const toolNames = new Map<string, string>();
  const messages: Message[] = [];
  raw.forEach((entry, i) => {
    const path = `messages.${i}`;
    if (!isObject(entry)) throw invalidField(path, 'Input should be a valid dictionary');
    const role = expectLiteral(entry.role, `${path}.role`, ['user', 'assistant', 'system'] as const);
    if (role === 'system') {
      // Mid-conversation system messages: every upstream takes instructions
      // in one place only, so they join the system prompt in order.
      system.push(...decodeSystem(entry.content, `${path}.content`));
      return;
    }
    const { parts, ignoredBlocks } = decodeContent(entry.content, `${path}.content`, { role, limits, toolNames });
    if (parts.length === 0) {
      const isFinalAssistant = role === 'assistant' && i === raw.length - 1;
      if (ignoredBlocks > 0 || isFinalAssistant) return;
      throw invalidField(`${path}.content`, 'all messages must have non-empty content except for the optional final assistant message');
    }
    // Consecutive same-role messages form one turn, as Anthropic treats them.
    const previous = messages[messages.length - 1];
    if (previous?.role === role) previous.parts.push(...parts);
    else messages.push({ role, parts });
  });
  if (messages.length === 0) throw invalidField('messages', 'at least one user or assistant message is required');
  return messages;
}

/** `system`: a string or a list of text blocks (with `cache_control`, dropped). */
function decodeSystem(value: unknown, path: string): TextPart[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value ? [{ type: 'text', text: value }] : [];
  if (!Array.isArray(value)) throw invalidField(path, 'Input should be a valid string or list');
  return value.flatMap((block, i): TextPart[] => {
    const blockPath = `${path}.${i}`;
    if (!isObject(block)) throw invalidField(blockPath, 'Input should be a valid dictionary');
    expectLiteral(block.type, `${blockPath}.type`, ['text'] as const);
    const text = expectString(block.text, `${blockPath}.text`);
    return text ? [{ type: 'text', text }] : [];
  });
}

function decodeStopSequences(value: unknown): string[] | undefined {
  const list = optionalArray(value, 'stop_sequences');
  return list?.map((item, i) => expectString(item, `stop_sequences.${i}`));
}

function headerValue(ctx: InboundContext | undefined, name: string): string | undefined {
  const value = ctx?.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first || undefined;
}
