import type { ResponseFormat } from '../../ir';
import { expectLiteral, expectObject, optionalObject, type JsonObject } from './fields';

/**
 * Structured output: `output_config.format`, or the older top-level
 * `output_format` of the structured-outputs beta. Claude Code uses it for
 * session titles.
 */
export function decodeResponseFormat(body: JsonObject): ResponseFormat | undefined {
  const config = optionalObject(body.output_config, 'output_config');
  const [format, path] =
    config?.format !== undefined && config.format !== null ? [config.format, 'output_config.format'] : [body.output_format, 'output_format'];
  const declared = optionalObject(format, path);
  if (declared === undefined) return undefined;
  expectLiteral(declared.type, `${path}.type`, ['json_schema'] as const);
  return { type: 'json', schema: expectObject(declared.schema, `${path}.schema`) };
}
