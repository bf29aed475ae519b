import fs from 'node:fs';
import { loadConfig } from '../../core/config/load';
import { PROVIDER_KINDS, type ModelPrice, type ProviderKind, type ProviderLimits, type ProviderView } from '../../core/providers';
import { configSources, parse, UsageError } from '../args';
import { PRICES_SOURCE_MESSAGE } from '../../core/providers/prices';
import { openDataDir, type DataDirSession } from '../data-dir-access';
import { l10n } from '../l10n';

const DEFAULT_KEY_VARIABLE = 'AGATE_PROVIDER_KEY';

/** Where a provider's model list comes from (`ProviderView.modelsSource`), in words. */
const modelsSourceText = (source: ProviderView['modelsSource']): string => (source === 'fetched' ? l10n.t('fetched') : l10n.t('listed'));

function describe(provider: ProviderView): string {
  const state = !provider.enabled
    ? l10n.t('disabled')
    : provider.state === 'key_rejected'
      ? l10n.t('key rejected ({0})', provider.stateReason ?? l10n.t('no message'))
      : l10n.t('active');
  const limits = [
    provider.limits.requestsPerMinute !== undefined ? l10n.t('{0} requests/min', provider.limits.requestsPerMinute) : undefined,
    provider.limits.tokensPerDay !== undefined ? l10n.t('{0} tokens/day', provider.limits.tokensPerDay) : undefined,
    provider.limits.dailySpendCapUsd !== undefined ? l10n.t('${0}/day', provider.limits.dailySpendCapUsd) : undefined,
  ].filter(Boolean);
  const models = provider.models.length > 8 ? `${provider.models.slice(0, 8).join(', ')} … (${provider.models.length})` : provider.models.join(', ');
  const lines = [
    `${provider.name}  [${provider.id}]  ${provider.kind}  ${provider.baseUrl}  ${l10n.t('key …{0}', provider.keyHint)}  ${l10n.t('priority {0}', provider.priority)}  ${state}`,
  ];
  lines.push(`    ${l10n.t('models ({0}): {1}', modelsSourceText(provider.modelsSource), models || l10n.t('none'))}`);
  if (limits.length > 0) lines.push(`    ${l10n.t('limits: {0}', limits.join(', '))}`);
  if (provider.today) {
    const { requests, tokens, spendUsd, unpricedTokens } = provider.today;
    const unpriced = unpricedTokens ? l10n.t(' ({0} tokens unpriced)', unpricedTokens) : '';
    lines.push(`    ${l10n.t('today (UTC): {0} requests, {1} tokens, ${2}{3}', requests, tokens, spendUsd.toFixed(4), unpriced)}`);
  }
  const priced = Object.entries(provider.effectivePrices).filter(([, price]) => price.source === 'user');
  if (priced.length > 0)
    lines.push(
      `    ${l10n.t('prices: {0}', priced.map(([model, p]) => `${model} $${p.input}/$${p.output}${p.cachedInput !== undefined ? `/$${p.cachedInput}` : ''}`).join(', '))}`,
    );
  return lines.join('\n');
}

function positiveNumber(value: string | undefined, flag: string, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0 || (integer && !Number.isInteger(number))) {
    throw new UsageError(
      integer ? l10n.t('{0} must be a positive whole number, got "{1}"', flag, value) : l10n.t('{0} must be a positive number, got "{1}"', flag, value),
    );
  }
  return number;
}

/** `--price MODEL=IN/OUT[/CACHED]`, US dollars per million tokens. */
function parsePrices(values: string[] | undefined): Record<string, ModelPrice> | undefined {
  if (!values || values.length === 0) return undefined;
  const prices: Record<string, ModelPrice> = {};
  for (const value of values) {
    const match = /^([^=\s]+)=([\d.]+)\/([\d.]+)(?:\/([\d.]+))?$/.exec(value);
    if (!match) throw new UsageError(l10n.t('--price expects MODEL=INPUT/OUTPUT[/CACHED] in US dollars per million tokens, got "{0}"', value));
    prices[match[1]] = { input: Number(match[2]), output: Number(match[3]), ...(match[4] !== undefined ? { cachedInput: Number(match[4]) } : {}) };
  }
  return prices;
}

