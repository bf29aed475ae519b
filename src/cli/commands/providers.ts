import fs from 'node:fs';
import { loadConfig } from '../../core/config/load';
import { PRICES_SOURCE, PROVIDER_KINDS, type ModelPrice, type ProviderKind, type ProviderLimits, type ProviderView } from '../../core/providers';
import { configSources, parse, UsageError } from '../args';
import { openDataDir, type DataDirSession } from '../data-dir-access';

const DEFAULT_KEY_VARIABLE = 'AGATE_PROVIDER_KEY';

function describe(provider: ProviderView): string {
  const state = !provider.enabled ? 'disabled' : provider.state === 'key_rejected' ? `key rejected (${provider.stateReason ?? 'no message'})` : 'active';
  const limits = [
    provider.limits.requestsPerMinute !== undefined ? `${provider.limits.requestsPerMinute} requests/min` : undefined,
    provider.limits.tokensPerDay !== undefined ? `${provider.limits.tokensPerDay} tokens/day` : undefined,
    provider.limits.dailySpendCapUsd !== undefined ? `$${provider.limits.dailySpendCapUsd}/day` : undefined,
  ].filter(Boolean);
  const models = provider.models.length > 8 ? `${provider.models.slice(0, 8).join(', ')} … (${provider.models.length})` : provider.models.join(', ');
  const lines = [`${provider.name}  [${provider.id}]  ${provider.kind}  ${provider.baseUrl}  key …${provider.keyHint}  priority ${provider.priority}  ${state}`];
  lines.push(`    models (${provider.modelsSource}): ${models || 'none'}`);
  if (limits.length > 0) lines.push(`    limits: ${limits.join(', ')}`);
  if (provider.today) {
    const { requests, tokens, spendUsd, unpricedTokens } = provider.today;
    lines.push(`    today (UTC): ${requests} requests, ${tokens} tokens, $${spendUsd.toFixed(4)}${unpricedTokens ? ` (${unpricedTokens} tokens unpriced)` : ''}`);
  }
  const priced = Object.entries(provider.effectivePrices).filter(([, price]) => price.source === 'user');
  if (priced.length > 0) lines.push(`    prices: ${priced.map(([model, p]) => `${model} $${p.input}/$${p.output}${p.cachedInput !== undefined ? `/$${p.cachedInput}` : ''}`).join(', ')}`);
  return lines.join('\n');
}

function positiveNumber(value: string | undefined, flag: string, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0 || (integer && !Number.isInteger(number))) {
    throw new UsageError(`${flag} must be a positive ${integer ? 'whole ' : ''}number, got "${value}"`);
  }
  return number;
}

/** `--price MODEL=IN/OUT[/CACHED]`, US dollars per million tokens. */
function parsePrices(values: string[] | undefined): Record<string, ModelPrice> | undefined {
  if (!values || values.length === 0) return undefined;
  const prices: Record<string, ModelPrice> = {};
  for (const value of values) {
    const match = /^([^=\s]+)=([\d.]+)\/([\d.]+)(?:\/([\d.]+))?$/.exec(value);
    if (!match) throw new UsageError(`--price expects MODEL=INPUT/OUTPUT[/CACHED] in US dollars per million tokens, got "${value}"`);
    prices[match[1]] = { input: Number(match[2]), output: Number(match[3]), ...(match[4] !== undefined ? { cachedInput: Number(match[4]) } : {}) };
  }
  return prices;
}

/** The key from stdin (`--key-stdin`) or an environment variable: never from the command line, where other users can read it. */
function readKey(values: { 'key-env'?: string; 'key-stdin'?: boolean }): string {
  if (values['key-stdin']) {
    const key = fs.readFileSync(0, 'utf8').trim();
    if (!key) throw new UsageError('--key-stdin read no key from standard input');
    return key;
  }
  const variable = values['key-env'] ?? DEFAULT_KEY_VARIABLE;
  const key = process.env[variable]?.trim();
  if (!key) throw new UsageError(`no key: set ${variable} (or name another variable with --key-env VAR), or pipe it in with --key-stdin`);
  return key;
}

async function find(session: DataDirSession, ref: string | undefined): Promise<ProviderView> {
  if (!ref) throw new UsageError('name the provider by name or id');
  const provider = (await session.call('providers')).find((p) => p.id === ref || p.name.toLowerCase() === ref.toLowerCase());
  if (!provider) throw new UsageError(`no provider "${ref}" (see "agate providers list")`);
  return provider;
}

/**
 * `agate providers …`: the API-key providers of the data dir — through the
 * gateway that serves it when one runs (the change applies at once), else directly.
 */
