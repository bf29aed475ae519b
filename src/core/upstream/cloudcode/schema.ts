import { invalidRequest } from '../../errors';
import type { JsonSchema } from '../../ir';

/**
 * JSON Schema → the OpenAPI subset Cloud Code accepts in function declarations
 * and response schemas (upstream-protocol §9).
 *
 * Kept: type, title, description, nullable, format (date-time / enum), enum
 * (string values), properties, required, items. Everything else is either
 * rewritten into that subset ($ref/$defs inlined, allOf merged, anyOf/oneOf
 * and type arrays flattened, const → enum) or, when it constrains values,
 * moved into the description so the model still reads it (pattern, bounds,
 * lengths …). Annotations the model does not need (default, examples, $schema,
 * additionalProperties, x-* …) are dropped.
 *
 * The upstream wants a type on every node and at least one property on every
 * object. What JSON Schema leaves open (an untyped "any value", a free-form
 * object such as Claude Code's task `metadata`, a recursive reference) is
 * declared as a string holding JSON, and its path is reported so that the
 * arguments coming back can be parsed into the value the client expects
 * (see argument-repair.ts).
 *
 * One recursive pass, no JSON round-trips: Claude Code sends 24 tools on every
 * request and this runs for each of them.
 *
 * One file of ~560 lines: the pass is one recursion over one context (budget, $ref resolution, the JSON-text
 * paths it reports), and each keyword's rewrite depends on the others' (allOf merging before anyOf flattening,
 * constraints into descriptions after both).
 */

export type GeminiSchemaType = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';

export interface GeminiSchema {
  type?: GeminiSchemaType;
  title?: string;
  description?: string;
  nullable?: boolean;
  format?: string;
  enum?: string[];
  properties?: Record<string, GeminiSchema>;
  required?: string[];
  items?: GeminiSchema;
}

const SCHEMA_TYPES: ReadonlySet<string> = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object']);

/** Gemini's Schema.format is only honoured for these on strings. */
const KEPT_STRING_FORMATS: ReadonlySet<string> = new Set(['date-time', 'enum']);

/** Value constraints the upstream refuses; their meaning moves into the description. */
const DESCRIBED_CONSTRAINTS = [
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
] as const;

/** Beyond this nesting a schema is a bomb or a bug; the rest is described, not expanded. */
const MAX_DEPTH = 32;

/**
 * What the schemas of one request (its tools and its response schema) may
 * expand to. `$ref` and `allOf` are inlined, since the upstream takes neither,
 * so a few hundred bytes of definitions that each use the one before several
 * times stand for millions of nodes: depth alone does not bound that. Counted
 * per request, not per schema, so that many small bombs add up; Claude Code's
 * 24 tools spend about 110 nodes and 21,000 units of size.
 */
export const SCHEMA_NODE_BUDGET = 10_000;
/**
 * About 1 MB of expanded schema: every time a node is read or copied, its
 * size (a unit per keyword, per list entry and per character of text) is
 * charged, and so is the text written out. Bounds what node counts miss: a
 * definition with a huge enum, or thousands of keywords, used many times.
 */
export const SCHEMA_SIZE_BUDGET = 1_000_000;

/** What the schemas cleaned so far for one request have spent; share one across a request's schemas. */
export interface SchemaBudget {
  nodes: number;
  size: number;
}

export const newSchemaBudget = (): SchemaBudget => ({ nodes: 0, size: 0 });

type Node = Record<string, unknown>;

/** Stands for "every element of the array" in a JSON-text path. */
export const EACH_ITEM: unique symbol = Symbol('each item');
export type JsonTextPath = ReadonlyArray<string | typeof EACH_ITEM>;

export interface CleanedSchema {
  schema: GeminiSchema;
  /** Where the schema declares a JSON-text string in place of an open value. */
  jsonTextPaths: JsonTextPath[];
}

interface Context {
  root: Node;
  /** What the schema belongs to, for the error when the budget runs out (`tool 'search'`). */
  owner: string;
  budget: SchemaBudget;
  /** Sizes of the nodes charged so far, each measured once. */
  sizes: WeakMap<Node, number>;
  /** Each `$ref` resolved once, however often it is used. */
  resolved: Map<string, Node | undefined>;
  /** `$ref`s being expanded on the current path: a repeat is a cycle. */
  active: Set<string>;
  /** Property names and array steps from the root to the node being cleaned. */
  path: Array<string | typeof EACH_ITEM>;
  jsonTextPaths: JsonTextPath[];
}

/**
 * Throws a 400 naming `owner` when the schema would take `budget` past what one
 * request may expand to.
 */
