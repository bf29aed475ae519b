import type { MediaPart, Part, Role, TextPart, ToolResultPart } from '../../ir';
import {
  expectNonEmptyString,
  expectObject,
  expectString,
  invalidField,
  isObject,
  listLiterals,
  optionalBoolean,
  optionalString,
  type JsonObject,
} from './fields';
import { decodeDocumentBlock, decodeImageBlock, type MediaLimits } from './media';

export interface ContentContext {
  role: Role;
  limits: MediaLimits;
  /** Function names by tool_use id, filled while reading so later tool_result blocks can name their function. */
  toolNames: Map<string, string>;
}

export interface DecodedContent {
  parts: Part[];
  /** Blocks deliberately dropped (server-side tool records); a message holding only those is not "empty". */
  ignoredBlocks: number;
}

const BLOCK_TYPES = ['text', 'image', 'document', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking'] as const;

/**
 * Records of tools that ran on Anthropic's own servers (web search, code
 * execution, MCP connector …). A client replays them when a conversation
 * started on the real API; no upstream can re-run or verify them, and the
 * assistant text that follows already carries what they found, so they are
 * dropped rather than rejected.
 */
const SERVER_SIDE_BLOCK_TYPES = new Set([
  'server_tool_use',
  'web_search_tool_result',
  'web_fetch_tool_result',
  'code_execution_tool_result',
  'bash_code_execution_tool_result',
  'text_editor_code_execution_tool_result',
  'tool_search_tool_result',
  'mcp_tool_use',
  'mcp_tool_result',
  'container_upload',
]);

const ASSISTANT_ONLY = new Set(['tool_use', 'thinking', 'redacted_thinking']);

/** Anthropic's own constraint on tool_use ids, which is also the IR's (valid for every protocol). */
const TOOL_ID = /^[A-Za-z0-9_-]+$/;

/** `content` of one message: a string or a list of blocks. `cache_control` and `citations` are accepted and dropped. */
export function decodeContent(content: unknown, path: string, ctx: ContentContext): DecodedContent {
  if (content === undefined) throw invalidField(path, 'Field required');
  if (typeof content === 'string') return { parts: content ? [{ type: 'text', text: content }] : [], ignoredBlocks: 0 };
  if (!Array.isArray(content)) throw invalidField(path, 'Input should be a valid string or list');
  const parts: Part[] = [];
  let ignoredBlocks = 0;
  content.forEach((block, i) => {
    const blockPath = `${path}.${i}`;
    if (!isObject(block)) throw invalidField(blockPath, 'Input should be a valid dictionary');
    if (typeof block.type === 'string' && SERVER_SIDE_BLOCK_TYPES.has(block.type)) {
      ignoredBlocks++;
      return;
    }
    parts.push(...decodeBlock(block, blockPath, ctx));
  });
  return { parts, ignoredBlocks };
}

function decodeBlock(block: JsonObject, path: string, ctx: ContentContext): Part[] {
  const type = block.type;
  if (typeof type !== 'string' || !(BLOCK_TYPES as readonly string[]).includes(type)) {
    throw invalidField(`${path}.type`, type === undefined ? 'Field required' : `Input should be ${listLiterals(BLOCK_TYPES)}`);
  }
  if (ASSISTANT_ONLY.has(type) && ctx.role !== 'assistant') {
    throw invalidField(`${path}.type`, `${type} blocks may only appear in assistant messages`);
  }
  if (type === 'tool_result' && ctx.role !== 'user') {
    throw invalidField(`${path}.type`, 'tool_result blocks may only appear in user messages');
  }
  switch (type) {
    case 'text':
      return textParts(block, path);
    case 'image':
      return [decodeImageBlock(block, path, ctx.limits)];
    case 'document':
      return decodeDocumentBlock(block, path, ctx.limits);
    case 'tool_use':
      return [decodeToolUse(block, path, ctx)];
    case 'tool_result':
      return [decodeToolResult(block, path, ctx)];
    case 'thinking': {
      const text = expectString(block.thinking, `${path}.thinking`);
      const signature = optionalString(block.signature, `${path}.signature`);
      return [{ type: 'thinking', text, ...(signature ? { signature } : {}) }];
    }
    default: {
      // redacted_thinking: no readable text, only the opaque signature (upstream-protocol §7).
      const data = expectNonEmptyString(block.data, `${path}.data`);
      return [{ type: 'thinking', text: '', signature: data, redacted: true }];
    }
  }
}

function textParts(block: JsonObject, path: string): TextPart[] {
  const text = expectString(block.text, `${path}.text`);
  return text ? [{ type: 'text', text }] : [];
}

function decodeToolUse(block: JsonObject, path: string, ctx: ContentContext): Part {
  const id = expectToolId(block.id, `${path}.id`);
  const name = expectNonEmptyString(block.name, `${path}.name`);
  const args = expectObject(block.input, `${path}.input`);
  ctx.toolNames.set(id, name);
  return { type: 'tool_call', id, name, args };
}

function decodeToolResult(block: JsonObject, path: string, ctx: ContentContext): ToolResultPart {
  const callId = expectToolId(block.tool_use_id, `${path}.tool_use_id`);
  const name = ctx.toolNames.get(callId);
  if (name === undefined) {
    throw invalidField(`${path}.tool_use_id`, `no earlier tool_use block has the id '${callId}'`);
  }
  const isError = optionalBoolean(block.is_error, `${path}.is_error`);
  return {
    type: 'tool_result',
    callId,
    name,
    content: decodeToolResultContent(block.content, `${path}.content`, ctx),
    ...(isError ? { isError } : {}),
  };
}

const TOOL_RESULT_BLOCK_TYPES = ['text', 'image', 'document'] as const;

function decodeToolResultContent(content: unknown, path: string, ctx: ContentContext): Array<TextPart | MediaPart> {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  if (!Array.isArray(content)) throw invalidField(path, 'Input should be a valid string or list');
  return content.flatMap((block, i): Array<TextPart | MediaPart> => {
    const blockPath = `${path}.${i}`;
    if (!isObject(block)) throw invalidField(blockPath, 'Input should be a valid dictionary');
    const type = block.type;
    if (typeof type !== 'string' || !(TOOL_RESULT_BLOCK_TYPES as readonly string[]).includes(type)) {
      throw invalidField(`${blockPath}.type`, `Input should be ${listLiterals(TOOL_RESULT_BLOCK_TYPES)}`);
    }
    if (type === 'image') return [decodeImageBlock(block, blockPath, ctx.limits)];
    if (type === 'document') return decodeDocumentBlock(block, blockPath, ctx.limits);
    return textParts(block, blockPath);
  });
}

function expectToolId(value: unknown, path: string): string {
  const id = expectNonEmptyString(value, path);
  if (!TOOL_ID.test(id)) throw invalidField(path, "String should match pattern '^[a-zA-Z0-9_-]+$'");
  return id;
}