export async function providersCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    kind: { type: 'string' },
    'base-url': { type: 'string' },
    'key-env': { type: 'string' },
    'key-stdin': { type: 'boolean' },
    models: { type: 'string' },
    priority: { type: 'string' },
    rpm: { type: 'string' },
    'tokens-per-day': { type: 'string' },
    'daily-cap': { type: 'string' },
    price: { type: 'string', multiple: true },
    disabled: { type: 'boolean' },
  });
  const [action = 'list', ref, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  const known = ['list', 'add', 'set', 'remove', 'enable', 'disable', 'refresh'];
  if (!known.includes(action)) throw new UsageError(`unknown providers action "${action}" (one of ${known.join(', ')})`);
  const kind = values.kind;
  if (action === 'add') {
    if (!ref) throw new UsageError('providers add needs a NAME');
    if (!kind) throw new UsageError(`providers add needs --kind (${PROVIDER_KINDS.join(', ')})`);
    if (!PROVIDER_KINDS.includes(kind as ProviderKind)) throw new UsageError(`--kind must be one of ${PROVIDER_KINDS.join(', ')}, got "${kind}"`);
  } else if (kind !== undefined) {
    throw new UsageError('--kind applies to providers add only');
  }
  const limits: ProviderLimits = {};
  const rpm = positiveNumber(values.rpm, '--rpm', true);
  const tokensPerDay = positiveNumber(values['tokens-per-day'], '--tokens-per-day', true);
  const cap = positiveNumber(values['daily-cap'], '--daily-cap', false);
  if (rpm !== undefined) limits.requestsPerMinute = rpm;
  if (tokensPerDay !== undefined) limits.tokensPerDay = tokensPerDay;
  if (cap !== undefined) limits.dailySpendCapUsd = cap;
  const priority = values.priority === undefined ? undefined : Number(values.priority);
  if (priority !== undefined && !Number.isInteger(priority)) throw new UsageError(`--priority must be a whole number, got "${values.priority}"`);
  const models = values.models
    ?.split(',')
    .map((model) => model.trim())
    .filter(Boolean);
  const prices = parsePrices(values.price);
  const key = action === 'add' || (action === 'set' && (values['key-stdin'] || values['key-env'])) ? readKey(values) : undefined;

  const config = loadConfig(configSources(values));
  const session = await openDataDir(config);
  try {
    switch (action) {
      case 'list': {
        const providers = await session.call('providers');
        process.stdout.write(
          providers.length
            ? `${providers.map(describe).join('\n')}\nDefault prices: ${PRICES_SOURCE}.\n`
            : 'No providers. Add one with "AGATE_PROVIDER_KEY=… agate providers add NAME --kind anthropic".\n',
        );
        return 0;
      }
      case 'add': {
        const provider = await session.call('addProvider', {
          name: ref!,
          kind: kind as ProviderKind,
          key: key!,
          ...(values['base-url'] ? { baseUrl: values['base-url'] } : {}),
          ...(models ? { models } : {}),
          ...(priority !== undefined ? { priority } : {}),
          ...(values.disabled ? { enabled: false } : {}),
          ...(Object.keys(limits).length > 0 ? { limits } : {}),
          ...(prices ? { prices } : {}),
        });
        process.stdout.write(`Added ${describe(provider)}\n`);
        return 0;
      }
      case 'set': {
        const provider = await find(session, ref);
        const patch = {
          ...(key ? { key } : {}),
          ...(values['base-url'] ? { baseUrl: values['base-url'] } : {}),
          ...(models ? { models } : {}),
          ...(priority !== undefined ? { priority } : {}),
          ...(Object.keys(limits).length > 0 ? { limits: { ...provider.limits, ...limits } } : {}),
          ...(prices ? { prices: { ...provider.prices, ...prices } } : {}),
        };
        if (Object.keys(patch).length === 0) throw new UsageError('providers set changes nothing without --base-url, --models, --priority, --rpm, --tokens-per-day, --daily-cap, --price or a new key');
        process.stdout.write(`${describe(await session.call('updateProvider', { id: provider.id, ...patch }))}\n`);
        return 0;
      }
      case 'remove': {
        const provider = await find(session, ref);
        await session.call('providerAction', { id: provider.id, action: 'remove' });
        process.stdout.write(`Removed ${provider.name} (its key is deleted)\n`);
        return 0;
      }
      default: {
        const provider = await find(session, ref);
        const providerAction = action === 'refresh' ? 'refreshModels' : (action as 'enable' | 'disable');
        const providers = await session.call('providerAction', { id: provider.id, action: providerAction });
        process.stdout.write(`${describe(providers.find((p) => p.id === provider.id) ?? provider)}\n`);
        return 0;
      }
    }
  } finally {
    await session.close();
  }
}
