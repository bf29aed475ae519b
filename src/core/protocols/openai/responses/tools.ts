import type { ToolChoice, ToolDefinition } from '../../../ir';
import { type DecodeNotes, webSearchBeside } from '../../tool-notes';
import {
  at,
  isAbsent,
  type JsonObject,
  optionalArray,
  optionalObject,
  optionalString,
  requireNonEmptyString,
  requireObject,
  requireString,
} from '../shared/read';
import { assertUniqueToolNames, functionTool, namedToolChoice, toolChoiceFromMode } from '../shared/tools';
import { CUSTOM_TOOL_INPUT, type ToolNameMap } from './tool-names';

export interface ResponsesTools {
  tools: ToolDefinition[];
  /** A `web_search` tool was declared and can be honoured (no function tools beside it). */
  webSearch: boolean;
}

/**
 * Responses tools, from `tools` and from `additional_tools` input items (Codex
 * declares its tools there for some models): function tools as they are,
 * namespace tools flattened (see tool-names.ts), custom (freeform) tools as
 * functions taking one string, and web search under the rule every codec
 * shares (tool-notes.ts; Codex sends it beside its functions, so for Codex it
 * is dropped). Tools OpenAI runs on its own side (file_search,
 * code_interpreter, image_generation, computer_use, mcp, local_shell,
 * tool_search …) have no upstream counterpart: each is dropped with a note.
 */
export class ResponsesToolCollector {
  private readonly tools: ToolDefinition[] = [];
  private readonly params: string[] = [];
  private readonly searchTools: string[] = [];

  constructor(
    private readonly toolNames: ToolNameMap,
    private readonly notes: DecodeNotes,
  ) {}

  /** A list of tool declarations found at `param` (`tools`, `input[0].tools`). */
  addList(value: unknown, param: string): void {
    optionalArray(value, param)?.forEach((raw, i) => this.add(raw, at(param, i), undefined));
  }

  private add(raw: unknown, param: string, namespace: string | undefined): void {
    const tool = requireObject(raw, param);
    const type = requireString(tool.type, at(param, 'type'));
    if (type === 'function') {
      const name = requireNonEmptyString(tool.name, at(param, 'name'));
      this.push(functionTool(tool, param, this.toolNames.declare(namespace, name, 'function')), param);
    } else if (type === 'custom') {
      this.push(customTool(tool, param, this.toolNames, namespace), param);
    } else if (type === 'namespace' && namespace === undefined) {
      const name = requireNonEmptyString(tool.name, at(param, 'name'));
      optionalArray(tool.tools, at(param, 'tools'))?.forEach((inner, j) => this.add(inner, at(at(param, 'tools'), j), name));
    } else if (type.startsWith('web_search')) {
      // web_search, web_search_preview and their dated variants.
      this.searchTools.push(`${param} (${type})`);
    } else {
      this.notes.droppedTool(`${param} (${type})`, 'a tool OpenAI runs on its own side, with no upstream counterpart');
    }
  }

  private push(tool: ToolDefinition, param: string): void {
    this.tools.push(tool);
    this.params.push(param);
  }

  /** Every declaration seen; throws on a name declared twice. */
  finish(): ResponsesTools {
    assertUniqueToolNames(this.tools, (i) => this.params[i]);
    return { tools: this.tools, webSearch: webSearchBeside(this.searchTools, this.tools.length, this.notes) };
  }
}

/**
 * `{type: "custom", name, description, format}`: the model writes raw text
 * (free, or following a grammar), declared upstream as one string parameter
 * whose description carries the format.
 */
function customTool(tool: JsonObject, param: string, toolNames: ToolNameMap, namespace: string | undefined): ToolDefinition {
  const name = requireNonEmptyString(tool.name, at(param, 'name'));
  const definition: ToolDefinition = {
    name: toolNames.declare(namespace, name, 'custom'),
    parameters: {
      type: 'object',
      properties: { [CUSTOM_TOOL_INPUT]: { type: 'string', description: inputDescription(optionalObject(tool.format, at(param, 'format')), param) } },
      required: [CUSTOM_TOOL_INPUT],
    },
  };
  const description = optionalString(tool.description, at(param, 'description'));
  if (description !== undefined) definition.description = description;
  return definition;
}

function inputDescription(format: JsonObject | undefined, param: string): string {
  const plain = 'The raw text input of this tool (not JSON).';
  if (format === undefined || format.type !== 'grammar') return plain;
  const syntax = optionalString(format.syntax, at(at(param, 'format'), 'syntax')) ?? 'lark';
  const grammar = optionalString(format.definition, at(at(param, 'format'), 'definition'));
  return grammar ? `${plain} It must match this ${syntax} grammar:\n${grammar}` : plain;
}

/**
 * `"none" | "auto" | "required"` or `{type: "function" | "custom", name, namespace?}`. A choice of any other
 * kind (a hosted tool, `allowed_tools`) names nothing the upstream has: the model chooses, with a note.
 */
export function decodeResponsesToolChoice(value: unknown, tools: ToolDefinition[], toolNames: ToolNameMap, notes: DecodeNotes): ToolChoice | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value === 'string') return toolChoiceFromMode(value, tools, 'tool_choice');
  const choice = requireObject(value, 'tool_choice');
  const type = requireString(choice.type, 'tool_choice.type');
  if (type !== 'function' && type !== 'custom') {
    notes.add(`ignored tool_choice of type '${type}': no upstream counterpart, the model chooses`);
    return undefined;
  }
  const name = requireNonEmptyString(choice.name, 'tool_choice.name');
  const namespace = optionalString(choice.namespace, 'tool_choice.namespace');
  return namedToolChoice(toolNames.upstreamName(namespace, name), tools, 'tool_choice.name');
}
