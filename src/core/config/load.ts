import fs from 'node:fs';
import Ajv from 'ajv';
import { defaultConfig } from './defaults';
import { configSchema } from './schema';
import type { GatewayConfig } from './types';

/**
 * Layered configuration: defaults < JSON config file < editor settings (typed
 * values) < `AGATE_*` environment < command-line flags. Each leaf key has one environment name, derived from
 * its path: `upstream.userAgent` → `AGATE_UPSTREAM_USER_AGENT`.
 */
export class ConfigError extends Error {
  constructor(
    message: string,
    /** The dotted key at fault, when one is. */
    readonly key?: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface ConfigSources {
  /** Path of a JSON config file; a missing file named explicitly is an error. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Flag values by dotted key, e.g. `{ port: '9000', 'upstream.hosts': 'http://a,http://b' }`. */
  flags?: Record<string, string>;
  /** How the user typed each flag (`--set scheduling.mode`, `--port`), for messages; default `option --<key>`. */
  flagNames?: Record<string, string>;
  /**
   * Values that arrive typed, by dotted key (the editor's settings): not parsed
   * from text, only checked with the rest. `describe` names a key's source in messages.
   */
  settings?: { values: Readonly<Record<string, unknown>>; describe(key: string): string };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Dotted leaf paths of the defaults; maps and arrays count as leaves. */
function leafPaths(value: JsonObject, prefix = ''): string[] {
  return Object.entries(value).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    const isMap = path === 'models.aliases' || path === 'models.groups' || path === 'models.providerPolicy';
    return isObject(child) && !isMap ? leafPaths(child, path) : [path];
  });
}

export const envNameOf = (path: string): string =>
  'AGATE_' + path.replace(/\./g, '_').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

function getPath(obj: JsonObject, path: string): Json | undefined {
  return path.split('.').reduce<Json | undefined>((node, key) => (isObject(node) ? node[key] : undefined), obj);
}

function setPath(obj: JsonObject, path: string, value: Json): void {
  const keys = path.split('.');
  let node = obj;
  for (const key of keys.slice(0, -1)) {
    if (!isObject(node[key])) node[key] = {};
    node = node[key] as JsonObject;
  }
  node[keys[keys.length - 1]] = value;
}

function deepMerge(base: JsonObject, over: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(over)) {
    out[key] = isObject(value) && isObject(base[key]) ? deepMerge(base[key] as JsonObject, value) : value;
  }
  return out;
}

/** Parses a string from the environment or a flag by the type of the key's default. */
function parseScalar(raw: string, template: Json | undefined, origin: string): Json {
  const fail = (what: string) => new ConfigError(`${origin}: expected ${what}, got ${JSON.stringify(raw)}`);
  if (typeof template === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw fail('a number');
    return n;
  }
  if (typeof template === 'boolean') {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw fail('true or false');
  }
  if (Array.isArray(template)) {
    if (raw.trim().startsWith('[')) return parseJson(raw, origin);
    return raw.split(',').map((s) => s.trim()).filter(Boolean);
  }
  if (isObject(template)) return parseJson(raw, origin);
  return raw;
}

function parseJson(raw: string, origin: string): Json {
  try {
    return JSON.parse(raw) as Json;
  } catch (err) {
    throw new ConfigError(`${origin}: invalid JSON (${(err as Error).message})`);
  }
}

export function readConfigFile(file: string): JsonObject {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES' || code === 'EPERM'
          ? 'cannot be read (permission denied)'
          : code === 'EISDIR'
            ? 'is a folder, not a file'
            : `cannot be read (${code ?? (err as Error).message})`;
    throw new ConfigError(`config file ${file} ${why}`);
  }
  const parsed = parseJson(text, `config file ${file}`);
  if (!isObject(parsed)) throw new ConfigError(`config file ${file}: the top level must be a JSON object`);
  return parsed;
}

// The schema is built by TypeBox (definition.ts), so it needs no meta-schema check at every start: without
// the meta-schema, start-up holds ≈ 4 MB less.
const ajv = new Ajv({ allErrors: false, strict: false, validateSchema: false, meta: false });
const validate = ajv.compile(configSchema);

export function loadConfig(sources: ConfigSources = {}): GatewayConfig {
  return explainConfig(sources).config;
}

/** Where each setting's value comes from: `default`, or the layer that set it (file, variable, flag). */
export interface ExplainedConfig {
  config: GatewayConfig;
  originOf(key: string): string;
}

