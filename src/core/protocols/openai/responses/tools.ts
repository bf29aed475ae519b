import type { ToolChoice, ToolDefinition } from '../../../ir';
import { at, isAbsent, optionalArray, optionalString, requireNonEmptyString, requireObject, requireString, unsupported } from '../shared/read';
import { assertUniqueToolNames, functionTool, namedToolChoice, toolChoiceFromMode } from '../shared/tools';
import type { ToolNameMap } from './tool-names';

export interface ResponsesTools {
  tools: ToolDefinition[];
  /** A `web_search` tool was declared and can be honoured (no function tools beside it). */
  webSearch: boolean;
}

/**
 * Responses `tools`: function tools as they are, namespace tools flattened
 * (see tool-names.ts), web search kept only when no function tool is declared
 * (the upstream refuses the mix, upstream-protocol §9; Codex always sends both, so for
 * Codex it is dropped). Tools OpenAI runs on its own side (file_search,
 * code_interpreter, image_generation, computer_use, mcp, local_shell, custom
 * grammar tools, tool_search) have no upstream counterpart and are dropped.
 */
export function decodeResponsesTools(value: unknown, toolNames: ToolNameMap): ResponsesTools {
  const tools: ToolDefinition[] = [];
  const params: string[] = [];
  let searchRequested = false;
  optionalArray(value, 'tools')?.forEach((raw, i) => {
    const param = at('tools', i);
    const tool = requireObject(raw, param);
    const type = requireString(tool.type, at(param, 'type'));
    if (type === 'function') {
      tools.push(functionTool(tool, param));
      params.push(param);
    } else if (type === 'namespace') {
      const namespace = requireNonEmptyString(tool.name, at(param, 'name'));
      optionalArray(tool.tools, at(param, 'tools'))?.forEach((rawInner, j) => {
        const innerParam = at(at(param, 'tools'), j);
        const inner = requireObject(rawInner, innerParam);
        if (requireString(inner.type, at(innerParam, 'type')) !== 'function') return;
        const name = requireNonEmptyString(inner.name, at(innerParam, 'name'));
        tools.push(functionTool(inner, innerParam, toolNames.flatten(namespace, name)));
        params.push(innerParam);
      });
    } else if (type.startsWith('web_search')) {
      // web_search, web_search_preview and their dated variants.
      searchRequested = true;
    }
  });
  assertUniqueToolNames(tools, (i) => params[i]);
  return { tools, webSearch: searchRequested && tools.length === 0 };
}

/** `"none" | "auto" | "required"` or `{type: "function", name, namespace?}`. */
export function decodeResponsesToolChoice(value: unknown, tools: ToolDefinition[], toolNames: ToolNameMap): ToolChoice | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value === 'string') return toolChoiceFromMode(value, tools, 'tool_choice');
  const choice = requireObject(value, 'tool_choice');
  const type = requireString(choice.type, 'tool_choice.type');
  if (type !== 'function') unsupported('tool_choice.type', `tool_choice of type '${type}'`);
  const name = requireNonEmptyString(choice.name, 'tool_choice.name');
  const namespace = optionalString(choice.namespace, 'tool_choice.namespace');
  return namedToolChoice(namespace ? toolNames.flatten(namespace, name) : name, tools, 'tool_choice.name');
}
