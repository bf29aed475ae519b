import { invalidRequest } from '../../../errors';

/**
 * Typed readers for request fields. Each throws a 400 naming the exact
 * parameter (`messages[3].content[0].image_url`), worded like OpenAI's own
 * validation errors so SDK users recognise them. `null` counts as absent, as
 * the OpenAI API treats it: clients routinely send `"stop": null`.
 */

export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `messages` + 3 → `messages[3]`; `messages[3]` + `role` → `messages[3].role`. */
export const at = (param: string, key: string | number): string => (typeof key === 'number' ? `${param}[${key}]` : `${param}.${key}`);

const invalidType = (param: string, expected: string) => invalidRequest(`Invalid type for '${param}': expected ${expected}.`, param);

const missing = (param: string) => invalidRequest(`Missing required parameter: '${param}'.`, param);

export const isAbsent = (value: unknown): value is null | undefined => value === undefined || value === null;

export function requireObject(value: unknown, param: string): JsonObject {
  if (isAbsent(value)) throw missing(param);
  if (!isObject(value)) throw invalidType(param, 'an object');
  return value;
}

export function optionalObject(value: unknown, param: string): JsonObject | undefined {
  return isAbsent(value) ? undefined : requireObject(value, param);
}

export function requireArray(value: unknown, param: string): unknown[] {
  if (isAbsent(value)) throw missing(param);
  if (!Array.isArray(value)) throw invalidType(param, 'an array');
  return value;
}

export function optionalArray(value: unknown, param: string): unknown[] | undefined {
  return isAbsent(value) ? undefined : requireArray(value, param);
}

export function requireString(value: unknown, param: string): string {
  if (isAbsent(value)) throw missing(param);
  if (typeof value !== 'string') throw invalidType(param, 'a string');
  return value;
}

export function requireNonEmptyString(value: unknown, param: string): string {
  const text = requireString(value, param);
  if (text.length === 0) throw invalidRequest(`Invalid '${param}': empty string.`, param);
  return text;
}

export function optionalString(value: unknown, param: string): string | undefined {
  return isAbsent(value) ? undefined : requireString(value, param);
}

export function optionalBoolean(value: unknown, param: string): boolean | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'boolean') throw invalidType(param, 'a boolean');
  return value;
}

export interface NumberRange {
  min?: number;
  max?: number;
  integer?: boolean;
}

export function optionalNumber(value: unknown, param: string, range: NumberRange = {}): number | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidType(param, 'a number');
  if (range.integer && !Number.isInteger(value)) throw invalidType(param, 'an integer');
  if (range.min !== undefined && value < range.min) {
    throw invalidRequest(`Invalid '${param}': ${value} is less than the minimum of ${range.min}.`, param);
  }
  if (range.max !== undefined && value > range.max) {
    throw invalidRequest(`Invalid '${param}': ${value} is greater than the maximum of ${range.max}.`, param);
  }
  return value;
}

/** `stop`: a string or an array of strings. */
export function optionalStringList(value: unknown, param: string): string[] | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value === 'string') return [value];
  return requireArray(value, param).map((item, i) => requireString(item, at(param, i)));
}

export function unsupported(param: string, what: string): never {
  throw invalidRequest(`${what} is not supported by this gateway.`, param);
}

export { definedOnly } from '../../defined-only';
