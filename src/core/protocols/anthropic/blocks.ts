import type { MediaPart, ThinkingPart, ToolCallPart } from '../../ir';
import { isObject } from './fields';
import { newServerToolUseId } from './ids';

/** Output content blocks shared by the complete message and the stream. */

export type ThinkingBlock = { type: 'thinking'; thinking: string; signature: string } | { type: 'redacted_thinking'; data: string };

export function thinkingBlock(part: ThinkingPart): ThinkingBlock {
  if (part.redacted) return { type: 'redacted_thinking', data: part.signature ?? '' };
  return { type: 'thinking', thinking: part.text, signature: part.signature ?? '' };
}

export interface ToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: Record<string, unknown>;
}

export function toolUseBlock(call: ToolCallPart): ToolUseBlock {
  return { type: 'tool_use', id: call.id, name: call.name, input: call.args };
}

export interface ImageBlock {
  type: 'image';
  source: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };
}

/**
 * Generated images (image models). Anthropic has no image output, but an
 * image block has the same shape clients already build for input, the SDK
 * accumulates unknown-to-it blocks unchanged, and a text placeholder would
 * silently throw the picture away.
 */
export function imageBlock(media: MediaPart): ImageBlock {
  const { source } = media;
  return {
    type: 'image',
    source: source.kind === 'base64' ? { type: 'base64', media_type: media.mimeType, data: source.data } : { type: 'url', url: source.url },
  };
}

export interface ServerToolUseBlock {
  type: 'server_tool_use';
  id: string;
  name: 'web_search';
  input: { query: string };
}

export interface WebSearchToolResultBlock {
  type: 'web_search_tool_result';
  tool_use_id: string;
  content: Array<{ type: 'web_search_result'; url: string; title: string; encrypted_content: string; page_age: null }>;
}

/**
 * Upstream search grounding as the blocks Anthropic's web search tool
 * produces. Claude Code's WebSearch tool reads its links from exactly these
 * (`web_search_tool_result.content[].url/title`); without them it reports
 * "No links found". Gemini grounding has no encrypted page content, so that
 * field is empty.
 */
export function webSearchBlocks(metadata: Record<string, unknown>): [ServerToolUseBlock, WebSearchToolResultBlock] | [] {
  const queries = Array.isArray(metadata.webSearchQueries) ? metadata.webSearchQueries.filter((q): q is string => typeof q === 'string') : [];
  const results = (Array.isArray(metadata.groundingChunks) ? metadata.groundingChunks : []).flatMap((chunk) => {
    const web = isObject(chunk) && isObject(chunk.web) ? chunk.web : undefined;
    if (typeof web?.uri !== 'string') return [];
    const title = typeof web.title === 'string' && web.title ? web.title : web.uri;
    return [{ type: 'web_search_result' as const, url: web.uri, title, encrypted_content: '', page_age: null }];
  });
  if (queries.length === 0 && results.length === 0) return [];
  const id = newServerToolUseId();
  return [
    { type: 'server_tool_use', id, name: 'web_search', input: { query: queries.join('; ') } },
    { type: 'web_search_tool_result', tool_use_id: id, content: results },
  ];
}
