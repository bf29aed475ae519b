import { nestsDeeperThan } from '../../json-depth';
import { EACH_ITEM, type JsonTextPath } from './schema';

/**
 * Undoing, on the function calls that come back, what the encoder had to do
 * to a tool's schema for the upstream to accept it: so the client receives
 * arguments that match the schema it declared.
 */
export interface ArgumentRepair {
  /** A property added only to satisfy Claude's VALIDATED mode (encode-tools.ts); removed. */
  placeholder?: string;
  /** Open values declared as JSON text (schema.ts); parsed back. */
  jsonTextPaths: readonly JsonTextPath[];
}

/** Tool name → its repair; tools that need none are absent. */
export type ArgumentRepairs = ReadonlyMap<string, ArgumentRepair>;

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Text the model wrote as JSON becomes that JSON; anything else stays as
 * written, and so does JSON nested deeper than a client request may be (the
 * encoders walk what comes back).
 */
function parseJsonText(value: unknown): unknown {
  if (typeof value !== 'string' || nestsDeeperThan(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function reviveAt(value: unknown, path: JsonTextPath, step: number): unknown {
  if (step === path.length) return parseJsonText(value);
  const segment = path[step];
  if (segment === EACH_ITEM) {
    if (Array.isArray(value)) value.forEach((item, i) => (value[i] = reviveAt(item, path, step + 1)));
  } else if (isRecord(value) && segment in value) {
    value[segment] = reviveAt(value[segment], path, step + 1);
  }
  return value;
}

/** Repairs the upstream's arguments in place (they are freshly parsed and ours) and returns them. */
export function repairArguments(args: Json, repair: ArgumentRepair): Json {
  if (repair.placeholder !== undefined) delete args[repair.placeholder];
  for (const path of repair.jsonTextPaths) reviveAt(args, path, 0);
  return args;
}
