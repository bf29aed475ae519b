/**
 * Reading a Gemini REST body field by field, with Google-style 400s that name
 * the field at fault (`contents[0].parts[1].text`).
 *
 * Google's REST surface is proto3 JSON, which accepts both the lowerCamelCase
 * and the original snake_case field names (`inline_data`, `system_instruction`
 * in Google's own curl samples). `messageFields` folds one message level to
 * camelCase; it is applied only to proto messages, never to user data (function
 * args, responses, schemas, labels), whose keys must stay as sent.
 */
import { invalidRequest } from '../../errors';

export type Fields = Record<string, unknown>;

export const isPlainObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);

const camelCase = (key: string): string => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** One proto message's fields under their camelCase names (snake_case aliases folded in). */
export function messageFields(value: Fields): Fields {
  const out: Fields = {};
  for (const [key, field] of Object.entries(value)) out[camelCase(key)] = field;
  return out;
}

/** `contents[0].parts` from `contents[0]` and `parts`; indexes as `[i]`. */
export const fieldPath = (parent: string, child: string | number): string =>
  typeof child === 'number' ? `${parent}[${child}]` : parent === '' ? child : `${parent}.${child}`;

const describe = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

/** Google's wording for a value of the wrong JSON type: `Invalid value at 'x' (TYPE_STRING), 12`. */
export const invalidValue = (path: string, protoType: string, value: unknown) =>
  invalidRequest(`Invalid value at '${path}' (${protoType}), ${describe(value)}`, path);

/** Google's wording for a failed field constraint: `* GenerateContentRequest.<path>: <reason>`. */
export const invalidField = (path: string, reason: string) => invalidRequest(`* GenerateContentRequest.${path}: ${reason}`, path);

export function expectObject(value: unknown, path: string): Fields {
  if (!isPlainObject(value)) throw invalidValue(path, 'TYPE_MESSAGE', value);
  return messageFields(value);
}

/** A Struct-typed field (function args, responses, schemas): an object whose keys stay as sent. */
export function expectStruct(value: unknown, path: string): Fields {
  if (!isPlainObject(value)) throw invalidValue(path, 'TYPE_MESSAGE', value);
  return value;
}

export function expectArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw invalidValue(path, 'TYPE_LIST', value);
  return value;
}

export function expectString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw invalidValue(path, 'TYPE_STRING', value);
  return value;
}

export function expectBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw invalidValue(path, 'TYPE_BOOL', value);
  return value;
}

export function expectNumber(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidValue(path, 'TYPE_FLOAT', value);
  return value;
}

export function expectInteger(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidValue(path, 'TYPE_INT32', value);
  return value;
}

export function expectStringList(value: unknown, path: string): string[] {
  return expectArray(value, path).map((item, i) => expectString(item, fieldPath(path, i)));
}

/** The value of `key` when present (JSON null counts as absent, as in proto3 JSON), checked by `read`. */
export function optional<T>(fields: Fields, key: string, path: string, read: (value: unknown, path: string) => T): T | undefined {
  const value = fields[key];
  return value === undefined || value === null ? undefined : read(value, fieldPath(path, key));
}
