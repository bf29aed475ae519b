import type { AccountRecord } from '../accounts/types';
import type { ModelGroup } from '../config/types';
import { GatewayError } from '../errors';
import { DEFAULT_MODEL_ALIASES } from './default-aliases';
import { shuffled } from '../shuffled';

/**
 * Client model name → the upstream models to try, in order: config aliases
 * (exact ids and `*` patterns), model groups, live ids, deprecated ids
 * (upstream-protocol §4), then the built-in aliases.
 */

export interface ModelRouting {
  aliases: Record<string, string>;
  groups: Record<string, ModelGroup>;
}

/** What the accounts' quota data says exists. */
export interface LiveModels {
  /** False until some account's quota was fetched: then nothing can be checked. */
  known: boolean;
  ids: ReadonlySet<string>;
  /** Deprecated id → replacement. */
  deprecated: Readonly<Record<string, string>>;
  /** Ids served outside the accounts (an API-key provider's `provider:model`): group members kept though no account lists them. */
  external?: (id: string) => boolean;
}

export interface ResolvedModel {
  requested: string;
  /** Upstream model ids; more than one for a group, tried in this order. */
  models: string[];
  /** The group the name stands for, if any. */
  group?: string;
}

/** The last answer and the quota snapshots it was built from: every request asks, and quotas change every few minutes. */
let lastLive: { quotas: Array<AccountRecord['quota']>; live: LiveModels } | undefined;

/** The models the accounts' quota snapshots list (deprecated ones left out). Callers must not change what it returns. */
export function liveModelsOf(accounts: ReadonlyArray<Readonly<AccountRecord>>): LiveModels {
  // A refresh replaces an account's quota object, never edits it: the same objects give the same answer.
  if (lastLive && lastLive.quotas.length === accounts.length && accounts.every((account, index) => account.quota === lastLive!.quotas[index])) {
    return lastLive.live;
  }
  const live = computeLiveModels(accounts);
  lastLive = { quotas: accounts.map((account) => account.quota), live };
  return live;
}

function computeLiveModels(accounts: ReadonlyArray<Readonly<AccountRecord>>): LiveModels {
  const ids = new Set<string>();
  const deprecated: Record<string, string> = {};
  let known = false;
  for (const account of accounts) {
    if (!account.quota) continue;
    known = true;
    for (const model of account.quota.models) ids.add(model.id);
    Object.assign(deprecated, account.quota.deprecated);
  }
  for (const old of Object.keys(deprecated)) ids.delete(old);
  return { known, ids, deprecated };
}

const patternCache = new Map<string, RegExp>();

function patternOf(glob: string): RegExp {
  let regex = patternCache.get(glob);
  if (!regex) {
    const source = glob
      .split('*')
      .map((piece) => piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    regex = new RegExp(`^${source}$`);
    patternCache.set(glob, regex);
  }
  return regex;
}

/** Exact key first; else the matching `*` pattern with the most literal characters (earlier wins a tie). */
export function matchAlias(model: string, aliases: Readonly<Record<string, string>>): string | undefined {
  if (Object.hasOwn(aliases, model)) return aliases[model];
  let best: { target: string; literal: number } | undefined;
  for (const [pattern, target] of Object.entries(aliases)) {
    if (!pattern.includes('*') || !patternOf(pattern).test(model)) continue;
    const literal = pattern.replace(/\*/g, '').length;
    if (!best || literal > best.literal) best = { target, literal };
  }
  return best?.target;
}

export function availableModelNames(routing: ModelRouting, live: LiveModels): string[] {
  return [...new Set([...live.ids, ...Object.keys(routing.groups)])].sort();
}

function notFound(requested: string, routing: ModelRouting, live: LiveModels, via?: string): GatewayError {
  const alias = via && via !== requested ? ` (alias of ${via})` : '';
  const available = availableModelNames(routing, live);
  return new GatewayError(
    'not_found',
    `model ${requested}${alias} not found; available: ${available.length ? available.join(', ') : '(none yet)'}`,
    // The request field at fault: OpenAI clients read it as code `model_not_found`.
    { param: 'model' },
  );
}

export function resolveModel(requested: string, routing: ModelRouting, live: LiveModels, random: () => number = Math.random): ResolvedModel {
  const name = requested.trim();
  const isDirect = (id: string) => Object.hasOwn(routing.groups, id) || live.ids.has(id) || Object.hasOwn(live.deprecated, id) || live.external?.(id) === true;
  const target = matchAlias(name, routing.aliases) ?? (isDirect(name) ? name : undefined) ?? matchAlias(name, DEFAULT_MODEL_ALIASES) ?? name;

  const group = Object.hasOwn(routing.groups, target) ? routing.groups[target] : undefined;
  const members = group ? (group.strategy === 'random' ? shuffled(group.models, random) : group.models) : [target];
  const upstream = [...new Set(members.map((m) => live.deprecated[m] ?? m))];
  // Without quota data nothing can be checked; the upstream will say.
  const models = live.known ? upstream.filter((m) => live.ids.has(m) || live.external?.(m) === true) : upstream;
  if (models.length === 0) throw notFound(name, routing, live, target);
  const resolved: ResolvedModel = { requested: name, models };
  if (group) resolved.group = target;
  return resolved;
}