/** The configuration and, per dotted key, the layer its value comes from (`agate config`). */
export function explainConfig(sources: ConfigSources = {}): ExplainedConfig {
  const defaults = defaultConfig() as unknown as JsonObject;
  const leaves = leafPaths(defaults);
  const origins = new Map<string, string>();
  let merged = defaults;

  if (sources.file) {
    const fromFile = readConfigFile(sources.file);
    merged = deepMerge(merged, fromFile);
    for (const path of leafPaths(fromFile)) origins.set(path.split('.').slice(0, 2).join('.'), `config file ${sources.file}`);
  }
  for (const [path, value] of Object.entries(sources.settings?.values ?? {})) {
    const origin = sources.settings!.describe(path);
    if (!leaves.includes(path)) throw new ConfigError(`${origin} is not a configuration key`, path);
    setPath(merged, path, structuredClone(value) as Json);
    origins.set(path, origin);
  }
  const env = sources.env ?? {};
  for (const path of leaves) {
    const raw = env[envNameOf(path)];
    if (raw === undefined) continue;
    const origin = `environment variable ${envNameOf(path)}`;
    setPath(merged, path, parseScalar(raw, getPath(defaults, path), origin));
    origins.set(path, origin);
  }
  for (const [path, raw] of Object.entries(sources.flags ?? {})) {
    const origin = sources.flagNames?.[path] ?? `option --${path}`;
    if (!isConfigKey(path)) throw new ConfigError(`${origin}: "${path}" is not a configuration key (see "agate config")`, path);
    // An entry of a map setting (`models.aliases.gpt-4o`) is set on its own, beside the map's other entries.
    const value = leaves.includes(path) ? parseScalar(raw, getPath(defaults, path), origin) : (parseConfigValue(path, raw) as Json);
    setPath(merged, path, value);
    origins.set(path, origin);
  }

  const config = validateConfig(merged, origins);
  const originOf = (key: string) =>
    origins.get(key) ?? [...origins.entries()].find(([path]) => key.startsWith(path + '.') || path.startsWith(key + '.'))?.[1] ?? 'default';
  return { config, originOf };
}

/**
 * Checks a whole configuration against the schema (the dashboard's edits go
 * through here too). Throws ConfigError naming the first bad key and, when
 * known, the layer it came from.
 */
export function validateConfig(candidate: unknown, origins: ReadonlyMap<string, string> = new Map()): GatewayConfig {
  if (!validate(candidate)) {
    const error = validate.errors![0];
    const key = [error.instancePath.slice(1).replace(/\//g, '.'), error.params && 'additionalProperty' in error.params ? error.params.additionalProperty : '']
      .filter(Boolean)
      .join('.');
    const origin = [...origins.entries()].find(([path]) => key === path || key.startsWith(path + '.'))?.[1];
    const allowed = (error.params as { allowedValues?: unknown[] } | undefined)?.allowedValues;
    const value = key ? getPath(candidate as JsonObject, key) : undefined;
    const what =
      error.keyword === 'additionalProperties'
        ? 'is not a known setting'
        : allowed
          ? `must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`
          : error.message;
    throw new ConfigError(`invalid configuration: "${key || '(root)'}" ${what}${origin ? ` (from ${origin})` : ''}`, key || undefined);
  }
  return candidate as unknown as GatewayConfig;
}

/** Whether `key` names a configuration setting (a leaf, or an entry inside a map setting such as `models.aliases.x`). */
export function isConfigKey(key: string): boolean {
  const leaves = leafPaths(defaultConfig() as unknown as JsonObject);
  return leaves.includes(key) || ['models.aliases.', 'models.groups.', 'models.providerPolicy.'].some((map) => key.startsWith(map) && key.length > map.length);
}

/** A setting's value from text, typed as its default is (`agate config set key=value`); throws ConfigError for an unknown key. */
export function parseConfigValue(key: string, raw: string): unknown {
  if (!isConfigKey(key)) throw new ConfigError(`unknown configuration key "${key}" (see "agate config")`, key);
  const isMapEntry = !leafPaths(defaultConfig() as unknown as JsonObject).includes(key);
  if (isMapEntry) return key.startsWith('models.groups.') ? parseJson(raw, `"${key}"`) : raw;
  return parseScalar(raw, getPath(defaultConfig() as unknown as JsonObject, key), `"${key}"`);
}

/** `base` with each dotted key of `changes` set (maps and lists replaced whole); `base` itself is left as it was. */
export function withChanges<T extends object>(base: T, changes: Readonly<Record<string, unknown>>): T {
  const copy = structuredClone(base) as unknown as JsonObject;
  for (const [key, value] of Object.entries(changes)) setPath(copy, key, value as Json);
  return copy as unknown as T;
}
