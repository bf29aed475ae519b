import type Koa from 'koa';
import type { GatewayConfig } from '../config/types';
import { GatewayError } from '../errors';
import type { RequestObserver } from '../monitor/types';
import type { Clock, DocumentStore, Logger, SecretStore } from '../ports';
import type { Authorizer } from '../server/routes';
import { routeAuthorizer, type Caller } from './auth-guard';
import { hostGuard, originGuard } from './browser-guard';
import { DashboardSessions } from './dashboard-session';
import { ClientKeys, modelAllowed, type ClientKeyInfo, type ClientKeyInput, type IssuedClientKey, type KeyLimits } from './client-keys';
import { KeyUsage, type SharedKeyCounters } from './key-usage';
import { assertSafeListen } from './lan-policy';
import { PrimaryKey } from './primary-key';

export { keyRequired, type Caller } from './auth-guard';
export { PRIMARY_KEY_NAME, type ClientKeyInfo, type ClientKeyInput, type IssuedClientKey, type KeyLimits } from './client-keys';
export { UnsafeListenError } from './lan-policy';
export { clearSessionCookies, sessionToken, setSessionCookies, type DashboardSessions } from './dashboard-session';
export { effectiveAuthMode, isLoopbackHost, type EffectiveAuthMode } from './network';

/** A client key as listed: its settings and what it used today (UTC). */
export interface ClientKeyView extends ClientKeyInfo {
  today: { requests: number; tokens: number; inFlight: number };
}

export interface ClientKeyManager {
  /** The returned key is shown once; only its hash is kept. */
  create(input: ClientKeyInput): Promise<IssuedClientKey>;
  list(): Promise<ClientKeyView[]>;
  update(id: string, change: { allowedModels?: string[] | null; limits?: KeyLimits }): Promise<ClientKeyInfo>;
  /** A new secret for the same key (name, models, limits, usage stay); the old one stops working. */
  rotate(id: string): Promise<IssuedClientKey>;
  revoke(id: string): Promise<void>;
}

export interface Security {
  /** The user's own key (`sk-agate-…`): for their clients and the admin API. Created on first use. */
  primaryKey(): Promise<string>;
  /** Replaces the primary key; clients holding the old one get 401 from now on, dashboard sign-ins end. */
  rotatePrimaryKey(): Promise<string>;
  /** Dashboard sign-ins (`/dashboard?key=…` sets the cookie, "Sign out" ends it). */
  sessions: DashboardSessions;
  keys: ClientKeyManager;
  /** Host check, then origin check and CORS: composed before the routes, in this order. */
  guards: Koa.Middleware[];
  /** The auth check each route runs first, with the permission the route declares. */
  authorize: Authorizer;
  /** Feeds finished requests' tokens to their client key's limits. */
  observer: RequestObserver;
  /**
   * Throws 403 when the request's client key may not call `model` (client model id) or a model it resolves
   * to (aliases, built-in aliases, groups); 404 listing only the key's models when it resolves to nothing.
   */
  authorizeModel(state: Koa.DefaultState, model: string): void;
  /** `authorizeModel` as a question, for choices the gateway makes itself (the background model). */
  modelUsable(state: Koa.DefaultState, model: string): boolean;
  /** Whether the caller may use the model: model lists show a client key only its models. */
  modelAllowed(state: Koa.DefaultState, model: string): boolean;
  /** Throws UnsafeListenError when the settings would expose the gateway unsafely. */
  assertSafeListen(): void;
  /** Saves today's per-key usage. */
  close(): Promise<void>;
}

export interface SecurityOptions {
  settings: () => GatewayConfig;
  secrets: SecretStore;
  documents: DocumentStore;
  clock: Clock;
  logger: Logger;
  /**
   * What a client model id is sent upstream as (every candidate of a group); throws the router's 404 when
   * it leads nowhere. Absent: only the requested name is checked.
   */
  resolveModel?: (model: string) => ModelResolution;
  /** Team mode: the client keys document shared by every instance, so a key made on one works on all. */
  keyDocuments?: DocumentStore;
  /** Team mode: per-key counters shared by every instance, so a key's limits hold across the team. */
  sharedKeyCounters?: SharedKeyCounters;
}

