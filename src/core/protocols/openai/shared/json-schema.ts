import type Ajv from 'ajv';
import { invalidRequest } from '../../../errors';
import type { JsonObject } from './read';

/**
 * Structural check of a client's JSON Schema (function `parameters`,
 * `response_format` / `text.format` schemas) against the JSON Schema
 * meta-schema, so that a typo (`"type": "strin"`, `"required": "a"`) is a
 * 400 naming the spot instead of a schema the upstream codec silently cleans
 * into something else. Unknown keywords stay allowed: the cleaner handles
 * them (upstream/cloudcode/schema.ts).
 */
let ajv: Ajv | undefined;
/** Made on the first schema to check: a gateway whose clients send none never loads ajv or the meta-schema. */
const checker = (): Ajv => (ajv ??= withMetaSchema());

/**
 * Draft-07's meta-schema without `uniqueItems` on `enum` and `type`: ajv
 * checks those pairwise, so one 50,000-value enum held the event loop for
 * 23 s. A repeated enum value or type restricts nothing the cleaner cares
 * about. (`required` keeps its check: its items are strings, checked in one pass.)
 */
function withMetaSchema(): Ajv {
  const { default: AjvClass } = require('ajv') as { default: typeof Ajv };
  const draft07 = require('ajv/dist/refs/json-schema-draft-07.json') as typeof import('ajv/dist/refs/json-schema-draft-07.json');
  const instance = new AjvClass({ strict: false, meta: false, defaultMeta: draft07.$id });
  const meta = structuredClone(draft07);
  delete (meta.properties.enum as { uniqueItems?: boolean }).uniqueItems;
  delete (meta.properties.type.anyOf[1] as { uniqueItems?: boolean }).uniqueItems;
  instance.addMetaSchema(meta);
  return instance;
}

/** `what`: the owner as OpenAI's messages name it (`function 'get_weather'`, `response_format 'city'`). */
export function assertValidJsonSchema(schema: JsonObject, param: string, what: string): void {
  // The dialect marker is not validated (draft-07 and 2020-12 agree on the structure checked here).
  const { $schema: _dialect, ...body } = schema;
  let valid: boolean;
  try {
    valid = checker().validateSchema(body) as boolean;
  } catch {
    // Nesting deep enough to exhaust the stack.
    throw invalidRequest(`Invalid schema for ${what}: the schema is nested too deeply.`, param);
  }
  if (valid) return;
  const [first] = checker().errors ?? [];
  const where = first?.instancePath ? `'${first.instancePath}'` : 'the schema root';
  const allowed = (first?.params as { allowedValues?: unknown[] } | undefined)?.allowedValues;
  const detail = `${first?.message ?? 'is not a valid JSON Schema'}${allowed ? ` (${allowed.join(', ')})` : ''}`;
  throw invalidRequest(`Invalid schema for ${what}: ${where} ${detail}.`, param);
}
