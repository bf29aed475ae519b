import { loadConfig } from '../../core/config/load';
import { silentLogger, systemClock } from '../../core/ports';
import { createTeamConnection, listInstances } from '../../core/team';
import { configSources, parse, UsageError } from '../args';
import { l10n, padDisplay } from '../l10n';

/**
 * `agate team status`: the instances sharing this configuration's Redis (`store.redis.url`, `--redis URL`),
 * read from their heartbeats; needs no running gateway here.
 */
export async function teamCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { redis: { type: 'string' }, json: { type: 'boolean' } });
  const [action = 'status', ...rest] = positionals;
  if (action !== 'status' || rest.length > 0) throw new UsageError(l10n.t('unknown team action "{0}" (status)', positionals.join(' ')));
  const config = loadConfig(configSources(values));
  const { url, keyPrefix } = config.store.redis;
  if (!url) throw new UsageError(l10n.t('no team Redis configured: set store.redis.url (or AGATE_REDIS_URL, or --redis URL)'));
  const connection = createTeamConnection({ url, keyPrefix, logger: silentLogger });
  try {
    if (!(await connection.ready(5_000))) {
      process.stderr.write(l10n.t('team Redis {0} is not reachable', connection.describedUrl) + '\n');
      return 1;
    }
    const instances = await listInstances(connection);
    if (values.json) {
      process.stdout.write(JSON.stringify({ redis: connection.describedUrl, instances }, null, 2) + '\n');
      return 0;
    }
    process.stdout.write(l10n.t('{0} instances share {1}', instances.length, connection.describedUrl) + '\n');
    const now = systemClock.now();
    const rows = instances.map((instance) => [
      instance.id,
      `${instance.host}:${instance.pid}`,
      instance.version,
      instance.url ?? '-',
      l10n.t('{0} s ago', Math.max(0, Math.round((now - instance.lastSeen) / 1000))),
    ]);
    const header = [l10n.t('Instance'), l10n.t('Host'), l10n.t('Version'), l10n.t('URL'), l10n.t('Last heartbeat')];
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)) + 2);
    for (const row of [header, ...rows])
      process.stdout.write(
        row
          .map((cell, column) => padDisplay(cell, widths[column]))
          .join('')
          .trimEnd() + '\n',
      );
    return 0;
  } finally {
    await connection.close();
  }
}
