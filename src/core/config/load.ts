import fs from 'node:fs';
import { coreMessage, englishOf, textMessage, type CoreMessage, type MessageParam } from '../messages';
import { defaultConfig } from './defaults';
import { configValidator } from './config-validator';
import type { GatewayConfig } from './types';

/**
 * Layered configuration: defaults < JSON config file < editor settings (typed
 * values) < `AGATE_*` environment < command-line flags. Each leaf key has one environment name, derived from
 * its path: `upstream.userAgent` → `AGATE_UPSTREAM_USER_AGENT`.
 */
export class ConfigError extends Error {
  constructor(
    /** What is wrong, for the host to word (`message` is its English). */
    readonly detail: CoreMessage,
    /** The dotted key at fault, when one is. */
    readonly key?: string,
  ) {
    super(englishOf(detail));
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

/** Shorter environment names beside the derived ones, for what a team's deployment sets (team mode, docs/team.md). */
export const ENV_ALIASES: Readonly<Record<string, string>> = {
  'store.redis.url': 'AGATE_REDIS_URL',
  'store.redis.secretKey': 'AGATE_REDIS_SECRET_KEY',
};

export const envNameOf = (path: string): string =>
  'AGATE_' +
  path
    .replace(/\./g, '_')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase();

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
function parseScalar(raw: string, template: Json | undefined, origin: MessageParam): Json {
  const fail = (code: 'config.expected.number' | 'config.expected.boolean') => new ConfigError(coreMessage(code, { origin, value: JSON.stringify(raw) }));
  if (typeof template === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw fail('config.expected.number');
    return n;
  }
  if (typeof template === 'boolean') {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw fail('config.expected.boolean');
  }
  if (Array.isArray(template)) {
    if (raw.trim().startsWith('[')) return parseJson(raw, origin);
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  if (isObject(template)) return parseJson(raw, origin);
  return raw;
}

function parseJson(raw: string, origin: MessageParam): Json {
  try {
    return JSON.parse(raw) as Json;
  } catch (err) {
    throw new ConfigError(coreMessage('config.invalidJson', { origin, detail: (err as Error).message }));
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
        ? coreMessage('config.file.missing', { file })
        : code === 'EACCES' || code === 'EPERM'
          ? coreMessage('config.file.denied', { file })
          : code === 'EISDIR'
            ? coreMessage('config.file.folder', { file })
            : coreMessage('config.file.unreadable', { file, detail: code ?? (err as Error).message });
    throw new ConfigError(why);
  }
  const parsed = parseJson(text, coreMessage('config.origin.file', { file }));
  if (!isObject(parsed)) throw new ConfigError(coreMessage('config.file.notObject', { file }));
  return parsed;
}

export function loadConfig(sources: ConfigSources = {}): GatewayConfig {
  return explainConfig(sources).config;
}

/** Where each setting's value comes from: `default`, or the layer that set it (file, variable, flag). */
export interface ExplainedConfig {
  config: GatewayConfig;
  originOf(key: string): string;
  /** The same, as a message for the host to word (`agate config`'s origin column). */
  originMessageOf(key: string): CoreMessage;
}

/** The configuration and, per dotted key, the layer its value comes from (`agate config`). */
export function explainConfig(sources: ConfigSources = {}): ExplainedConfig {
  const defaults = defaultConfig() as unknown as JsonObject;
  const leaves = leafPaths(defaults);
  const origins = new Map<string, MessageParam>();
  let merged = defaults;

  if (sources.file) {
    const fromFile = readConfigFile(sources.file);
    merged = deepMerge(merged, fromFile);
    for (const path of leafPaths(fromFile)) origins.set(path.split('.').slice(0, 2).join('.'), coreMessage('config.origin.file', { file: sources.file }));
  }
  for (const [path, value] of Object.entries(sources.settings?.values ?? {})) {
    const origin = sources.settings!.describe(path);
    if (!leaves.includes(path)) throw new ConfigError(coreMessage('config.setting.unknown', { origin }), path);
    setPath(merged, path, structuredClone(value) as Json);
    origins.set(path, origin);
  }
  const env = sources.env ?? {};
  for (const path of leaves) {
    // The derived name wins over a short alias when both are set.
    const name = [envNameOf(path), ENV_ALIASES[path]].find((candidate) => candidate !== undefined && env[candidate] !== undefined);
    if (name === undefined) continue;
    const raw = env[name]!;
    const origin = coreMessage('config.origin.env', { name });
    setPath(merged, path, parseScalar(raw, getPath(defaults, path), origin));
    origins.set(path, origin);
  }
  for (const [path, raw] of Object.entries(sources.flags ?? {})) {
    const origin = sources.flagNames?.[path] ?? coreMessage('config.origin.option', { key: path });
    if (!isConfigKey(path)) throw new ConfigError(coreMessage('config.flag.unknown', { origin, key: path }), path);
    // An entry of a map setting (`models.aliases.gpt-4o`) is set on its own, beside the map's other entries.
    const value = leaves.includes(path) ? parseScalar(raw, getPath(defaults, path), origin) : (parseConfigValue(path, raw) as Json);
    setPath(merged, path, value);
    origins.set(path, origin);
  }

  const config = validateConfig(merged, origins);
  const originMessageOf = (key: string): CoreMessage => {
    const origin = origins.get(key) ?? [...origins.entries()].find(([path]) => key.startsWith(path + '.') || path.startsWith(key + '.'))?.[1];
    if (origin === undefined) return coreMessage('config.origin.default');
    // A flag as the user typed it (`--port`), or a setting as its host named it.
    return typeof origin === 'object' ? (origin as CoreMessage) : textMessage(String(origin));
  };
  return { config, originOf: (key) => englishOf(originMessageOf(key)), originMessageOf };
}

/**
 * Checks a whole configuration against the schema (the dashboard's edits go
 * through here too). Throws ConfigError naming the first bad key and, when
 * known, the layer it came from.
 */
/** The broken rule in words the hosts translate (`must be <= 65535`); Ajv's own English for the rarer rules. */
function ruleMessage(error: { keyword: string; params?: Record<string, unknown>; message?: string }): CoreMessage {
  const params = error.params ?? {};
  switch (error.keyword) {
    case 'maximum':
    case 'minimum':
    case 'exclusiveMaximum':
    case 'exclusiveMinimum':
      return coreMessage('config.rule.limit', { comparison: String(params.comparison), limit: Number(params.limit) });
    case 'type':
      return coreMessage('config.rule.type', { type: String(params.type) });
    case 'minLength':
      return coreMessage('config.rule.minLength', { limit: Number(params.limit) });
    case 'maxLength':
      return coreMessage('config.rule.maxLength', { limit: Number(params.limit) });
    default:
      return textMessage(error.message ?? '');
  }
}

export function validateConfig(candidate: unknown, origins: ReadonlyMap<string, MessageParam> = new Map()): GatewayConfig {
  const validate = configValidator();
  if (!validate(candidate)) {
    const error = validate.errors![0];
    const key = [error.instancePath.slice(1).replace(/\//g, '.'), error.params && 'additionalProperty' in error.params ? error.params.additionalProperty : '']
      .filter(Boolean)
      .join('.');
    const origin = [...origins.entries()].find(([path]) => key === path || key.startsWith(path + '.'))?.[1];
    const allowed = (error.params as { allowedValues?: unknown[] } | undefined)?.allowedValues;
    const value = key ? getPath(candidate as JsonObject, key) : undefined;
    const shownKey = key || '(root)';
    const what =
      error.keyword === 'additionalProperties'
        ? coreMessage('config.invalid.unknownSetting', { key: shownKey })
        : allowed
          ? coreMessage('config.invalid.oneOf', { key: shownKey, allowed: allowed.join(', '), value: JSON.stringify(value) })
          : coreMessage('config.invalid.other', { key: shownKey, detail: ruleMessage(error) });
    throw new ConfigError(origin !== undefined ? coreMessage('config.fromOrigin', { error: what, origin }) : what, key || undefined);
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
  if (!isConfigKey(key)) throw new ConfigError(coreMessage('config.key.unknown', { key }), key);
  const isMapEntry = !leafPaths(defaultConfig() as unknown as JsonObject).includes(key);
  if (isMapEntry) return key.startsWith('models.groups.') ? parseJson(raw, coreMessage('config.origin.key', { key })) : raw;
  return parseScalar(raw, getPath(defaultConfig() as unknown as JsonObject, key), coreMessage('config.origin.key', { key }));
}

/** `base` with each dotted key of `changes` set (maps and lists replaced whole); `base` itself is left as it was. */
export function withChanges<T extends object>(base: T, changes: Readonly<Record<string, unknown>>): T {
  const copy = structuredClone(base) as unknown as JsonObject;
  for (const [key, value] of Object.entries(changes)) setPath(copy, key, value as Json);
  return copy as unknown as T;
}
