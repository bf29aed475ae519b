import type { ToolChoice, ToolDefinition } from '../../ir';
import { type DecodeNotes, webSearchBeside } from '../tool-notes';
import {
  expectLiteral,
  expectNonEmptyString,
  expectObject,
  invalidField,
  isObject,
  optionalArray,
  optionalBoolean,
  optionalObject,
  optionalString,
} from './fields';

export interface DecodedTools {
  functions: ToolDefinition[];
  /** A `web_search_*` server tool was declared and no function beside it: the upstream's built-in search (googleSearch). */
  webSearch: boolean;
  /** Names the client gave its web search tools, so `tool_choice` can force one of them. */
  webSearchNames: Set<string>;
}

/**
 * `tools`: client functions (`input_schema`, optionally `type: "custom"`) and
 * Anthropic-defined tools recognised by a versioned `type`. Web search follows
 * the rule every codec shares (tool-notes.ts); each tool left out is noted.
 */
export function decodeTools(value: unknown, notes: DecodeNotes): DecodedTools {
  const decoded: DecodedTools = { functions: [], webSearch: false, webSearchNames: new Set() };
  const searchTools: string[] = [];
  optionalArray(value, 'tools')?.forEach((tool, i) => {
    const path = `tools.${i}`;
    if (!isObject(tool)) throw invalidField(path, 'Input should be a valid dictionary');
    const type = optionalString(tool.type, `${path}.type`);
    if (type === undefined || type === 'custom') {
      decoded.functions.push({
        name: expectNonEmptyString(tool.name, `${path}.name`),
        ...optionalDescription(tool.description, `${path}.description`),
        parameters: expectObject(tool.input_schema, `${path}.input_schema`),
      });
    } else if (type.startsWith('web_search_')) {
      searchTools.push(`${path} (${type})`);
      decoded.webSearchNames.add(typeof tool.name === 'string' ? tool.name : 'web_search');
    } else {
      // Left out on purpose: code execution, web fetch and tool search run on
      // Anthropic's servers, and bash / text_editor / computer / memory rely on
      // schemas trained into Claude that the client never sends, so no
      // upstream could be given an equivalent declaration.
      notes.droppedTool(`${path} (${type})`, 'an Anthropic-defined tool with no upstream counterpart');
    }
  });
  decoded.webSearch = webSearchBeside(searchTools, decoded.functions.length, notes);
  return decoded;
}

function optionalDescription(value: unknown, path: string): { description?: string } {
  const description = optionalString(value, path);
  return description ? { description } : {};
}

export interface DecodedToolChoice {
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
}

export function decodeToolChoice(value: unknown, tools: DecodedTools): DecodedToolChoice {
  const choice = optionalObject(value, 'tool_choice');
  if (choice === undefined) return {};
  const type = expectLiteral(choice.type, 'tool_choice.type', ['auto', 'any', 'tool', 'none'] as const);
  const disableParallel = optionalBoolean(choice.disable_parallel_tool_use, 'tool_choice.disable_parallel_tool_use');
  const parallel = disableParallel === undefined ? {} : { parallelToolCalls: !disableParallel };
  switch (type) {
    case 'auto':
      return { toolChoice: { type: 'auto' }, ...parallel };
    case 'any':
      return { toolChoice: { type: 'required' }, ...parallel };
    case 'none':
      return { toolChoice: { type: 'none' } };
    case 'tool': {
      const name = expectNonEmptyString(choice.name, 'tool_choice.name');
      // Forcing the search tool (Claude Code's WebSearch does) means "search":
      // the upstream searches on its own, there is no function to force.
      if (tools.webSearchNames.has(name)) return { ...parallel };
      if (!tools.functions.some((tool) => tool.name === name)) {
        throw invalidField('tool_choice.name', `no tool named '${name}' is declared in tools`);
      }
      return { toolChoice: { type: 'tool', name }, ...parallel };
    }
  }
}