export function cleanSchemaWithPaths(schema: JsonSchema, owner = 'the schema', budget = newSchemaBudget()): CleanedSchema {
  const ctx: Context = {
    root: schema,
    owner,
    budget,
    sizes: new WeakMap(),
    resolved: new Map(),
    active: new Set(),
    path: [],
    jsonTextPaths: [],
  };
  return { schema: cleanNode(schema, ctx, 0), jsonTextPaths: ctx.jsonTextPaths };
}

/** For response schemas, where nothing comes back to repair. */
export function cleanSchema(schema: JsonSchema, owner?: string, budget?: SchemaBudget): GeminiSchema {
  return cleanSchemaWithPaths(schema, owner, budget).schema;
}

function overBudget(ctx: Context, what: string): never {
  throw invalidRequest(
    `The schema of ${ctx.owner} takes this request's tool and response schemas past ${what} ` +
      'once every $ref and allOf is written out in full, as the upstream needs them.',
  );
}

function spendNode(ctx: Context): void {
  if (++ctx.budget.nodes > SCHEMA_NODE_BUDGET) overBudget(ctx, `${SCHEMA_NODE_BUDGET.toLocaleString('en-US')} nodes`);
}

function spendSize(ctx: Context, units: number): void {
  ctx.budget.size += units;
  if (ctx.budget.size > SCHEMA_SIZE_BUDGET) overBudget(ctx, 'about 1 MB of expanded schema');
}

/**
 * Charges reading `node`: what the cleaner does with one node (copy it, scan
 * its enum, required or properties) takes time in proportion to this.
 */
function chargeNode(node: Node, ctx: Context): void {
  let size = ctx.sizes.get(node);
  if (size === undefined) {
    size = 0;
    for (const key in node) {
      const value = node[key];
      size += 1 + key.length;
      if (typeof value === 'string') size += value.length;
      else if (Array.isArray(value)) size += value.length;
      else if (key === 'properties' && isNode(value)) for (const name in value) size += 1 + name.length;
    }
    ctx.sizes.set(node, size);
  }
  spendSize(ctx, size);
}

/** Charges the text of one finished output node. */
function charged(schema: GeminiSchema, ctx: Context): GeminiSchema {
  let size = (schema.title?.length ?? 0) + (schema.description?.length ?? 0);
  if (schema.enum) for (const value of schema.enum) size += 1 + value.length;
  spendSize(ctx, size);
  return schema;
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function cleanNode(input: unknown, ctx: Context, depth: number): GeminiSchema {
  spendNode(ctx);
  // A boolean schema (`true`) allows any value.
  if (!isNode(input)) return asJsonText({}, 'value', ctx);
  chargeNode(input, ctx);
  if (depth > MAX_DEPTH) return asJsonText({ description: 'Deeply nested value' }, 'value', ctx);
  if (typeof input.$ref === 'string') return cleanRef(input, input.$ref, ctx, depth);
  const node = Array.isArray(input.allOf) ? mergeAllOf(input, ctx, depth) : input;
  if (Array.isArray(node.anyOf) && node.anyOf.length > 0) return cleanUnion(node, 'anyOf', ctx, depth);
  if (Array.isArray(node.oneOf) && node.oneOf.length > 0) return cleanUnion(node, 'oneOf', ctx, depth);
  return cleanPlain(node, ctx, depth);
}

// ---------- $ref ----------

function resolvePointer(root: Node, ref: string): Node | undefined {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined; // remote refs cannot be fetched here
  let current: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodePointerToken(raw);
    if (Array.isArray(current)) current = current[Number(key)];
    else if (isNode(current)) current = current[key];
    else return undefined;
  }
  return isNode(current) ? current : undefined;
}

function decodePointerToken(token: string): string {
  let decoded = token;
  try {
    decoded = decodeURIComponent(token);
  } catch {
    // Not percent-encoded after all: use it as written.
  }
  return decoded.replace(/~1/g, '/').replace(/~0/g, '~');
}

function resolve(ref: string, ctx: Context): Node | undefined {
  if (ctx.resolved.has(ref)) return ctx.resolved.get(ref);
  spendSize(ctx, ref.length);
  const target = resolvePointer(ctx.root, ref);
  ctx.resolved.set(ref, target);
  return target;
}

function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1) || ref;
}

function withoutKey(node: Node, key: string): Node {
  const copy: Node = {};
  for (const k in node) if (k !== key) copy[k] = node[k];
  return copy;
}

function hasKeys(node: Node): boolean {
  for (const _key in node) return true;
  return false;
}

