/**
 * Tools as the upstream accepts them: the OpenAPI subset of upstream-protocol §9 in
 * function declarations, search never mixed with functions, a sane toolConfig.
 * Messages follow Google's ("Unknown name … Cannot find field", "* GenerateContentRequest.path: …").
 */
import { invalidArgument, type SimHttpError } from './google-errors';
import { isObject } from './http';
import type { GenerateRequest, WireTool } from './wire';

const TOOL_KEYS = ['functionDeclarations', 'googleSearch', 'googleSearchRetrieval', 'codeExecution', 'urlContext'];
const DECLARATION_KEYS = ['name', 'description', 'parameters', 'response', 'behavior'];
/** The keywords upstream-protocol §9 keeps; everything else must be rewritten by the gateway. */
const SCHEMA_KEYS = ['type', 'description', 'properties', 'required', 'items', 'enum', 'nullable', 'format', 'title'];
const SCHEMA_TYPES = ['STRING', 'NUMBER', 'INTEGER', 'BOOLEAN', 'ARRAY', 'OBJECT'];
const FORMATS: Readonly<Record<string, readonly string[]>> = {
  STRING: ['enum', 'date-time'],
  NUMBER: ['float', 'double'],
  INTEGER: ['int32', 'int64'],
};
const CALLING_MODES = ['MODE_UNSPECIFIED', 'AUTO', 'ANY', 'NONE', 'VALIDATED'];
const FUNCTION_NAME = /^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$/;

function unknownName(key: string, path: string): SimHttpError {
  return invalidArgument(`Invalid JSON payload received. Unknown name "${key}" at '${path}': Cannot find field.`);
}

export function fieldError(path: string, reason: string): SimHttpError {
  return invalidArgument(`* GenerateContentRequest.${path}: ${reason}`);
}

export function rejectUnknownKeys(value: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw unknownName(key, path);
  }
}

export function validateTools(request: GenerateRequest): void {
  const { tools } = request;
  if (tools !== undefined) {
    if (!Array.isArray(tools)) throw fieldError('tools', 'must be a list.');
    const names = new Set<string>();
    tools.forEach((tool, index) => validateTool(tool, `tools[${index}]`, names));
    const search = tools.some((tool) => tool.googleSearch !== undefined || tool.googleSearchRetrieval !== undefined);
    if (search && names.size > 0) throw invalidArgument('Multiple tools are supported only when they are all search tools.');
  }
  validateToolConfig(request);
}

function validateTool(tool: WireTool, path: string, names: Set<string>): void {
  if (!isObject(tool)) throw fieldError(path, 'must be an object.');
  rejectUnknownKeys(tool, TOOL_KEYS, `request.${path}`);
  for (const key of ['googleSearch', 'googleSearchRetrieval', 'codeExecution', 'urlContext'] as const) {
    if (tool[key] !== undefined && !isObject(tool[key])) throw fieldError(`${path}.${key}`, 'must be an object.');
  }
  const declarations: unknown = tool.functionDeclarations;
  if (declarations === undefined) return;
  if (!Array.isArray(declarations)) throw fieldError(`${path}.function_declarations`, 'must be a list.');
  declarations.forEach((declaration: unknown, index) => {
    const at = `${path}.function_declarations[${index}]`;
    if (!isObject(declaration)) throw fieldError(at, 'must be an object.');
    rejectUnknownKeys(declaration, DECLARATION_KEYS, `request.${at}`);
    const { name } = declaration;
    if (typeof name !== 'string' || !FUNCTION_NAME.test(name)) {
      throw fieldError(
        `${at}.name`,
        'Invalid function name. Must start with a letter or an underscore. Must be alphameric (a-z, A-Z, 0-9), underscores (_), dots (.), colons (:) or dashes (-), with a maximum length of 64.',
      );
    }
    if (names.has(name)) throw invalidArgument(`Duplicate function declaration found: ${name}`);
    names.add(name);
    if (declaration.description !== undefined && typeof declaration.description !== 'string') {
      throw fieldError(`${at}.description`, 'must be a string.');
    }
    if (declaration.parameters !== undefined) {
      validateSchema(declaration.parameters, `${at}.parameters`);
      if ((declaration.parameters as { type: string }).type.toUpperCase() !== 'OBJECT') {
        throw fieldError(`${at}.parameters.type`, 'must be OBJECT.');
      }
    }
    if (declaration.response !== undefined) validateSchema(declaration.response, `${at}.response`);
  });
}

