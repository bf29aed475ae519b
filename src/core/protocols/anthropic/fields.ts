import { GatewayError } from '../../errors';

/**
 * Typed readers for an untrusted Anthropic request body. Every failure names
 * the field by its dotted path (`messages.2.content.0.type`) and uses the
 * wording of Anthropic's own validator, so clients see the errors they
 * already know how to read.
 */

export type JsonObject = Record<string, unknown>;

export function invalidField(path: string, message: string): GatewayError {
  return new GatewayError('invalid_request', `${path}: ${message}`, { param: path });
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function expectObject(value: unknown, path: string): JsonObject {
  if (value === undefined) throw invalidField(path, 'Field required');
  if (!isObject(value)) throw invalidField(path, 'Input should be a valid dictionary');
  return value;
}

export function optionalObject(value: unknown, path: string): JsonObject | undefined {
  return value === undefined || value === null ? undefined : expectObject(value, path);
}

export function expectArray(value: unknown, path: string): unknown[] {
  if (value === undefined) throw invalidField(path, 'Field required');
  if (!Array.isArray(value)) throw invalidField(path, 'Input should be a valid list');
  return value;
}

export function optionalArray(value: unknown, path: string): unknown[] | undefined {
  return value === undefined || value === null ? undefined : expectArray(value, path);
}

export function expectString(value: unknown, path: string): string {
  if (value === undefined) throw invalidField(path, 'Field required');
  if (typeof value !== 'string') throw invalidField(path, 'Input should be a valid string');
  return value;
}

export function expectNonEmptyString(value: unknown, path: string): string {
  const text = expectString(value, path);
  if (text.length === 0) throw invalidField(path, 'String should have at least 1 character');
  return text;
}

export function optionalString(value: unknown, path: string): string | undefined {
  return value === undefined || value === null ? undefined : expectString(value, path);
}

export function optionalBoolean(value: unknown, path: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidField(path, 'Input should be a valid boolean');
  return value;
}

export function optionalNumber(value: unknown, path: string, range: { min: number; max: number }): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidField(path, 'Input should be a valid number');
  if (value < range.min) throw invalidField(path, `Input should be greater than or equal to ${range.min}`);
  if (value > range.max) throw invalidField(path, `Input should be less than or equal to ${range.max}`);
  return value;
}

export function expectInteger(value: unknown, path: string, min: number): number {
  if (value === undefined) throw invalidField(path, 'Field required');
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidField(path, 'Input should be a valid integer');
  if (value < min) throw invalidField(path, `Input should be greater than or equal to ${min}`);
  return value;
}

export function optionalInteger(value: unknown, path: string, min: number): number | undefined {
  return value === undefined || value === null ? undefined : expectInteger(value, path, min);
}

/** `'a', 'b' or 'c'`, the way Anthropic's validator lists allowed literals. */
export function listLiterals(values: readonly string[]): string {
  const quoted = values.map((v) => `'${v}'`);
  return quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

export function expectLiteral<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  if (value === undefined) throw invalidField(path, 'Field required');
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalidField(path, `Input should be ${listLiterals(allowed)}`);
  }
  return value as T;
}
