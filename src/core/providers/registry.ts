/**
 * The paid providers of the data dir: records in the `providers` document,
 * keys in the SecretStore. Adding one checks the key against the provider's
 * models endpoint (a rejected key is never stored) and takes its model list
 * from there unless the user lists the models.
 */
import { randomUUID } from 'node:crypto';
import { GatewayError } from '../errors';
import type { Clock, DocumentStore, Logger, SecretStore } from '../ports';
import type { MinimalFetch } from '../upstream/transport';
import { KeyRejectedError, ModelsEndpointError, fetchProviderModels } from './models-endpoint';
import { defaultPrice } from './prices';
import {
  DEFAULT_BASE_URLS,
  PROVIDER_KINDS,
  providerKeyName,
  type ModelPrice,
  type ProviderKind,
  type ProviderLimits,
  type ProviderRecord,
  type ProviderView,
} from './types';

export const PROVIDERS_DOCUMENT = 'providers';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;
/** Any id without spaces; Ollama ids carry ":" (`llama3.1:8b`), so `provider:model` splits at the first ":". */
const MODEL_ID = /^\S{1,200}$/;
const MAX_MODELS = 5_000;

export interface ProviderInput {
  name: string;
  kind: ProviderKind;
  key: string;
  baseUrl?: string;
  /** Listed models: used as given, the models endpoint is not asked for the list (the key is still checked when it has one). */
  models?: string[];
  priority?: number;
  enabled?: boolean;
  limits?: ProviderLimits;
  prices?: Record<string, ModelPrice>;
}

/** A change to a provider: any field it was added with but its kind. */
export type ProviderPatch = Partial<Omit<ProviderInput, 'kind'>>;

export type ProviderEvent = { type: 'updated'; provider: ProviderView } | { type: 'removed'; id: string };

export interface ProviderRegistryOptions {
  documents: DocumentStore;
  secrets: SecretStore;
  fetch: MinimalFetch;
  clock: Clock;
  logger: Logger;
}

const invalid = (message: string, param?: string) => new GatewayError('invalid_request', message, { param });

export function normalizeBaseUrl(kind: ProviderKind, value: string | undefined): string {
  const raw = value ?? DEFAULT_BASE_URLS[kind];
  if (!raw) throw invalid('an OpenAI-compatible provider needs a base URL (e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1)', 'baseUrl');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(`base URL "${raw}" is not a URL`, 'baseUrl');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid(`base URL "${raw}" must be http or https`, 'baseUrl');
  if (url.username || url.password) throw invalid('base URL must not carry credentials; the key is stored apart', 'baseUrl');
  if (url.search || url.hash) throw invalid('base URL must not carry a query or fragment', 'baseUrl');
  return url.toString().replace(/\/+$/, '');
}

function checkLimits(limits: ProviderLimits | undefined): ProviderLimits {
  const checked: ProviderLimits = {};
  for (const [name, value] of Object.entries(limits ?? {}) as Array<[keyof ProviderLimits, unknown]>) {
    if (!['requestsPerMinute', 'tokensPerDay', 'dailySpendCapUsd'].includes(name)) throw invalid(`unknown limit "${name}"`, `limits.${name}`);
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw invalid(`limits.${name} must be a positive number`, `limits.${name}`);
    if (name !== 'dailySpendCapUsd' && !Number.isInteger(value)) throw invalid(`limits.${name} must be a whole number`, `limits.${name}`);
    checked[name] = value;
  }
  return checked;
}

function checkPrices(prices: Record<string, ModelPrice> | undefined): Record<string, ModelPrice> {
  const checked: Record<string, ModelPrice> = {};
  for (const [model, price] of Object.entries(prices ?? {})) {
    if (!MODEL_ID.test(model)) throw invalid(`"${model}" is not a model id`, `prices.${model}`);
    const entry: ModelPrice = { input: 0, output: 0 };
    for (const field of ['input', 'output', 'cachedInput', 'cacheWrite'] as const) {
      const value = (price as unknown as Record<string, unknown>)[field];
      if (value === undefined && (field === 'cachedInput' || field === 'cacheWrite')) continue;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw invalid(`prices.${model}.${field} must be a number of US dollars per million tokens (0 or more)`, `prices.${model}.${field}`);
      }
      entry[field] = value;
    }
    for (const field of Object.keys(price)) {
      if (!['input', 'output', 'cachedInput', 'cacheWrite'].includes(field)) throw invalid(`unknown price field "${field}"`, `prices.${model}.${field}`);
    }
    checked[model] = entry;
  }
  return checked;
}

