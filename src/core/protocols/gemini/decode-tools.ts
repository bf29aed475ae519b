/** `tools` and `toolConfig` of a Gemini request as IR tools, web search and tool choice. */
import { invalidRequest } from '../../errors';
import type { ToolChoice, ToolDefinition } from '../../ir';
import type { GeminiExtras } from './extras';
import { expectArray, expectObject, expectString, expectStringList, expectStruct, fieldPath, invalidField, invalidValue, optional } from './fields';
import { geminiSchemaToJsonSchema } from './schema';

export interface DecodedTools {
  tools: ToolDefinition[];
  webSearch: boolean;
}

/**
 * Function declarations become IR tools; `googleSearch` (and the legacy
 * `googleSearchRetrieval`) become `webSearch`, which the upstream sends as a
 * bare `{googleSearch: {}}` (upstream-protocol §9), so search options such as
 * `timeRangeFilter` do not travel. `codeExecution` is refused: its answers
 * come as executableCode / codeExecutionResult parts, which the IR cannot
 * carry back, so the client would get answers with the code silently missing.
 * Every other built-in tool (`urlContext`, which gemini-cli's web_fetch uses,
 * `googleMaps` …) only changes what the model may consult, so it travels in
 * the extras for the upstream to accept or refuse.
 */
export function decodeTools(value: unknown, path: string, extras: GeminiExtras): DecodedTools {
  const decoded: DecodedTools = { tools: [], webSearch: false };
  expectArray(value, path).forEach((raw, i) => {
    const toolPath = fieldPath(path, i);
    const tool = expectObject(raw, toolPath);
    for (const [key, entry] of Object.entries(tool)) {
      if (entry === undefined || entry === null) continue;
      const entryPath = fieldPath(toolPath, key);
      if (key === 'functionDeclarations') {
        expectArray(entry, entryPath).forEach((declaration, j) => decoded.tools.push(decodeFunctionDeclaration(declaration, fieldPath(entryPath, j))));
      } else if (key === 'googleSearch' || key === 'googleSearchRetrieval') {
        expectObject(entry, entryPath);
        decoded.webSearch = true;
      } else if (key === 'codeExecution') {
        throw invalidRequest(`The codeExecution tool is not supported by this gateway (at '${entryPath}')`, entryPath);
      } else {
        extras.appendTool({ [key]: entry });
      }
    }
  });
  return decoded;
}

/**
 * gemini-cli declares `parametersJsonSchema` (JSON Schema); the SDK's typed
 * `parameters` is Gemini's OpenAPI subset, normalised here. A declaration's
 * `response` schema and `behavior` have no place in the IR and are not sent on.
 */
function decodeFunctionDeclaration(raw: unknown, path: string): ToolDefinition {
  const declaration = expectObject(raw, path);
  const name = expectString(declaration.name, fieldPath(path, 'name'));
  if (name === '') throw invalidField(fieldPath(path, 'name'), 'name must not be empty');
  const tool: ToolDefinition = { name };
  const description = optional(declaration, 'description', path, expectString);
  if (description !== undefined) tool.description = description;
  const parameters = optional(declaration, 'parameters', path, expectStruct);
  const jsonSchema = optional(declaration, 'parametersJsonSchema', path, expectStruct);
  if (parameters !== undefined && jsonSchema !== undefined) {
    throw invalidField(fieldPath(path, 'parametersJsonSchema'), 'parameters and parametersJsonSchema are mutually exclusive');
  }
  if (parameters !== undefined) tool.parameters = geminiSchemaToJsonSchema(parameters, fieldPath(path, 'parameters'));
  if (jsonSchema !== undefined) tool.parameters = jsonSchema;
  return tool;
}

const FUNCTION_CALLING_MODELLED = new Set(['mode', 'allowedFunctionNames']);

/**
 * `functionCallingConfig` as an IR tool choice. ANY restricted to one
 * function is a forced tool; a longer allow-list and the VALIDATED mode (auto,
 * with schema-checked calls) have no IR form, so they ride in the extras
 * (`toolConfig.functionCallingConfig`) over what the upstream derives from the
 * choice. The rest of `toolConfig` (`retrievalConfig` …) goes there as well.
 */
export function decodeToolConfig(value: unknown, path: string, extras: GeminiExtras): ToolChoice | undefined {
  const toolConfig = expectObject(value, path);
  extras.setUnmodelled(['toolConfig'], toolConfig, new Set(['functionCallingConfig']));
  const fccPath = fieldPath(path, 'functionCallingConfig');
  const fcc = optional(toolConfig, 'functionCallingConfig', path, expectObject);
  if (fcc === undefined) return undefined;
  const extrasPath = ['toolConfig', 'functionCallingConfig'];
  extras.setUnmodelled(extrasPath, fcc, FUNCTION_CALLING_MODELLED);
  const rawMode = optional(fcc, 'mode', fccPath, expectString);
  const mode = rawMode?.toUpperCase();
  const allowed = optional(fcc, 'allowedFunctionNames', fccPath, expectStringList) ?? [];

  if (mode === 'ANY' && allowed.length === 1) return { type: 'tool', name: allowed[0] };
  if (allowed.length > 0) extras.set([...extrasPath, 'allowedFunctionNames'], allowed);
  switch (mode) {
    case undefined:
    case 'MODE_UNSPECIFIED':
      return undefined;
    case 'AUTO':
      return { type: 'auto' };
    case 'ANY':
      return { type: 'required' };
    case 'NONE':
      return { type: 'none' };
    case 'VALIDATED':
      extras.set([...extrasPath, 'mode'], 'VALIDATED');
      return { type: 'auto' };
    default:
      throw invalidValue(fieldPath(fccPath, 'mode'), 'TYPE_ENUM', rawMode);
  }
}
