/**
 * JSON mode (`responseMimeType: application/json`): the real model answers
 * with JSON matching `responseSchema` (Gemini's OpenAPI subset, upper-case
 * types) or `responseJsonSchema` (JSON Schema); clients that route or classify
 * with structured output (gemini-cli's model router) parse it. The simulated
 * model builds the smallest deterministic value that satisfies the schema.
 */
import type { WireGenerationConfig } from './wire';

type Schema = Record<string, unknown>;

/** Past this depth (a recursive `$ref`) a value is `null`. */
const MAX_DEPTH = 24;
/**
 * Values written for one answer, and elements of one array: past them a value
 * is `null`. A schema whose `$ref`s fan out (or a `minItems` of a billion) must
 * not hold the process the gateway shares with the simulator in the tests.
 */
const MAX_VALUES = 10_000;
const MAX_ITEMS = 100;

/** The JSON text of a JSON-mode answer, or undefined when the request is not in JSON mode. */
export function jsonModeAnswer(config: WireGenerationConfig | undefined, userText: string): string | undefined {
  if (typeof config?.responseMimeType !== 'string' || config.responseMimeType.toLowerCase() !== 'application/json') return undefined;
  const schema = asSchema(config.responseJsonSchema) ?? asSchema(config.responseSchema);
  if (!schema) return JSON.stringify({ answer: `Simulated answer to: ${userText.slice(0, 60)}` });
  return JSON.stringify(valueForSchema(schema, schema, 'answer', 0, { valuesLeft: MAX_VALUES }));
}

const asSchema = (value: unknown): Schema | undefined => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Schema) : undefined);

/** A value that validates against `schema`; `name` is the property it fills (strings mention it). */
export function valueForSchema(schema: Schema, root: Schema, name: string, depth: number, budget: { valuesLeft: number }): unknown {
  if (depth > MAX_DEPTH || --budget.valuesLeft < 0) return null;
  const ref = typeof schema.$ref === 'string' ? resolveRef(schema.$ref, root) : undefined;
  if (ref) return valueForSchema(ref, root, name, depth + 1, budget);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const key of ['anyOf', 'oneOf'] as const) {
    const first = Array.isArray(schema[key])
      ? asSchema((schema[key] as unknown[]).find((s) => asSchema(s)?.type !== 'null') ?? (schema[key] as unknown[])[0])
      : undefined;
    if (first) return valueForSchema(first, root, name, depth + 1, budget);
  }
  if (Array.isArray(schema.allOf)) {
    const merged = Object.assign({}, ...schema.allOf.map((s) => asSchema(s) ?? {}), { allOf: undefined }) as Schema;
    return valueForSchema(merged, root, name, depth + 1, budget);
  }
  switch (typeOf(schema)) {
    case 'object': {
      const properties = asSchema(schema.properties) ?? {};
      return Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, valueForSchema(asSchema(value) ?? {}, root, key, depth + 1, budget)]));
    }
    case 'array': {
      const items = asSchema(schema.items) ?? {};
      const count = Math.min(MAX_ITEMS, Math.max(1, numberOr(schema.minItems, 1)));
      return Array.from({ length: Math.max(0, Math.min(count, numberOr(schema.maxItems, count))) }, () => valueForSchema(items, root, name, depth + 1, budget));
    }
    case 'integer':
      return Math.ceil(numberIn(schema));
    case 'number':
      return numberIn(schema);
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return stringFor(schema, name);
  }
}

/** The schema's type, lower-case; a list of types gives its first non-null one; no type with properties is an object. */
function typeOf(schema: Schema): string | undefined {
  const raw = Array.isArray(schema.type) ? schema.type.find((t) => String(t).toLowerCase() !== 'null') : schema.type;
  if (typeof raw === 'string') return raw.toLowerCase();
  if (schema.properties) return 'object';
  if (schema.items) return 'array';
  return undefined;
}

function numberIn(schema: Schema): number {
  const min = numberOr(schema.minimum, numberOr(schema.exclusiveMinimum, Number.NaN) + 1);
  const max = numberOr(schema.maximum, numberOr(schema.exclusiveMaximum, Number.NaN) - 1);
  if (Number.isFinite(min) && Number.isFinite(max)) return (min + max) / 2;
  if (Number.isFinite(min)) return min;
  if (Number.isFinite(max)) return Math.min(max, 1);
  return 1;
}

const numberOr = (value: unknown, fallback: number): number => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);

function stringFor(schema: Schema, name: string): string {
  switch (schema.format) {
    case 'date-time':
      return '2026-01-01T00:00:00Z';
    case 'date':
      return '2026-01-01';
    case 'uri':
    case 'url':
      return 'https://example.com/';
    case 'email':
      return 'sim@example.com';
    case 'uuid':
      return '00000000-0000-4000-8000-000000000000';
  }
  const text = `Simulated ${name}`;
  const min = numberOr(schema.minLength, 0);
  const max = numberOr(schema.maxLength, Infinity);
  return text.padEnd(min, '.').slice(0, max);
}

/** A local `#/…` JSON pointer; other references are not followed. */
function resolveRef(ref: string, root: Schema): Schema | undefined {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const token of ref.slice(1).split('/').filter(Boolean)) {
    const key = decodeURIComponent(token).replace(/~1/g, '/').replace(/~0/g, '~');
    node = asSchema(node)?.[key];
  }
  return asSchema(node);
}
