import type { ToolChoice, ToolDefinition } from '../../ir';
import type { ArgumentRepair, ArgumentRepairs } from './argument-repair';
import { shareSerialised } from './envelope';
import type { ModelFamily } from './models';
import { cleanSchemaWithPaths, type GeminiSchema, SCHEMA_NODE_BUDGET, SCHEMA_SIZE_BUDGET, type SchemaBudget } from './schema';
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

/**
 * Declarations already made, shared by the requests that declare the same tool: Claude Code sends the same
 * 24 tools on every turn, and cleaning their schemas was most of the encoder's time. Found by the family and
 * the name, then the schema compared with the one the declaration was made from (a walk that stops at the
 * first difference: a quarter of the cost of serialising it, and a tiny part of cleaning it) and the
 * description. What the cleaning spent of the schema budget is kept and charged again, so a request's budget
 * holds as if every schema were cleaned. Shared entries are never modified.
 */
interface Declared {
  /** Never reused: identifies the entry in a tool list's key. */
  serial: number;
  /** A copy of the schema the declaration was made from. */
  parameters: ToolDefinition['parameters'];
  description: string | undefined;
  declaration: FunctionDeclaration;
  repair?: ArgumentRepair;
  nodes: number;
  size: number;
  /** About the memory it keeps alive: the schema, its copy and the description. */
  weight: number;
  /** Kept for later requests (not too big to keep). */
  kept: boolean;
}

/** What all entries keep alive, bounded: the names least recently used go first. */
const DECLARED_WEIGHT_LIMIT = 2_000_000;
/** A schema bigger than this is cleaned every time rather than crowding out the others. */
const DECLARED_ENTRY_WEIGHT_LIMIT = 256_000;
/** Different tools of one name (clients that declare a `Read` of their own) kept at once. */
const VARIANTS_PER_NAME = 4;
/** `family \0 name` → its declarations, the most recently used first. */
const declared = new Map<string, Declared[]>();
let declaredWeight = 0;
let declaredSerial = 0;

/**
 * The function tools of the tool lists last seen, by their entries' serials: the same array for the same list,
 * its JSON text kept with it (envelope.ts). Bounded like the declarations, which a list keeps alive.
 */
const TOOL_LISTS_WEIGHT_LIMIT = 2_000_000;
const TOOL_LIST_WEIGHT_LIMIT = 500_000;
const toolLists = new Map<string, { tools: GeminiTool[]; weight: number }>();
let toolListsWeight = 0;

/** Whether two JSON values (from JSON.parse) would serialise alike: the same values, keys in the same order. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keys = Object.keys(a);
  const otherKeys = Object.keys(b);
  if (keys.length !== otherKeys.length) return false;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (key !== otherKeys[i] || !sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

function declareShared(tool: ToolDefinition, family: ModelFamily, budget: SchemaBudget): Declared {
  const name = `${family}\u0000${tool.name}`;
  const variants = declared.get(name);
  const index = variants?.findIndex((entry) => entry.description === tool.description && sameJson(entry.parameters, tool.parameters)) ?? -1;
  const known = index >= 0 ? variants?.[index] : undefined;
  if (variants && known && budget.nodes + known.nodes <= SCHEMA_NODE_BUDGET && budget.size + known.size <= SCHEMA_SIZE_BUDGET) {
    budget.nodes += known.nodes;
    budget.size += known.size;
    // A schema reused from an earlier request body is frozen (json-reuse.ts): keep it, and the next compare is `===`.
    if (known.parameters !== tool.parameters && Object.isFrozen(tool.parameters)) known.parameters = tool.parameters;
    if (index > 0) variants.unshift(...variants.splice(index, 1));
    declared.delete(name);
    declared.set(name, variants); // most recently used last
    return known;
  }
  // Cleaning spends monotonically: past the budget here, the same cleaning below throws the same refusal.
  const before = { nodes: budget.nodes, size: budget.size };
  const { declaration, repair } = declare(tool, family, budget);
  const nodes = budget.nodes - before.nodes;
  const size = budget.size - before.size;
  const weight = 2 * size + (tool.description?.length ?? 0);
  const kept = weight <= DECLARED_ENTRY_WEIGHT_LIMIT; // else cleaned every time rather than crowding out the others
  const entry: Declared = { serial: ++declaredSerial, parameters: undefined, description: tool.description, declaration, nodes, size, weight, kept };
  if (repair) entry.repair = repair;
  if (!kept) return entry;
  entry.parameters = tool.parameters && structuredClone(tool.parameters);
  const sameName = variants ?? [];
  sameName.unshift(entry);
  declaredWeight += weight;
  for (const dropped of sameName.splice(VARIANTS_PER_NAME)) declaredWeight -= dropped.weight;
  declared.delete(name);
  declared.set(name, sameName);
  for (const [oldName, old] of declared) {
    if (declaredWeight <= DECLARED_WEIGHT_LIMIT) break;
    declared.delete(oldName);
    for (const dropped of old) declaredWeight -= dropped.weight;
  }
  return entry;
}

/** `budget`: what the request's schemas may expand to, shared with its response schema. */
export function encodeFunctionTools(definitions: ToolDefinition[], family: ModelFamily, budget: SchemaBudget): EncodedTools {
  const repairs = new Map<string, ArgumentRepair>();
  const entries = definitions.map((tool) => declareShared(tool, family, budget));
  for (const [i, entry] of entries.entries()) if (entry.repair) repairs.set(definitions[i].name, entry.repair);
  if (entries.length === 0) return { tools: [], repairs };
  const fresh = (): GeminiTool[] => [{ functionDeclarations: entries.map((entry) => entry.declaration) }];
  const weight = entries.reduce((sum, entry) => sum + entry.weight, 0);
  if (weight > TOOL_LIST_WEIGHT_LIMIT || !entries.every((entry) => entry.kept)) return { tools: fresh(), repairs };
  const listKey = entries.map((entry) => entry.serial).join(',');
  let list = toolLists.get(listKey);
  if (list) {
    toolLists.delete(listKey);
  } else {
    list = { tools: shareSerialised(fresh()), weight };
    toolListsWeight += weight;
  }
  toolLists.set(listKey, list); // most recently used last
  for (const [oldKey, old] of toolLists) {
    if (toolListsWeight <= TOOL_LISTS_WEIGHT_LIMIT) break;
    toolLists.delete(oldKey);
    toolListsWeight -= old.weight;
  }
  return { tools: list.tools, repairs };
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
