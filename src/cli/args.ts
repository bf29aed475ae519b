import { parseArgs, type ParseArgsConfig } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { defaultDataDir } from '../core/config/defaults';
import { envNameOf, type ConfigSources } from '../core/config/load';
import { l10n } from './l10n';

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

/** Node's parseArgs messages, in one line each. */
function usageMessage(err: Error & { code?: string }): string {
  const option = /'(-[^']*)'/.exec(err.message)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return l10n.t('unknown option {0}', option ?? err.message);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing/.test(err.message)
        ? l10n.t('option {0} needs a value', option?.split(' ')[0] ?? '')
        : l10n.t('option {0} takes no value', option ?? '');
    default:
      return err.message;
  }
}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options: { ...commonOptions, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(usageMessage(err as Error & { code?: string }));
  }
}

/** Options that take a value, wherever they stand: what `agate --data-dir X accounts list` moves after the command. */
const GLOBAL_VALUE_OPTIONS = new Set(['--data-dir', '--config', '--set', '--port', '--host', '--log-format']);
const GLOBAL_FLAGS = new Set(['--quiet']);

/**
 * `[--data-dir X] command args…` → `command args… --data-dir X`: options for
 * every command may come before its name. Stops at the first word that is
 * not such an option (or its value): that is the command.
 */
export function commandFirst(argv: string[]): string[] {
  const leading: string[] = [];
  let at = 0;
  while (at < argv.length) {
    const word = argv[at];
    const name = word.split('=')[0];
    if (GLOBAL_VALUE_OPTIONS.has(name)) {
      const takesNext = !word.includes('=');
      if (takesNext && at + 1 >= argv.length) throw new UsageError(l10n.t('option {0} needs a value', name));
      leading.push(...argv.slice(at, at + (takesNext ? 2 : 1)));
      at += takesNext ? 2 : 1;
    } else if (GLOBAL_FLAGS.has(word)) {
      leading.push(word);
      at++;
    } else {
      break;
    }
  }
  if (leading.length === 0) return argv;
  if (at >= argv.length) throw new UsageError(l10n.t('{0} needs a command after it, e.g. "{1}"', leading[0], `agate ${leading.join(' ')} accounts list`));
  return [argv[at], ...argv.slice(at + 1), ...leading];
}

/** Where the dashboard saves settings when no `--config FILE` is given; read at start when it exists. */
export const DATA_DIR_CONFIG_FILE = 'config.json';

/**
 * Config layers from the flags: `--port`, `--host`, `--data-dir`, `--set k=v`, and `--config FILE`
 * (else `<dataDir>/config.json`, when it exists).
 */
export function configSources(values: Record<string, unknown>): ConfigSources {
  const flags: Record<string, string> = {};
  // Messages name a setting the way the user typed it.
  const flagNames: Record<string, string> = {};
  for (const pair of (values.set as string[] | undefined) ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(l10n.t('--set expects key=value, got "{0}"', pair));
    flags[pair.slice(0, at)] = pair.slice(at + 1);
    flagNames[pair.slice(0, at)] = `--set ${pair.slice(0, at)}`;
  }
  const shorthand = (key: string, flag: string, value: unknown) => {
    if (typeof value !== 'string') return;
    flags[key] = key === 'dataDir' ? path.resolve(value) : value;
    flagNames[key] = flag;
  };
  shorthand('port', '--port', values.port);
  shorthand('host', '--host', values.host);
  shorthand('dataDir', '--data-dir', values['data-dir']);
  shorthand('store.redis.url', '--redis', values.redis);
  const dataDir = flags.dataDir ?? process.env[envNameOf('dataDir')] ?? defaultDataDir();
  const inDataDir = path.join(dataDir, DATA_DIR_CONFIG_FILE);
  const file = typeof values.config === 'string' ? path.resolve(values.config) : fs.existsSync(inDataDir) ? inDataDir : undefined;
  return { file, env: process.env, flags, flagNames };
}
