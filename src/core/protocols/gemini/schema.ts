/**
 * Gemini's `Schema` (the OpenAPI subset of `parameters` / `responseSchema`)
 * as the JSON Schema the IR carries. The one real difference is the `type`
 * enum: Google spells it `OBJECT`, `STRING` … (the SDK's `Type` enum), JSON
 * Schema `object`, `string`. Everything else (`nullable`, `propertyOrdering`,
 * `format` …) is kept for the upstream cleaner (upstream-protocol §9) to judge.
 */
import type { JsonSchema } from '../../ir';
import { isPlainObject } from './fields';

export function geminiSchemaToJsonSchema(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'type' && typeof value === 'string') {
      if (value !== 'TYPE_UNSPECIFIED') out.type = value.toLowerCase();
    } else if (key === 'properties' && isPlainObject(value)) {
      out.properties = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, isPlainObject(sub) ? geminiSchemaToJsonSchema(sub) : sub]),
      );
    } else if (key === 'items' && isPlainObject(value)) {
      out.items = geminiSchemaToJsonSchema(value);
    } else if (key === 'anyOf' && Array.isArray(value)) {
      out.anyOf = value.map((sub) => (isPlainObject(sub) ? geminiSchemaToJsonSchema(sub) : sub));
    } else {
      out[key] = value;
    }
  }
  return out;
}
