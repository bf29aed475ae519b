import { explainConfig, loadConfig, parseConfigValue, validateConfig, withChanges } from '../../core/config/load';
import { configSources, parse, UsageError } from '../args';
import { openDataDir } from '../data-dir-access';
import { l10n } from '../l10n';
import { settingsFileOf } from './run';
import { describeRedisUrl } from '../../core/team';

/** `agate config set key=value …`: through the gateway that serves the data dir (live where the core allows), else into the file. */
async function setCommand(values: Record<string, unknown>, pairs: string[]): Promise<number> {
  if (pairs.length === 0) throw new UsageError(l10n.t('config set needs key=value (e.g. scheduling.mode=balance)'));
  const changes: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(l10n.t('config set expects key=value, got "{0}"', pair));
    const key = pair.slice(0, at);
    if (key === 'dataDir') throw new UsageError(l10n.t('dataDir is not kept in the configuration file: pass --data-dir'));
    changes[key] = parseConfigValue(key, pair.slice(at + 1));
  }
  const sources = configSources(values);
  const config = loadConfig(sources);
  // Checked here first (the gateway checks again): a bad value is refused in the user's language, by the core's message.
  validateConfig(withChanges(config, changes));
  const session = await openDataDir(config, { settings: settingsFileOf(sources, config) });
  try {
    const result = await session.call('updateConfig', { changes });
    for (const key of Object.keys(changes)) {
      const when = result.overridden.includes(key)
        ? l10n.t('saved, but a command-line flag or an AGATE_* variable overrides it')
        : !session.owner
          ? l10n.t('saved')
          : result.restartRequired.includes(key)
            ? l10n.t('saved; applies when the gateway starts again')
            : l10n.t('saved and in force');
      process.stdout.write(`${key}: ${when}\n`);
    }
    return 0;
  } finally {
    await session.close();
  }
}

/** Prints the effective configuration (the OAuth client secret masked), or changes it (`config set`). */
export async function configCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { port: { type: 'string' }, host: { type: 'string' }, json: { type: 'boolean' } });
  const [action, ...rest] = positionals;
  if (action === 'set') return setCommand(values, rest);
  if (action !== undefined) throw new UsageError(l10n.t('unknown config action "{0}" (config, or config set key=value)', action));
  const sources = configSources(values);
  const { config, originMessageOf } = explainConfig(sources);
  const redis = config.store.redis;
  const shown = {
    ...config,
    oauth: { ...config.oauth, clientSecret: config.oauth.clientSecret ? '(set)' : '' },
    // The team secret never prints; the Redis URL prints without its password.
    store: { redis: { ...redis, url: redis.url && describeRedisUrl(redis.url), secretKey: redis.secretKey ? '(set)' : '' } },
  };
  if (values.json) {
    process.stdout.write(JSON.stringify(shown, null, 2) + '\n');
    return 0;
  }
  // The origin column in the user's language (default, config file, environment variable, flag as typed).
  process.stdout.write(explained(shown as unknown as Record<string, unknown>, (key) => l10n.message(originMessageOf(key)), sources.file));
  return 0;
}

/** The settings that are maps or lists print whole, as JSON. */
const WHOLE = new Set(['models.aliases', 'models.groups']);

/** `key  value  origin`, one line per setting: where each value comes from (default, file, variable, flag). */
function explained(config: Record<string, unknown>, originOf: (key: string) => string, file: string | undefined): string {
  const rows: Array<[string, string, string]> = [];
  const walk = (node: Record<string, unknown>, prefix: string) => {
    for (const [name, value] of Object.entries(node)) {
      const key = prefix ? `${prefix}.${name}` : name;
      if (value !== null && typeof value === 'object' && !Array.isArray(value) && !WHOLE.has(key)) walk(value as Record<string, unknown>, key);
      else rows.push([key, typeof value === 'string' ? value : JSON.stringify(value), originOf(key)]);
    }
  };
  walk(config, '');
  const keyWidth = Math.max(...rows.map(([key]) => key.length));
  const valueWidth = Math.min(48, Math.max(...rows.map(([, value]) => value.length)));
  const header =
    l10n.t(
      'Effective configuration (defaults < {0} < AGATE_* environment < flags); "agate config --json" prints it as JSON.',
      file ? l10n.t('config file {0}', file) : l10n.t('config file (none)'),
    ) + '\n';
  return header + rows.map(([key, value, origin]) => `${key.padEnd(keyWidth)}  ${value.padEnd(valueWidth)}  ${origin}`).join('\n') + '\n';
}
