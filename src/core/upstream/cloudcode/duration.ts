/**
 * Protobuf duration strings as Google sends them (upstream-protocol §6): `"0.479s"`,
 * `"479.417207ms"`, `"1h2m3s"`, `"0s"` → milliseconds. Undefined when the
 * string is not a duration.
 */
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };

const COMPONENT = /(\d+(?:\.\d+)?|\.\d+)(ms|us|µs|ns|h|m|s)/g;
const WHOLE = /^(?:(?:\d+(?:\.\d+)?|\.\d+)(?:ms|us|µs|ns|h|m|s))+$/;

export function parseDurationMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!WHOLE.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(COMPONENT)) total += Number(amount) * UNIT_MS[unit];
  // Rounded up (past float noise): retrying a hair early only earns another 429.
  return Math.max(0, Math.ceil(total - 1e-6));
}
