import type { Agate } from '../../core/agate';
import { loadConfig } from '../../core/config/load';
import type { ClientKeyView, KeyLimits } from '../../core/security';
import { configSources, parse, UsageError } from '../args';
import { createCliAgate } from '../host';

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
    if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${flag} expects a positive integer, got "${raw}"`);
    limits[field] = value;
  }
  return limits;
}

function describe(key: ClientKeyView): string {
  const limits = Object.entries(LIMIT_FLAGS)
    .filter(([, field]) => key.limits[field] !== undefined)
    .map(([flag, field]) => `${flag} ${key.limits[field]}`)
    .join(', ');
  return [
    `${key.name}  [${key.id}]  ${key.hint}  created ${new Date(key.createdAt).toISOString()}`,
    `    models: ${key.allowedModels?.join(', ') ?? 'all'}${limits ? `  limits: ${limits}` : ''}`,
    `    today: ${key.today.requests} requests, ${key.today.tokens} tokens`,
  ].join('\n');
}

async function find(agate: Agate, ref: string | undefined): Promise<ClientKeyView> {
  if (!ref) throw new UsageError('name the client key by name or id');
  const key = (await agate.security.keys.list()).find((candidate) => candidate.id === ref || candidate.name === ref);
  if (!key) throw new UsageError(`no client key "${ref}" (see "agate keys list")`);
  return key;
}

const shownOnce = (key: string) => `${key}\n\nThis is the only time the key is shown; store it now.\n`;

/** `agate keys …`: the primary key and the client keys of the data dir. A running gateway sees changes within seconds. */
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
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  const config = loadConfig(configSources(values));
  const agate = await createCliAgate(config);
  try {
    switch (action) {
      case 'list': {
        const keys = await agate.security.keys.list();
        process.stdout.write(keys.length ? keys.map(describe).join('\n') + '\n' : 'No client keys. Create one with "agate keys create NAME".\n');
        return 0;
      }
      case 'create': {
        if (!ref) throw new UsageError('keys create needs a NAME');
        const allowedModels = values.models?.split(',').map((model) => model.trim()).filter(Boolean);
        const { id, key } = await agate.security.keys.create({ name: ref, allowedModels, limits: limitsFrom(values) });
        process.stdout.write(`Created client key "${ref}" [${id}]:\n\n${shownOnce(key)}`);
        return 0;
      }
      case 'rotate': {
        const existing = await find(agate, ref);
        const { key } = await agate.security.keys.rotate(existing.id);
        process.stdout.write(`New key for "${existing.name}" [${existing.id}]; the old one no longer works:\n\n${shownOnce(key)}`);
        return 0;
      }
      case 'revoke': {
        const existing = await find(agate, ref);
        await agate.security.keys.revoke(existing.id);
        process.stdout.write(`Revoked "${existing.name}" [${existing.id}]\n`);
        return 0;
      }
      case 'primary': {
        const key = values.rotate ? await agate.security.rotatePrimaryKey() : await agate.security.primaryKey();
        process.stdout.write(values.rotate ? `New primary key (restart a running gateway to apply it):\n${key}\n` : `${key}\n`);
        return 0;
      }
      default:
        throw new UsageError(`unknown keys action "${action}"`);
    }
  } finally {
    await agate.close();
  }
}