/** The key from stdin (`--key-stdin`) or an environment variable: never from the command line, where other users can read it. */
function readKey(values: { 'key-env'?: string; 'key-stdin'?: boolean }): string {
  if (values['key-stdin']) {
    const key = fs.readFileSync(0, 'utf8').trim();
    if (!key) throw new UsageError(l10n.t('--key-stdin read no key from standard input'));
    return key;
  }
  const variable = values['key-env'] ?? DEFAULT_KEY_VARIABLE;
  const key = process.env[variable]?.trim();
  if (!key) throw new UsageError(l10n.t('no key: set {0} (or name another variable with --key-env VAR), or pipe it in with --key-stdin', variable));
  return key;
}

async function find(session: DataDirSession, ref: string | undefined): Promise<ProviderView> {
  if (!ref) throw new UsageError(l10n.t('name the provider by name or id'));
  const provider = (await session.call('providers')).find((p) => p.id === ref || p.name.toLowerCase() === ref.toLowerCase());
  if (!provider) throw new UsageError(l10n.t('no provider "{0}" (see "agate providers list")', ref));
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
  if (extra.length > 0) throw new UsageError(l10n.t('unexpected arguments: {0}', extra.join(' ')));
  const known = ['list', 'add', 'set', 'remove', 'enable', 'disable', 'refresh'];
  if (!known.includes(action)) throw new UsageError(l10n.t('unknown providers action "{0}" (one of {1})', action, known.join(', ')));
  const kind = values.kind;
  if (action === 'add') {
    if (!ref) throw new UsageError(l10n.t('providers add needs a NAME'));
    if (!kind) throw new UsageError(l10n.t('providers add needs --kind ({0})', PROVIDER_KINDS.join(', ')));
    if (!PROVIDER_KINDS.includes(kind as ProviderKind)) throw new UsageError(l10n.t('--kind must be one of {0}, got "{1}"', PROVIDER_KINDS.join(', '), kind));
  } else if (kind !== undefined) {
    throw new UsageError(l10n.t('--kind applies to providers add only'));
  }
  const limits: ProviderLimits = {};
  const rpm = positiveNumber(values.rpm, '--rpm', true);
  const tokensPerDay = positiveNumber(values['tokens-per-day'], '--tokens-per-day', true);
  const cap = positiveNumber(values['daily-cap'], '--daily-cap', false);
  if (rpm !== undefined) limits.requestsPerMinute = rpm;
  if (tokensPerDay !== undefined) limits.tokensPerDay = tokensPerDay;
  if (cap !== undefined) limits.dailySpendCapUsd = cap;
  const priority = values.priority === undefined ? undefined : Number(values.priority);
  if (priority !== undefined && !Number.isInteger(priority))
    throw new UsageError(l10n.t('--priority must be a whole number, got "{0}"', values.priority ?? ''));
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
            ? `${providers.map(describe).join('\n')}\n${l10n.t('Default prices: {0}.', l10n.message(PRICES_SOURCE_MESSAGE))}\n`
            : `${l10n.t('No providers. Add one with "AGATE_PROVIDER_KEY=… agate providers add NAME --kind anthropic".')}\n`,
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
        process.stdout.write(`${l10n.t('Added {0}', describe(provider))}\n`);
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
        if (Object.keys(patch).length === 0)
          throw new UsageError(
            l10n.t('providers set changes nothing without --base-url, --models, --priority, --rpm, --tokens-per-day, --daily-cap, --price or a new key'),
          );
        process.stdout.write(`${describe(await session.call('updateProvider', { id: provider.id, ...patch }))}\n`);
        return 0;
      }
      case 'remove': {
        const provider = await find(session, ref);
        await session.call('providerAction', { id: provider.id, action: 'remove' });
        process.stdout.write(`${l10n.t('Removed {0} (its key is deleted)', provider.name)}\n`);
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