/** The definition a $ref points to, refined by the keywords written beside it (JSON Schema 2019+). */
function refined(target: Node, siblings: Node, ctx: Context): Node {
  chargeNode(target, ctx);
  return hasKeys(siblings) ? { ...target, ...siblings } : target;
}

function cleanRef(node: Node, ref: string, ctx: Context, depth: number): GeminiSchema {
  const target = resolve(ref, ctx);
  const siblings = withoutKey(node, '$ref');
  if (target === undefined || ctx.active.has(ref)) {
    // A cycle (a tree node referring to its own definition) or a reference we
    // cannot resolve: keep the referenced type and say what it stood for.
    const described = siblings.description ?? target?.description;
    const hint = `See: ${refName(ref)}`;
    const description = typeof described === 'string' && described ? `${described} (${hint})` : hint;
    return cleanPlain({ ...siblings, type: target?.type ?? 'object', description }, ctx, depth);
  }
  ctx.active.add(ref);
  const cleaned = cleanNode(refined(target, siblings, ctx), ctx, depth + 1);
  ctx.active.delete(ref);
  return cleaned;
}

/** A subschema with its top-level $ref replaced by the definition, for inspection and merging. */
function dereference(value: unknown, ctx: Context): Node | undefined {
  if (!isNode(value)) return undefined;
  chargeNode(value, ctx);
  if (typeof value.$ref !== 'string' || ctx.active.has(value.$ref)) return value;
  const target = resolve(value.$ref, ctx);
  return target === undefined ? value : refined(target, withoutKey(value, '$ref'), ctx);
}

// ---------- allOf ----------

/**
 * The parent's own keywords win; branches fill what it lacks, properties and
 * required are unions. Nested allOfs merge up to the depth limit, each branch
 * charged as a node: allOfs of $refs fan out like properties do.
 */
function mergeAllOf(node: Node, ctx: Context, depth: number): Node {
  const merged = withoutKey(node, 'allOf');
  for (const branch of node.allOf as unknown[]) {
    spendNode(ctx);
    const resolved = dereference(branch, ctx);
    if (resolved === undefined) continue;
    const part = Array.isArray(resolved.allOf) && depth < MAX_DEPTH ? mergeAllOf(resolved, ctx, depth + 1) : resolved;
    for (const key in part) {
      const value = part[key];
      if (key === 'properties' && isNode(value)) {
        const own = isNode(merged.properties) ? merged.properties : {};
        chargeNode(own, ctx);
        merged.properties = { ...value, ...own };
      } else if (key === 'required' && Array.isArray(value)) {
        const current = Array.isArray(merged.required) ? (merged.required as unknown[]) : [];
        spendSize(ctx, current.length + value.length);
        merged.required = [...new Set([...current, ...value])];
      } else if (merged[key] === undefined) {
        merged[key] = value;
      }
    }
  }
  return merged;
}

// ---------- anyOf / oneOf / type arrays ----------

function isNullBranch(branch: Node): boolean {
  if (branch.type === 'null') return true;
  if (Array.isArray(branch.type)) return branch.type.length > 0 && branch.type.every((t) => t === 'null');
  if ('const' in branch) return branch.const === null;
  return Array.isArray(branch.enum) && branch.enum.length > 0 && branch.enum.every((v) => v === null);
}

/** `[{const:"a"}, {enum:["b","c"]}]`: a union that is really an enumeration. */
function literalValues(branches: Node[]): unknown[] | undefined {
  const values: unknown[] = [];
  for (const branch of branches) {
    if (branch.properties !== undefined || branch.items !== undefined) return undefined;
    if ('const' in branch) values.push(branch.const);
    else if (Array.isArray(branch.enum)) values.push(...branch.enum);
    else return undefined;
  }
  return values;
}

function typeLabel(branch: Node): string {
  if (typeof branch.type === 'string') return branch.type;
  if (Array.isArray(branch.type)) return branch.type.filter((t) => t !== 'null').join(' | ') || 'null';
  if (branch.properties !== undefined) return 'object';
  if (branch.items !== undefined) return 'array';
  if ('const' in branch) return JSON.stringify(branch.const);
  if (Array.isArray(branch.enum)) return branch.enum.map(describeValue).join(' | ');
  return 'any';
}

