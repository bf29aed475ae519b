import { invalidRequest } from '../../../errors';
import type { ResponseFormat } from '../../../ir';
import { assertValidJsonSchema } from './json-schema';
import { at, type JsonObject, optionalObject, optionalString, requireString } from './read';

/**
 * Structured output, as Chat `response_format` and Responses `text.format`
 * express it. Chat nests the schema fields under `json_schema`, Responses
 * keeps them beside `type`: `schemaFields`/`schemaParam` point at them.
 */
export function responseFormatFrom(format: JsonObject, param: string, schemaFields: (format: JsonObject) => unknown, schemaParam: string): ResponseFormat {
  const type = requireString(format.type, at(param, 'type'));
  switch (type) {
    case 'text':
      return { type: 'text' };
    case 'json_object':
      return { type: 'json' };
    case 'json_schema': {
      const fields = optionalObject(schemaFields(format), schemaParam);
      if (!fields) throw invalidRequest(`Missing required parameter: '${schemaParam}'.`, schemaParam);
      const result: ResponseFormat = { type: 'json' };
      const name = optionalString(fields.name, at(schemaParam, 'name'));
      if (name !== undefined) result.name = name;
      const schema = optionalObject(fields.schema, at(schemaParam, 'schema'));
      if (schema !== undefined) {
        assertValidJsonSchema(schema, at(schemaParam, 'schema'), `${param} '${name ?? 'schema'}'`);
        result.schema = schema;
      }
      return result;
    }
    default:
      throw invalidRequest(`Invalid value for '${at(param, 'type')}': expected 'text', 'json_object' or 'json_schema', got '${type}'.`, at(param, 'type'));
  }
}