function checkModels(models: string[]): string[] {
  if (models.length > MAX_MODELS) throw invalid(`at most ${MAX_MODELS} models`, 'models');
  for (const model of models) if (!MODEL_ID.test(model)) throw invalid(`"${model}" is not a model id (no spaces)`, 'models');
  return [...new Set(models)];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A stored entry back into a record; undefined when it is too damaged to use. */
function readProvider(value: unknown): ProviderRecord | undefined {
  if (!isRecord(value)) return undefined;
  const { id, name, kind, baseUrl } = value;
  if (typeof id !== 'string' || typeof name !== 'string' || typeof baseUrl !== 'string') return undefined;
  if (!PROVIDER_KINDS.includes(kind as ProviderKind)) return undefined;
  try {
    return {
      id,
      name,
      kind: kind as ProviderKind,
      baseUrl,
      models: Array.isArray(value.models) ? value.models.filter((m): m is string => typeof m === 'string') : [],
      modelsSource: value.modelsSource === 'listed' ? 'listed' : 'fetched',
      priority: typeof value.priority === 'number' ? value.priority : 0,
      enabled: value.enabled !== false,
      limits: checkLimits(isRecord(value.limits) ? (value.limits as ProviderLimits) : {}),
      prices: checkPrices(isRecord(value.prices) ? (value.prices as Record<string, ModelPrice>) : {}),
      state: value.state === 'key_rejected' ? 'key_rejected' : 'active',
      ...(typeof value.stateReason === 'string' ? { stateReason: value.stateReason } : {}),
      keyHint: typeof value.keyHint === 'string' ? value.keyHint : '',
      addedAt: typeof value.addedAt === 'number' ? value.addedAt : 0,
    };
  } catch {
    return undefined;
  }
}

export function toProviderView(record: ProviderRecord): ProviderView {
  const effectivePrices: ProviderView['effectivePrices'] = {};
  for (const model of record.models) {
    const user = record.prices[model];
    const fallback = defaultPrice(model);
    if (user) effectivePrices[model] = { ...user, source: 'user' };
    else if (fallback) effectivePrices[model] = { ...fallback, source: 'default' };
  }
  for (const [model, price] of Object.entries(record.prices)) effectivePrices[model] ??= { ...price, source: 'user' };
  return { ...structuredClone(record), effectivePrices };
}

export class ProviderRegistry {
  private providers: ProviderRecord[] = [];
  private readonly listeners = new Set<(event: ProviderEvent) => void>();
  private writing: Promise<void> = Promise.resolve();

  private constructor(private readonly options: ProviderRegistryOptions) {}

  static async open(options: ProviderRegistryOptions): Promise<ProviderRegistry> {
    const registry = new ProviderRegistry(options);
    const document = await options.documents.read<unknown>(PROVIDERS_DOCUMENT);
    const entries = isRecord(document) && Array.isArray(document.providers) ? document.providers : [];
    for (const entry of entries) {
      const record = readProvider(entry);
      if (record) registry.providers.push(record);
      else options.logger.warn('skipping an unreadable stored provider entry');
    }
    return registry;
  }

  on(listener: (event: ProviderEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Records in priority order (then as added). */
  records(): readonly ProviderRecord[] {
    return [...this.providers].sort((a, b) => a.priority - b.priority || a.addedAt - b.addedAt);
  }

  list(): ProviderView[] {
    return this.records().map(toProviderView);
  }

  find(ref: string): ProviderRecord | undefined {
    return this.providers.find((p) => p.id === ref) ?? this.providers.find((p) => p.name.toLowerCase() === ref.toLowerCase());
  }

  private require(ref: string): ProviderRecord {
    const record = this.find(ref);
    if (!record) throw new GatewayError('not_found', `no provider "${ref}"`, { param: 'id' });
    return record;
  }

  async key(id: string): Promise<string | undefined> {
    return this.options.secrets.get(providerKeyName(id));
  }

  /** The models the key may use, checked against the provider; a rejected key is an invalid_request naming the provider's message. */
  private async probe(
    kind: ProviderKind,
    baseUrl: string,
    key: string,
    listed: string[] | undefined,
  ): Promise<{ models: string[]; source: 'fetched' | 'listed' }> {
    try {
      const fetched = await fetchProviderModels(this.options.fetch, kind, baseUrl, key);
      if (listed) return { models: listed, source: 'listed' };
      if (fetched.length === 0) throw invalid(`${baseUrl} lists no models; name them with "models"`, 'models');
      return { models: fetched, source: 'fetched' };
    } catch (err) {
      if (err instanceof KeyRejectedError) throw invalid(`key rejected by ${baseUrl}: ${err.message}`, 'key');
      if (err instanceof GatewayError) throw err;
      // No models endpoint (some OpenAI-compatible servers) or unreachable: listed models still make a provider.
      if (listed) return { models: listed, source: 'listed' };
      const reason =
        err instanceof ModelsEndpointError
          ? err.message
          : `${baseUrl} is unreachable (${err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err)})`;
      throw invalid(`cannot list the models: ${reason}; name them with "models"`, 'models');
    }
  }

  private checkName(name: string, except?: string): string {
    const trimmed = name.trim();
    if (!NAME.test(trimmed)) throw invalid('a provider name is 1-40 letters, digits, ".", "_" or "-", starting with a letter or digit', 'name');
    if (this.providers.some((p) => p.id !== except && p.name.toLowerCase() === trimmed.toLowerCase()))
      throw invalid(`a provider named "${trimmed}" exists`, 'name');
    return trimmed;
  }

  async add(input: ProviderInput): Promise<ProviderView> {
    if (!PROVIDER_KINDS.includes(input.kind)) throw invalid(`kind must be one of ${PROVIDER_KINDS.join(', ')}`, 'kind');
    const name = this.checkName(input.name);
    const key = input.key.trim();
    if (key === '' || /\s/.test(key)) throw invalid('the key must be one word with no spaces', 'key');
    const baseUrl = normalizeBaseUrl(input.kind, input.baseUrl);
    const limits = checkLimits(input.limits);
    const prices = checkPrices(input.prices);
    const listed = input.models ? checkModels(input.models) : undefined;
    const { models, source } = await this.probe(input.kind, baseUrl, key, listed);
    const record: ProviderRecord = {
      id: randomUUID().slice(0, 8),
      name,
      kind: input.kind,
      baseUrl,
      models,
      modelsSource: source,
      priority: input.priority ?? (this.providers.length ? Math.max(...this.providers.map((p) => p.priority)) + 1 : 0),
      enabled: input.enabled ?? true,
      limits,
      prices,
      state: 'active',
      keyHint: key.slice(-4),
      addedAt: this.options.clock.now(),
    };
    await this.options.secrets.set(providerKeyName(record.id), key);
    this.providers.push(record);
    await this.save();
    this.options.logger.info('provider added', { provider: name, kind: record.kind, models: models.length });
    return this.changed(record);
  }

  async update(ref: string, patch: ProviderPatch): Promise<ProviderView> {
    const record = this.require(ref);
    const next: ProviderRecord = structuredClone(record);
    if (patch.name !== undefined) next.name = this.checkName(patch.name, record.id);
    if (patch.baseUrl !== undefined) next.baseUrl = normalizeBaseUrl(record.kind, patch.baseUrl);
    if (patch.priority !== undefined) next.priority = patch.priority;
    if (patch.enabled !== undefined) next.enabled = patch.enabled;
    if (patch.limits !== undefined) next.limits = checkLimits(patch.limits);
    if (patch.prices !== undefined) next.prices = checkPrices(patch.prices);
    if (patch.models !== undefined) {
      next.models = checkModels(patch.models);
      next.modelsSource = 'listed';
    }
    const key = patch.key?.trim();
    if (key !== undefined && (key === '' || /\s/.test(key))) throw invalid('the key must be one word with no spaces', 'key');
    if (key !== undefined || patch.baseUrl !== undefined) {
      // A new key or address is checked before it replaces the old; the listed models stay listed.
      const probed = await this.probe(
        next.kind,
        next.baseUrl,
        key ?? (await this.key(record.id)) ?? '',
        next.modelsSource === 'listed' ? next.models : undefined,
      );
      next.models = probed.models;
      next.modelsSource = probed.source;
      next.state = 'active';
      delete next.stateReason;
    }
    if (key !== undefined) {
      await this.options.secrets.set(providerKeyName(record.id), key);
      next.keyHint = key.slice(-4);
    }
    Object.assign(record, next);
    if (!('stateReason' in next)) delete record.stateReason;
    await this.save();
    return this.changed(record);
  }

  /** Asks the provider for its models again (a provider whose models were listed keeps them). */
  async refreshModels(ref: string): Promise<ProviderView> {
    const record = this.require(ref);
    const key = (await this.key(record.id)) ?? '';
    const probed = await this.probe(record.kind, record.baseUrl, key, record.modelsSource === 'listed' ? record.models : undefined);
    record.models = probed.models;
    record.modelsSource = probed.source;
    record.state = 'active';
    delete record.stateReason;
    await this.save();
    return this.changed(record);
  }

  /** The provider answered 401/403: it is skipped until its key is replaced (or refreshed and accepted). */
  async markKeyRejected(id: string, message: string): Promise<void> {
    const record = this.providers.find((p) => p.id === id);
    if (!record) return;
    record.state = 'key_rejected';
    record.stateReason = message;
    await this.save();
    this.changed(record);
  }

  async remove(ref: string): Promise<void> {
    const record = this.require(ref);
    this.providers = this.providers.filter((p) => p.id !== record.id);
    await this.save();
    await this.options.secrets.delete(providerKeyName(record.id));
    for (const listener of this.listeners) listener({ type: 'removed', id: record.id });
  }

  private changed(record: ProviderRecord): ProviderView {
    const view = toProviderView(record);
    for (const listener of this.listeners) listener({ type: 'updated', provider: view });
    return view;
  }

  /** Writes in order; nothing secret is in the document. */
  private save(): Promise<void> {
    const document = { version: 1, providers: this.providers.map((p) => structuredClone(p)) };
    this.writing = this.writing.catch(() => undefined).then(() => this.options.documents.write(PROVIDERS_DOCUMENT, document));
    return this.writing;
  }
}