/** A client model id as the router resolves it, for checking a client key's models. */
export type ModelResolution =
  | { found: true; models: string[] }
  /** `available` lists every model the router offers; the key's 404 names only those it may use. */
  | { found: false; available: string[] };

export async function createSecurity(options: SecurityOptions): Promise<Security> {
  const { settings } = options;
  const primary = new PrimaryKey(options.secrets);
  const clientKeys = new ClientKeys(options.keyDocuments ?? options.documents, options.clock);
  const usage = await KeyUsage.open({ ...options, shared: options.sharedKeyCounters });
  const inFlight = new Map<string, string>();
  const sessions = new DashboardSessions(options.clock);

  const keys: ClientKeyManager = {
    create: (input) => clientKeys.create(input),
    list: async () => (await clientKeys.list()).map((key) => ({ ...key, today: usage.today(key.id) })),
    update: (id, change) => clientKeys.update(id, change),
    rotate: (id) => clientKeys.rotate(id),
    revoke: async (id) => {
      await clientKeys.revoke(id);
      usage.forget(id);
    },
  };

  /** Why the caller may not use `model` (name, then what it resolves to); undefined when it may. */
  function modelRefusal(state: Koa.DefaultState, model: string): { error: GatewayError; key: string; upstream?: string[] } | undefined {
    const caller = state.caller as Caller | undefined;
    if (caller?.kind !== 'client' || !caller.key.allowedModels) return undefined;
    const { key } = caller;
    const refused = (why: string) => new GatewayError('permission', `The client key "${key.name}" may not use the model "${model}"${why}.`, { param: 'model' });
    if (!modelAllowed(key, model)) return { error: refused(''), key: key.name };
    const resolution = options.resolveModel?.(model);
    if (!resolution) return undefined;
    if (!resolution.found) {
      // The router's own 404 lists every model; this caller learns only of its own.
      const available = resolution.available.filter((id) => modelAllowed(key, id));
      const error = new GatewayError('not_found', `model ${model} not found; available: ${available.length ? available.join(', ') : '(none)'}`, {
        param: 'model',
      });
      return { error, key: key.name };
    }
    const outside = resolution.models.filter((id) => !modelAllowed(key, id));
    if (outside.length === 0) return undefined;
    return { error: refused(": it is served by a model outside the key's allowance"), key: key.name, upstream: outside };
  }

  return {
    primaryKey: () => primary.get(),
    rotatePrimaryKey: async () => {
      const key = await primary.rotate();
      sessions.clear();
      return key;
    },
    sessions,
    keys,
    guards: [hostGuard(settings), originGuard(settings)],
    authorize: routeAuthorizer({ settings, primaryKey: primary, clientKeys, usage, inFlight, sessions }),
    observer: {
      started() {},
      finished(record) {
        const keyId = inFlight.get(record.id);
        const tokens = record.usage ? record.usage.inputTokens + record.usage.outputTokens + record.usage.thinkingTokens : 0;
        if (keyId) usage.addTokens(keyId, tokens);
      },
    },
    modelAllowed(state, model) {
      const caller = state.caller as Caller | undefined;
      return caller?.kind !== 'client' || modelAllowed(caller.key, model);
    },
    authorizeModel(state, model) {
      const refusal = modelRefusal(state, model);
      if (!refusal) return;
      if (refusal.upstream) {
        options.logger.info('client key refused: the model resolves beyond its allowance', { key: refusal.key, model, upstream: refusal.upstream });
      }
      throw refusal.error;
    },
    modelUsable: (state, model) => modelRefusal(state, model) === undefined,
    assertSafeListen: () => assertSafeListen(settings()),
    close: () => usage.close(),
  };
}
