import type Koa from 'koa';
import type { GatewayConfig } from '../config/types';
import { GatewayError } from '../errors';
import type { RequestObserver } from '../monitor/types';
import type { Clock, DocumentStore, Logger, SecretStore } from '../ports';
import { authGuard, type Caller } from './auth-guard';
import { hostGuard, originGuard } from './browser-guard';
import { ClientKeys, modelAllowed, type ClientKeyInfo, type ClientKeyInput, type IssuedClientKey, type KeyLimits } from './client-keys';
import { KeyUsage } from './key-usage';
import { assertSafeListen } from './lan-policy';
import { PrimaryKey } from './primary-key';

export { isAdminPath, type Caller } from './auth-guard';
export { PRIMARY_KEY_NAME, type ClientKeyInfo, type ClientKeyInput, type IssuedClientKey, type KeyLimits } from './client-keys';
export { UnsafeListenError } from './lan-policy';
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
  /** Replaces the primary key; clients holding the old one get 401 from now on. */
  rotatePrimaryKey(): Promise<string>;
  keys: ClientKeyManager;
  /** Host check, origin check and CORS, auth: composed before the routes, in this order. */
  guards: Koa.Middleware[];
  /** Feeds finished requests' tokens to their client key's limits. */
  observer: RequestObserver;
  /** Throws 403 when the request's client key may not call `model` (client model id). */
  authorizeModel(state: Koa.DefaultState, model: string): void;
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
}

export async function createSecurity(options: SecurityOptions): Promise<Security> {
  const { settings } = options;
  const primary = new PrimaryKey(options.secrets);
  const clientKeys = new ClientKeys(options.documents, options.clock);
  const usage = await KeyUsage.open(options);
  const inFlight = new Map<string, string>();

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

  return {
    primaryKey: () => primary.get(),
    rotatePrimaryKey: () => primary.rotate(),
    keys,
    guards: [
      hostGuard(settings),
      originGuard(settings),
      authGuard({ settings, primaryKey: primary, clientKeys, usage, inFlight }),
    ],
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
      const caller = state.caller as Caller | undefined;
      if (caller?.kind === 'client' && !modelAllowed(caller.key, model)) {
        throw new GatewayError('permission', `The client key "${caller.key.name}" may not use the model "${model}".`, { param: 'model' });
      }
    },
    assertSafeListen: () => assertSafeListen(settings()),
    close: () => usage.close(),
  };
}