function validateSchema(schema: unknown, path: string): void {
  if (!isObject(schema)) throw fieldError(path, 'must be an object.');
  rejectUnknownKeys(schema, SCHEMA_KEYS, `request.${path}`);
  const { type } = schema;
  if (Array.isArray(type)) {
    throw invalidArgument(`Invalid JSON payload received. Unknown name "type" at 'request.${path}': Proto field is not repeating, cannot start list.`);
  }
  if (type === undefined) throw fieldError(`${path}.type`, 'must be specified.');
  const upper = typeof type === 'string' ? type.toUpperCase() : '';
  if (!SCHEMA_TYPES.includes(upper)) {
    throw invalidArgument(`Invalid value at 'request.${path}.type' (type.googleapis.com/google.cloud.aiplatform.v1.Type), ${JSON.stringify(type)}`);
  }
  for (const key of ['description', 'title', 'format'] as const) {
    if (schema[key] !== undefined && typeof schema[key] !== 'string') throw fieldError(`${path}.${key}`, 'must be a string.');
  }
  if (schema.nullable !== undefined && typeof schema.nullable !== 'boolean') throw fieldError(`${path}.nullable`, 'must be a boolean.');
  if (schema.format !== undefined) {
    const allowed = FORMATS[upper] ?? [];
    if (!allowed.includes(schema.format as string)) {
      throw fieldError(`${path}.format`, `only ${allowed.map((f) => `'${f}'`).join(' and ') || 'no formats'} are supported for ${upper} type`);
    }
  }
  if (schema.enum !== undefined) {
    if (upper !== 'STRING') throw fieldError(`${path}.enum`, 'only allowed for STRING type');
    if (!Array.isArray(schema.enum) || !schema.enum.every((value) => typeof value === 'string')) {
      throw fieldError(`${path}.enum`, 'must be a list of strings.');
    }
  }
  validateObjectSchema(schema, upper, path);
  if (upper === 'ARRAY') {
    if (schema.items === undefined) throw fieldError(`${path}.items`, 'missing field.');
    validateSchema(schema.items, `${path}.items`);
  } else if (schema.items !== undefined) {
    throw fieldError(`${path}.items`, 'only allowed for ARRAY type');
  }
}

function validateObjectSchema(schema: Record<string, unknown>, upper: string, path: string): void {
  const { properties, required } = schema;
  if (upper !== 'OBJECT') {
    if (properties !== undefined) throw fieldError(`${path}.properties`, 'only allowed for OBJECT type');
    if (required !== undefined) throw fieldError(`${path}.required`, 'only allowed for OBJECT type');
    return;
  }
  if (properties === undefined || (isObject(properties) && Object.keys(properties).length === 0)) {
    throw fieldError(`${path}.properties`, 'should be non-empty for OBJECT type');
  }
  if (!isObject(properties)) throw fieldError(`${path}.properties`, 'must be an object.');
  for (const [name, property] of Object.entries(properties)) validateSchema(property, `${path}.properties[${name}]`);
  if (required === undefined) return;
  if (!Array.isArray(required)) throw fieldError(`${path}.required`, 'must be a list.');
  required.forEach((name: unknown, index) => {
    if (typeof name !== 'string' || !Object.hasOwn(properties, name)) throw fieldError(`${path}.required[${index}]`, 'property is not defined');
  });
}

function validateToolConfig(request: GenerateRequest): void {
  const { toolConfig } = request;
  if (toolConfig === undefined) return;
  if (!isObject(toolConfig)) throw fieldError('tool_config', 'must be an object.');
  rejectUnknownKeys(toolConfig, ['functionCallingConfig', 'retrievalConfig'], 'request.tool_config');
  const config: unknown = toolConfig.functionCallingConfig;
  if (config === undefined) return;
  if (!isObject(config)) throw fieldError('tool_config.function_calling_config', 'must be an object.');
  rejectUnknownKeys(config, ['mode', 'allowedFunctionNames'], 'request.tool_config.function_calling_config');
  if (config.mode !== undefined && !CALLING_MODES.includes(config.mode as string)) {
    throw invalidArgument(
      `Invalid value at 'request.tool_config.function_calling_config.mode' (type.googleapis.com/google.cloud.aiplatform.v1.FunctionCallingConfig.Mode), ${JSON.stringify(config.mode)}`,
    );
  }
  const allowed = config.allowedFunctionNames;
  if (allowed === undefined) return;
  if (!Array.isArray(allowed)) throw fieldError('tool_config.function_calling_config.allowed_function_names', 'must be a list.');
  const declared = new Set((request.tools ?? []).flatMap((tool) => (tool.functionDeclarations ?? []).map((d) => d.name)));
  allowed.forEach((name: unknown, index) => {
    if (typeof name !== 'string' || !declared.has(name)) {
      throw fieldError(`tool_config.function_calling_config.allowed_function_names[${index}]`, 'function is not declared in tools.');
    }
  });
}
