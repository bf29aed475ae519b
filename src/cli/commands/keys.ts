import type { AdminClientKey } from '../../core/admin/types';
import { loadConfig } from '../../core/config/load';
import type { KeyLimits } from '../../core/security';
import { configSources, parse, UsageError } from '../args';
import { openDataDir, type DataDirSession } from '../data-dir-access';
import { l10n } from '../l10n';

/** Flag → limit field; every flag takes a positive integer. */
const LIMIT_FLAGS = {
  rpm: 'requestsPerMinute',
  rpd: 'requestsPerDay',
  tpm: 'tokensPerMinute',
  tpd: 'tokensPerDay',
  concurrency: 'maxConcurrent',
} as const satisfies Record<string, keyof KeyLimits>;

type LimitFlag = keyof typeof LIMIT_FLAGS;

function limitsFrom(values: Partial<Record<LimitFlag, string>>): KeyLimits {
  const limits: KeyLimits = {};
  for (const [flag, field] of Object.entries(LIMIT_FLAGS) as Array<[LimitFlag, keyof KeyLimits]>) {
    const raw = values[flag];
    if (raw === undefined) continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new UsageError(l10n.t('--{0} expects a positive integer, got "{1}"', flag, raw));
    limits[field] = value;
  }
  return limits;
}

function describe(key: AdminClientKey): string {
  const limits = Object.entries(LIMIT_FLAGS)
    .filter(([, field]) => key.limits?.[field] !== undefined)
    .map(([flag, field]) => `${flag} ${key.limits?.[field]}`)
    .join(', ');
  return [
    `${key.name}  [${key.id}]  ${key.hint}  ${l10n.t('created {0}', new Date(key.createdAt).toISOString())}`,
    `    ${l10n.t('models: {0}', key.allowedModels?.join(', ') ?? l10n.t('all'))}${limits ? `  ${l10n.t('limits: {0}', limits)}` : ''}`,
    `    ${l10n.t('today: {0} requests, {1} tokens', key.today.requests, key.today.tokens)}`,
  ].join('\n');
}

const listKeys = async (session: DataDirSession): Promise<AdminClientKey[]> => (await session.call('proxy')).keys;

async function find(session: DataDirSession, ref: string | undefined): Promise<AdminClientKey> {
  if (!ref) throw new UsageError(l10n.t('name the client key by name or id'));
  const key = (await listKeys(session)).find((candidate) => candidate.id === ref || candidate.name === ref);
  if (!key) throw new UsageError(l10n.t('no client key "{0}" (see "agate keys list")', ref));
  return key;
}

const shownOnce = (key: string) => `${key}\n\n${l10n.t('This is the only time the key is shown; store it now.')}\n`;

/**
 * `agate keys …`: the primary key and the client keys of the data dir —
 * through the gateway that serves it when one runs (the change applies at
 * once), else directly.
 */
export async function keysCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    models: { type: 'string' },
    rotate: { type: 'boolean' },
    rpm: { type: 'string' },
    rpd: { type: 'string' },
    tpm: { type: 'string' },
    tpd: { type: 'string' },
    concurrency: { type: 'string' },
  });
  const [action = 'list', ref, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(l10n.t('unexpected arguments: {0}', extra.join(' ')));
  if (!['list', 'create', 'rotate', 'revoke', 'primary'].includes(action)) throw new UsageError(l10n.t('unknown keys action "{0}"', action));
  if (action === 'create' && !ref) throw new UsageError(l10n.t('keys create needs a NAME'));
  const limits = limitsFrom(values);
  const config = loadConfig(configSources(values));
  const session = await openDataDir(config);
  try {
    switch (action) {
      case 'list': {
        const keys = await listKeys(session);
        process.stdout.write(keys.length ? keys.map(describe).join('\n') + '\n' : l10n.t('No client keys. Create one with "agate keys create NAME".') + '\n');
        return 0;
      }
      case 'create': {
        const allowedModels = values.models
          ?.split(',')
          .map((model) => model.trim())
          .filter(Boolean);
        const { id, key } = await session.call('createClientKey', {
          name: ref!,
          ...(allowedModels?.length ? { allowedModels } : {}),
          ...(Object.keys(limits).length ? { limits } : {}),
        });
        process.stdout.write(`${l10n.t('Created client key "{0}" [{1}]:', ref, id)}\n\n${shownOnce(key)}`);
        return 0;
      }
      case 'rotate': {
        const existing = await find(session, ref);
        const { key } = await session.call('rotateClientKey', { id: existing.id });
        process.stdout.write(`${l10n.t('New key for "{0}" [{1}]; the old one no longer works:', existing.name, existing.id)}\n\n${shownOnce(key)}`);
        return 0;
      }
      case 'revoke': {
        const existing = await find(session, ref);
        await session.call('revokeClientKey', { id: existing.id });
        process.stdout.write(`${l10n.t('Revoked "{0}" [{1}]', existing.name, existing.id)}\n`);
        return 0;
      }
      default: {
        // primary: with an owner running, a rotation is in force at once (the old key is refused from now on).
        const { key } = await session.call(values.rotate ? 'rotatePrimaryKey' : 'primaryKey');
        process.stdout.write(values.rotate ? `${l10n.t('New primary key (the old one no longer works):')}\n${key}\n` : `${key}\n`);
        return 0;
      }
    }
  } finally {
    await session.close();
  }
}
