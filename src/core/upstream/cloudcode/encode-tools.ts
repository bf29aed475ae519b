import type { ToolChoice, ToolDefinition } from '../../ir';
import type { ArgumentRepair, ArgumentRepairs } from './argument-repair';
import type { ModelFamily } from './models';
import { cleanSchemaWithPaths, type GeminiSchema, type SchemaBudget } from './schema';
import type { FunctionCallingMode, FunctionDeclaration, GeminiTool, ToolConfig } from './wire';

/**
 * Function tools and tool choice (upstream-protocol §2, §9). Web search is not here:
 * it replaces function declarations rather than joining them.
 */

/**
 * Claude's VALIDATED mode refuses a tool whose input object has no property
 * (observed by CPA and OAA), so parameterless tools get this one required
 * property on Claude; the decoder strips it from the calls that come back.
 */
const PLACEHOLDER_PROPERTY = 'reason';
function placeholderSchema(): GeminiSchema {
  return {
    type: 'object',
    properties: { [PLACEHOLDER_PROPERTY]: { type: 'string', description: 'Brief explanation of why you are calling this tool' } },
    required: [PLACEHOLDER_PROPERTY],
  };
}

export interface EncodedTools {
  tools: GeminiTool[];
  /** How to give each tool's calls back the shape its client declared. */
  repairs: ArgumentRepairs;
}

function declare(tool: ToolDefinition, family: ModelFamily, budget: SchemaBudget): { declaration: FunctionDeclaration; repair?: ArgumentRepair } {
  const declaration: FunctionDeclaration = { name: tool.name };
  if (tool.description) declaration.description = tool.description;
  const cleaned = tool.parameters ? cleanSchemaWithPaths(tool.parameters, `tool '${tool.name}'`, budget) : undefined;
  if (cleaned?.schema.properties) {
    // Function parameters are an object, even when the client left the type out.
    declaration.parameters = { ...cleaned.schema, type: 'object' };
    delete declaration.parameters.nullable;
    return cleaned.jsonTextPaths.length > 0 ? { declaration, repair: { jsonTextPaths: cleaned.jsonTextPaths } } : { declaration };
  }
  if (family !== 'claude') return { declaration }; // Gemini reads no parameters as "no arguments".
  declaration.parameters = placeholderSchema();
  return { declaration, repair: { placeholder: PLACEHOLDER_PROPERTY, jsonTextPaths: [] } };
}

/** `budget`: what the request's schemas may expand to, shared with its response schema. */
export function encodeFunctionTools(definitions: ToolDefinition[], family: ModelFamily, budget: SchemaBudget): EncodedTools {
  const repairs = new Map<string, ArgumentRepair>();
  const declarations = definitions.map((tool) => {
    const { declaration, repair } = declare(tool, family, budget);
    if (repair) repairs.set(tool.name, repair);
    return declaration;
  });
  return { tools: declarations.length > 0 ? [{ functionDeclarations: declarations }] : [], repairs };
}

/**
 * Claude models get VALIDATED instead of AUTO, as AM, ACP and CPA send: the
 * upstream then checks Claude's calls against the declared schemas.
 * (`parallelToolCalls` has no Gemini counterpart and is not sent.)
 */
export function encodeToolConfig(choice: ToolChoice | undefined, family: ModelFamily): ToolConfig | undefined {
  const auto: FunctionCallingMode = family === 'claude' ? 'VALIDATED' : 'AUTO';
  switch (choice?.type) {
    case undefined:
      return family === 'claude' ? { functionCallingConfig: { mode: auto } } : undefined;
    case 'auto':
      return { functionCallingConfig: { mode: auto } };
    case 'none':
      return { functionCallingConfig: { mode: 'NONE' } };
    case 'required':
      return { functionCallingConfig: { mode: 'ANY' } };
    case 'tool':
      return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.name] } };
  }
}
