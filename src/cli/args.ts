import { parseArgs, type ParseArgsConfig } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { defaultDataDir } from '../core/config/defaults';
import { envNameOf, type ConfigSources } from '../core/config/load';

/** Options every subcommand accepts. */
export const commonOptions = {
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  /** Any config key: `--set upstream.hosts=http://a,http://b` (repeatable). */
  set: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options: { ...commonOptions, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Where the dashboard saves settings when no `--config FILE` is given; read at start when it exists. */
export const DATA_DIR_CONFIG_FILE = 'config.json';

/**
 * Config layers from the flags: `--port`, `--host`, `--data-dir`, `--set k=v`, and `--config FILE`
 * (else `<dataDir>/config.json`, when it exists).
 */
export function configSources(values: Record<string, unknown>): ConfigSources {
  const flags: Record<string, string> = {};
  for (const pair of (values.set as string[] | undefined) ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--set expects key=value, got "${pair}"`);
    flags[pair.slice(0, at)] = pair.slice(at + 1);
  }
  if (typeof values.port === 'string') flags.port = values.port;
  if (typeof values.host === 'string') flags.host = values.host;
  if (typeof values['data-dir'] === 'string') flags.dataDir = path.resolve(values['data-dir']);
  const dataDir = flags.dataDir ?? process.env[envNameOf('dataDir')] ?? defaultDataDir();
  const inDataDir = path.join(dataDir, DATA_DIR_CONFIG_FILE);
  const file = typeof values.config === 'string' ? path.resolve(values.config) : fs.existsSync(inDataDir) ? inDataDir : undefined;
  return { file, env: process.env, flags };
}