function cleanUnion(node: Node, key: 'anyOf' | 'oneOf', ctx: Context, depth: number): GeminiSchema {
  const rest = withoutKey(node, key);
  const raw = (node[key] as unknown[]).filter(isNode);
  const branches = raw.map((b) => dereference(b, ctx)!);
  const nullable = branches.some(isNullBranch);
  const alternatives = branches.filter((b) => !isNullBranch(b));

  // An object whose union only says which property sets are allowed keeps its
  // own shape; the branches may add properties it does not list.
  if (isNode(rest.properties)) {
    const properties = { ...rest.properties };
    for (const branch of alternatives) {
      if (!isNode(branch.properties)) continue;
      for (const name in branch.properties) if (!(name in properties)) properties[name] = branch.properties[name];
    }
    return markNullable(cleanNode({ ...rest, properties }, ctx, depth + 1), nullable);
  }

  if (alternatives.length === 0) return markNullable(cleanNode(rest, ctx, depth + 1), nullable);

  const literals = literalValues(alternatives);
  if (literals !== undefined) {
    return markNullable(cleanNode({ ...withoutKey(rest, 'const'), enum: literals }, ctx, depth + 1), nullable);
  }

  if (alternatives.length > 1 && alternatives.every(isObjectBranch)) {
    const shapes = alternatives.map((b) => `{${Object.keys(isNode(b.properties) ? b.properties : {}).join(', ')}}`);
    const merged = cleanNode(mergeObjectBranches(rest, alternatives, ctx), ctx, depth + 1);
    return markNullable(appendHints(merged, [`One of the shapes: ${shapes.join(' | ')}`]), nullable);
  }

  // Take the first real alternative and tell the model what else was allowed.
  const [chosen] = alternatives;
  const parentDescription = typeof rest.description === 'string' ? rest.description : undefined;
  const chosenDescription = typeof chosen.description === 'string' ? chosen.description : undefined;
  const description =
    parentDescription && chosenDescription && parentDescription !== chosenDescription
      ? `${parentDescription} (${chosenDescription})`
      : (parentDescription ?? chosenDescription);
  // The branch as written, so that a $ref in it goes through cycle tracking.
  const written = raw[branches.indexOf(chosen)];
  const cleaned = cleanNode({ ...rest, ...written, description }, ctx, depth + 1);
  const labels = [...new Set(alternatives.map(typeLabel))];
  return markNullable(labels.length > 1 ? appendHints(cleaned, [`Accepts: ${labels.join(' | ')}`]) : cleaned, nullable);
}

function isObjectBranch(branch: Node): boolean {
  return branch.type === 'object' || (branch.type === undefined && isNode(branch.properties));
}

/**
 * Alternative object shapes (tagged unions, mostly) become one object with
 * every property: a discriminator's literals are pooled and only properties
 * every shape requires stay required; the caller lists the shapes.
 */
function mergeObjectBranches(rest: Node, branches: Node[], ctx: Context): Node {
  const properties: Node = {};
  let required: string[] | undefined;
  for (const branch of branches) {
    const own = isNode(branch.properties) ? branch.properties : {};
    for (const name in own) {
      const existing = properties[name];
      const incoming = own[name];
      const pooled = isNode(existing) && isNode(incoming) ? literalValues([existing, incoming]) : undefined;
      if (existing === undefined) properties[name] = incoming;
      else if (pooled !== undefined) {
        spendSize(ctx, pooled.length);
        properties[name] = { ...withoutKey(existing as Node, 'const'), enum: [...new Set(pooled)] };
      }
    }
    const branchRequired = new Set(Array.isArray(branch.required) ? (branch.required as string[]) : []);
    required = required === undefined ? [...branchRequired] : required.filter((r) => branchRequired.has(r));
  }
  return { ...rest, type: 'object', properties, required };
}

function markNullable(schema: GeminiSchema, nullable: boolean): GeminiSchema {
  if (nullable) schema.nullable = true;
  return schema;
}

// ---------- one schema node ----------

function describeValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function inferType(node: Node, values: unknown[] | undefined): string | undefined {
  if (isNode(node.properties)) return 'object';
  if (node.items !== undefined || node.prefixItems !== undefined) return 'array';
  if (values === undefined || values.length === 0) return undefined;
  if (values.every((v) => typeof v === 'string')) return 'string';
  if (values.every((v) => typeof v === 'boolean')) return 'boolean';
  if (values.every((v) => Number.isInteger(v))) return 'integer';
  if (values.every((v) => typeof v === 'number')) return 'number';
  return undefined;
}

/**
 * Bounds that restrict nothing (zod's integer range is ±2^53−1, a minimum
 * length of 0 …) would only lengthen the description.
 */
function isVacuous(keyword: string, value: unknown): boolean {
  if (value === false) return true;
  if (typeof value !== 'number') return false;
  if (Math.abs(value) >= Number.MAX_SAFE_INTEGER) return true;
  return value === 0 && (keyword === 'minLength' || keyword === 'minItems' || keyword === 'minProperties');
}

