import type { AccountRecord } from '../accounts/types';
import type { CatalogModel, ModelCatalog } from '../dispatch';
import { GatewayError } from '../errors';
import type { ModelInfo } from '../upstream/upstream';
import { liveModelsOf, resolveModel, type ModelRouting } from './model-router';

export interface ModelCatalogOptions {
  accounts: { snapshot(): ReadonlyArray<Readonly<AccountRecord>> };
  /** `models` of the GatewayConfig; read on every call. */
  routing: () => ModelRouting;
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

  /** An alias or group entry for `id`, or undefined when it leads nowhere. */
  function routed(id: string, models: Map<string, CatalogModel>): CatalogModel | undefined {
    const routing = options.routing();
    let targets: string[];
    try {
      targets = resolveModel(id, routing, liveModelsOf(options.accounts.snapshot()), () => 0).models;
    } catch (err) {
      if (err instanceof GatewayError && err.kind === 'not_found') return undefined;
      throw err;
    }
    const group = Object.hasOwn(routing.groups, id);
    const entry: CatalogModel = { ...(models.get(targets[0]) ?? { id }), id, displayName: id, kind: group ? 'group' : 'alias' };
    entry.target = group ? routing.groups[id].models : targets;
    return entry;
  }

  return {
    list() {
      const models = live();
      const routing = options.routing();
      const names = new Set([...Object.keys(routing.groups), ...Object.keys(routing.aliases).filter((a) => !a.includes('*'))]);
      const extra = [...names]
        .filter((id) => !models.has(id))
        .map((id) => routed(id, models))
        .filter((entry): entry is CatalogModel => entry !== undefined);
      return [...[...models.values()].sort((a, b) => a.id.localeCompare(b.id)), ...extra];
    },

    get(id) {
      const models = live();
      return models.get(id) ?? routed(id, models);
    },
  };
}
