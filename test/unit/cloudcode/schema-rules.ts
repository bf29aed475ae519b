import type { GeminiSchema } from '../../../src/core/upstream/cloudcode/schema';

/**
 * What the upstream accepts in a function declaration's schema (upstream-protocol §9,
 * and the strict reading the simulator enforces): a type on every node, at
 * least one property on every object, string-only enums, items on arrays.
 */
const ALLOWED_KEYWORDS = new Set(['type', 'title', 'description', 'nullable', 'format', 'enum', 'properties', 'required', 'items']);
const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object']);

/** Every way a cleaned schema could still be refused upstream, as readable paths. */
export function violations(schema: GeminiSchema, path = '$'): string[] {
  const found: string[] = [];
  for (const key of Object.keys(schema)) if (!ALLOWED_KEYWORDS.has(key)) found.push(`${path}.${key}`);
  if (schema.type === undefined || !TYPES.has(schema.type)) found.push(`${path}.type=${JSON.stringify(schema.type)}`);
  if (schema.type === 'object' && schema.properties === undefined) found.push(`${path} object without properties`);
  if (schema.type !== 'object' && (schema.properties !== undefined || schema.required !== undefined)) found.push(`${path}.properties on ${schema.type}`);
  if (schema.type !== 'array' && schema.items !== undefined) found.push(`${path}.items on ${schema.type}`);
  if (schema.format !== undefined && !['date-time', 'enum'].includes(schema.format)) found.push(`${path}.format`);
  if (schema.enum !== undefined) {
    if (schema.type !== undefined && schema.type !== 'string') found.push(`${path}.enum on ${schema.type}`);
    if (!schema.enum.every((v) => typeof v === 'string')) found.push(`${path}.enum values`);
  }
  if (schema.properties !== undefined) {
    if (Object.keys(schema.properties).length === 0) found.push(`${path}.properties empty`);
    for (const [name, sub] of Object.entries(schema.properties)) found.push(...violations(sub, `${path}.properties.${name}`));
  }
  for (const name of schema.required ?? []) {
    if (!schema.properties || !(name in schema.properties)) found.push(`${path}.required ${name}`);
  }
  if (schema.type === 'array' && schema.items === undefined) found.push(`${path}.items missing`);
  if (schema.items !== undefined) found.push(...violations(schema.items, `${path}.items`));
  return found;
}