function cleanPlain(node: Node, ctx: Context, depth: number): GeminiSchema {
  const hints: string[] = [];
  let nullable = node.nullable === true;

  let declared: unknown = node.type;
  if (Array.isArray(declared)) {
    const types = declared.filter((t): t is string => typeof t === 'string' && t !== 'null');
    if (types.length < declared.length) nullable = true;
    if (types.length > 1) hints.push(`Accepts: ${types.join(' | ')}`);
    declared = types[0];
  } else if (declared === 'null') {
    nullable = true;
    declared = undefined;
  }

  let values: unknown[] | undefined = Array.isArray(node.enum) ? node.enum : 'const' in node ? [node.const] : undefined;
  if (values?.includes(null)) {
    nullable = true;
    values = values.filter((v) => v !== null);
  }

  const typeName = typeof declared === 'string' ? declared : inferType(node, values);
  const type = typeName !== undefined && SCHEMA_TYPES.has(typeName) ? (typeName as GeminiSchemaType) : undefined;

  const out: GeminiSchema = {};
  if (type !== undefined) out.type = type;
  if (typeof node.title === 'string') out.title = node.title;

  if (values !== undefined && values.length > 0) {
    // The upstream takes enum members only as strings, and only on strings;
    // other enumerations survive as a sentence.
    if (type === 'string' || (type === undefined && values.every((v) => typeof v === 'string'))) {
      out.enum = values.map(describeValue);
    } else {
      hints.push(values.length === 1 ? `Must be ${describeValue(values[0])}` : `Allowed: ${values.map(describeValue).join(', ')}`);
    }
  }

  if (typeof node.format === 'string') {
    if (type === 'string' && KEPT_STRING_FORMATS.has(node.format)) out.format = node.format;
    else hints.push(`format: ${node.format}`);
  }

  for (const keyword of DESCRIBED_CONSTRAINTS) {
    const value = node[keyword];
    if (value !== undefined && typeof value !== 'object' && !isVacuous(keyword, value)) hints.push(`${keyword}: ${String(value)}`);
  }

  if ((type === 'object' || type === undefined) && isNode(node.properties)) {
    const properties: Record<string, GeminiSchema> = {};
    let count = 0;
    for (const name in node.properties) {
      ctx.path.push(name);
      properties[name] = cleanNode(node.properties[name], ctx, depth + 1);
      ctx.path.pop();
      count++;
    }
    if (count > 0) {
      out.properties = properties;
      if (Array.isArray(node.required)) {
        const required = [...new Set(node.required.filter((r): r is string => typeof r === 'string' && r in properties))];
        if (required.length > 0) out.required = required;
      }
    }
  }

  if (type === 'array' || (type === undefined && (node.items !== undefined || node.prefixItems !== undefined))) {
    const tuple = Array.isArray(node.prefixItems) ? node.prefixItems : Array.isArray(node.items) ? node.items : undefined;
    if (tuple !== undefined) hints.push(`Tuple of ${tuple.map((t) => (isNode(t) ? typeLabel(t) : 'any')).join(', ')}`);
    const items = tuple !== undefined ? tuple[0] : node.items;
    ctx.path.push(EACH_ITEM);
    // An array without items is refused; its elements are then open values.
    out.items = cleanNode(items ?? true, ctx, depth + 1);
    ctx.path.pop();
  }

  if (typeof node.description === 'string' && node.description !== '') out.description = node.description;
  if (nullable) out.nullable = true;
  if (hints.length > 0) appendHints(out, hints);
  if (out.type === undefined) return asJsonText(out, 'value', ctx);
  if (out.type === 'object' && out.properties === undefined) return asJsonText(out, 'object', ctx);
  return charged(out, ctx);
}

/**
 * An open value declared as a string of JSON (see the header); the path lets
 * the decoder parse it back.
 */
function asJsonText(open: GeminiSchema, kind: 'object' | 'value', ctx: Context): GeminiSchema {
  ctx.jsonTextPaths.push([...ctx.path]);
  const schema: GeminiSchema = { type: 'string' };
  if (open.title !== undefined) schema.title = open.title;
  if (open.description !== undefined) schema.description = open.description;
  if (open.nullable) schema.nullable = true;
  return charged(appendHints(schema, [kind === 'object' ? 'a JSON object, as JSON text' : 'any JSON value, as JSON text']), ctx);
}

function appendHints(schema: GeminiSchema, hints: string[]): GeminiSchema {
  const hint = hints.join('; ');
  schema.description = schema.description ? `${schema.description} (${hint})` : hint;
  return schema;
}
