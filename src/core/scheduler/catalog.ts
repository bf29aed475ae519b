import type { AccountRecord } from '../accounts/types';
import type { CatalogModel, ModelCatalog } from '../dispatch';
import { GatewayError } from '../errors';
import type { ModelInfo } from '../upstream/upstream';
import { liveModelsOf, resolveModel, type ModelRouting } from './model-router';

export interface ModelCatalogOptions {
  accounts: { snapshot(): ReadonlyArray<Readonly<AccountRecord>> };
  /** `models` of the GatewayConfig; read on every call. */
  routing: () => ModelRouting;
  /**
   * The enabled API-key providers' models as clients may name them (`provider:model`, and a plain id where the
   * policy sends it to a provider); read on every call.
   */
  providerModels?: () => CatalogModel[];
}

function modelEntry(info: ModelInfo): CatalogModel {
  const entry: CatalogModel = { id: info.id, displayName: info.displayName ?? info.id, kind: 'model' };
  if (info.maxTokens !== undefined) entry.inputTokenLimit = info.maxTokens;
  if (info.maxOutputTokens !== undefined) entry.outputTokenLimit = info.maxOutputTokens;
  if (info.supportsThinking !== undefined) entry.supportsThinking = info.supportsThinking;
  if (info.supportsImages !== undefined) entry.supportsImages = info.supportsImages;
  return entry;
}

/**
 * What clients see in `/v1/models` and `/v1beta/models`: the live models of
 * every account's quota data (upstream-protocol §4), the configured groups, and the
 * configured exact aliases that lead somewhere. Pattern aliases cannot be
 * listed, but `get` answers for any name they match.
 */
export function createModelCatalog(options: ModelCatalogOptions): ModelCatalog {
  function live(): Map<string, CatalogModel> {
    const models = new Map<string, CatalogModel>();
    const accounts = options.accounts.snapshot();
    const { ids } = liveModelsOf(accounts);
    for (const account of accounts) {
      for (const info of account.quota?.models ?? []) {
        if (ids.has(info.id) && !models.has(info.id)) models.set(info.id, modelEntry(info));
      }
    }
    return models;
  }

  function providerModels(): Map<string, CatalogModel> {
    return new Map((options.providerModels?.() ?? []).map((entry) => [entry.id, entry]));
  }

  /** An alias or group entry for `id`, or undefined when it leads nowhere. */
  function routed(id: string, models: Map<string, CatalogModel>, provided: Map<string, CatalogModel>): CatalogModel | undefined {
    const routing = options.routing();
    let targets: string[];
    try {
      const live = { ...liveModelsOf(options.accounts.snapshot()), external: (model: string) => provided.has(model) };
      targets = resolveModel(id, routing, live, () => 0).models;
    } catch (err) {
      if (err instanceof GatewayError && err.kind === 'not_found') return undefined;
      throw err;
    }
    const group = Object.hasOwn(routing.groups, id);
    const entry: CatalogModel = { ...(models.get(targets[0]) ?? provided.get(targets[0]) ?? { id }), id, displayName: id, kind: group ? 'group' : 'alias' };
    entry.target = group ? routing.groups[id].models : targets;
    return entry;
  }

  return {
    list() {
      const models = live();
      const provided = providerModels();
      const routing = options.routing();
      const names = new Set([...Object.keys(routing.groups), ...Object.keys(routing.aliases).filter((a) => !a.includes('*'))]);
      const extra = [...names]
        .filter((id) => !models.has(id) && !provided.has(id))
        .map((id) => routed(id, models, provided))
        .filter((entry): entry is CatalogModel => entry !== undefined);
      const byId = (a: CatalogModel, b: CatalogModel) => a.id.localeCompare(b.id);
      const providerOnly = [...provided.values()].filter((entry) => !models.has(entry.id)).sort(byId);
      return [...[...models.values()].sort(byId), ...providerOnly, ...extra];
    },

    get(id) {
      const models = live();
      const provided = providerModels();
      return models.get(id) ?? provided.get(id) ?? routed(id, models, provided);
    },
  };
}
