/**
 * Gemini's `Schema` (the OpenAPI subset of `parameters` / `responseSchema`)
 * as the JSON Schema the IR carries. The one real difference is the `type`
 * enum: Google spells it `OBJECT`, `STRING` … (the SDK's `Type` enum), JSON
 * Schema `object`, `string`. Everything else (`nullable`, `propertyOrdering`,
 * `format` …) is kept for the upstream cleaner (upstream-protocol §9) to judge.
 */
import { invalidRequest } from '../../errors';
import type { JsonSchema } from '../../ir';
import { MAX_JSON_DEPTH } from '../../json-depth';
import { isPlainObject } from './fields';

/** `path`: where the schema sits in the request, for the error of a schema nested past the JSON budget. */
export function geminiSchemaToJsonSchema(schema: JsonSchema, path: string, depth = 0): JsonSchema {
  if (depth > MAX_JSON_DEPTH) throw invalidRequest(`The schema at '${path}' nests more than ${MAX_JSON_DEPTH} levels deep.`, path);
  const convert = (sub: JsonSchema) => geminiSchemaToJsonSchema(sub, path, depth + 1);
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'type' && typeof value === 'string') {
      if (value !== 'TYPE_UNSPECIFIED') out.type = value.toLowerCase();
    } else if (key === 'properties' && isPlainObject(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, isPlainObject(sub) ? convert(sub) : sub]));
    } else if (key === 'items' && isPlainObject(value)) {
      out.items = convert(value);
    } else if (key === 'anyOf' && Array.isArray(value)) {
      out.anyOf = value.map((sub) => (isPlainObject(sub) ? convert(sub) : sub));
    } else {
      out[key] = value;
    }
  }
  return out;
}
