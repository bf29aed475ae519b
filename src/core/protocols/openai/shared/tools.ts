import { invalidRequest } from '../../../errors';
import type { ToolChoice, ToolDefinition } from '../../../ir';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../../../json-depth';
import { assertValidJsonSchema } from './json-schema';
import { at, type JsonObject, optionalObject, optionalString, requireNonEmptyString } from './read';

/**
 * Function tools and tool_choice as Chat Completions and Responses both know
 * them; the two differ only in nesting (`{function:{name}}` vs `{name}`), which
 * each codec unwraps before calling these.
 */

/**
 * `{name, description, parameters}`; `param` is where the fields live
 * (`tools[2].function`, `tools[2]`). `name` overrides the declared one
 * (Responses namespaces flatten their functions' names).
 */
export function functionTool(fields: JsonObject, param: string, name?: string): ToolDefinition {
  const tool: ToolDefinition = { name: name ?? requireNonEmptyString(fields.name, at(param, 'name')) };
  const description = optionalString(fields.description, at(param, 'description'));
  if (description !== undefined) tool.description = description;
  // The schema goes through as the client wrote it; the upstream codec cleans it (upstream-protocol §9).
  const parameters = optionalObject(fields.parameters, at(param, 'parameters'));
  if (parameters !== undefined) {
    assertValidJsonSchema(parameters, at(param, 'parameters'), `function '${tool.name}'`);
    tool.parameters = parameters;
  }
  return tool;
}

/** Throws on the first name declared twice; `paramOf(i)` names the i-th tool. */
export function assertUniqueToolNames(tools: ToolDefinition[], paramOf: (index: number) => string): void {
  const seen = new Set<string>();
  tools.forEach((tool, i) => {
    if (seen.has(tool.name)) {
      throw invalidRequest(`Duplicate tool name '${tool.name}': tool names must be unique.`, paramOf(i));
    }
    seen.add(tool.name);
  });
}

/** `"none" | "auto" | "required"`. Forcing a call needs tools to call. */
export function toolChoiceFromMode(mode: string, tools: ToolDefinition[], param: string): ToolChoice {
  if (mode !== 'none' && mode !== 'auto' && mode !== 'required') {
    throw invalidRequest(`Invalid value for '${param}': expected one of 'none', 'auto' or 'required', got '${mode}'.`, param);
  }
  if (mode === 'required' && tools.length === 0) {
    throw invalidRequest(`Invalid value for '${param}': 'required' needs at least one function tool.`, param);
  }
  return { type: mode };
}

export function namedToolChoice(name: string, tools: ToolDefinition[], param: string): ToolChoice {
  if (!tools.some((tool) => tool.name === name)) {
    throw invalidRequest(`Invalid value for '${param}': no function named '${name}' is declared in tools.`, param);
  }
  return { type: 'tool', name };
}

/** OpenAI sends call arguments as a JSON string that must hold an object. */
export function parseToolArguments(value: unknown, param: string): Record<string, unknown> {
  if (value === undefined || value === null || value === '') return {};
  if (typeof value !== 'string') {
    throw invalidRequest(`Invalid type for '${param}': expected a JSON string.`, param);
  }
  if (nestsDeeperThan(value, MAX_JSON_DEPTH)) {
    throw invalidRequest(`Invalid '${param}': the arguments nest more than ${MAX_JSON_DEPTH} levels deep.`, param);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalidRequest(`Invalid '${param}': not valid JSON.`, param);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidRequest(`Invalid '${param}': the arguments must be a JSON object.`, param);
  }
  return parsed as Record<string, unknown>;
}

export const toolArgumentsJson = (args: Record<string, unknown>): string => JSON.stringify(args);
