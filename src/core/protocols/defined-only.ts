/**
 * The object without its undefined members, so a decoded request holds only what the client set. A plain loop:
 * no entry arrays on the hot path.
 */
export function definedOnly<T extends object>(value: T): T {
  const defined: Record<string, unknown> = {};
  for (const key in value) if (value[key] !== undefined) defined[key] = value[key];
  return defined as T;
}
