import type Koa from 'koa';
import type { GatewayConfig } from '../config/types';
import { GatewayError } from '../errors';
import { PRIMARY_KEY_NAME, type ClientKeyInfo, type ClientKeys } from './client-keys';
import { constantTimeEquals } from './key-material';
import type { KeyUsage } from './key-usage';
import { effectiveAuthMode } from './network';
import type { PrimaryKey } from './primary-key';
import { presentedKey } from './presented-key';

/** Who is calling, as the auth guard established it; kept in `ctx.state.caller`. */
export type Caller =
  | { kind: 'anonymous' }
  | { kind: 'primary' }
  | { kind: 'client'; key: ClientKeyInfo };

/** The admin API and dashboard: only the primary key opens them when auth is on. */
export const isAdminPath = (path: string): boolean =>
  path === '/admin' || path.startsWith('/admin/') || path === '/dashboard' || path.startsWith('/dashboard/');

export interface AuthGuardDeps {
  settings: () => Pick<GatewayConfig, 'authMode' | 'host'>;
  primaryKey: PrimaryKey;
  clientKeys: ClientKeys;
  usage: KeyUsage;
  /** Request id → client key id, so the tokens of a finished request reach the key's counters. */
  inFlight: Map<string, string>;
}

const HOW_TO_SEND =
  'Send the Agate key as "Authorization: Bearer <key>", "x-api-key", "x-goog-api-key" or "?key=" (see "agate keys primary").';

/**
 * Establishes the caller and enforces the auth mode. With auth off, a valid
 * client key is still recognised (its models, limits and usage apply) and any
 * other value is ignored: clients often send a placeholder key.
 */
export function authGuard(deps: AuthGuardDeps): Koa.Middleware {
  return async (ctx, next) => {
    const { authMode, host } = deps.settings();
    const mode = effectiveAuthMode(authMode, host);
    const admin = isAdminPath(ctx.path);
    const presented = presentedKey(ctx);
    const caller = presented ? await identify(presented, deps) : undefined;

    if (mode !== 'off' && !(mode === 'all_except_health' && ctx.path === '/healthz')) {
      if (!presented) throw new GatewayError('authentication', `This Agate requires an API key. ${HOW_TO_SEND}`);
      if (!caller) throw new GatewayError('authentication', 'Invalid API key: it is neither the Agate key nor an active client key.');
      if (admin && caller.kind !== 'primary') {
        throw new GatewayError('permission', 'Client keys cannot use the admin API or the dashboard; use the primary Agate key.');
      }
    }
    if (admin || !caller || caller.kind !== 'client') {
      ctx.state.caller = caller ?? ({ kind: 'anonymous' } satisfies Caller);
      if (caller?.kind === 'primary') ctx.state.clientKey = PRIMARY_KEY_NAME;
      return next();
    }

    const { key } = caller;
    const release = deps.usage.admit(key);
    const requestId = String(ctx.state.requestId);
    ctx.state.caller = caller;
    ctx.state.clientKey = key.name; // the token stats and monitor group by this
    deps.inFlight.set(requestId, key.id);
    try {
      await next();
    } finally {
      release();
      deps.inFlight.delete(requestId);
    }
  };
}

async function identify(presented: string, deps: AuthGuardDeps): Promise<Caller | undefined> {
  if (constantTimeEquals(presented, await deps.primaryKey.get())) return { kind: 'primary' };
  const key = await deps.clientKeys.verify(presented);
  return key && { kind: 'client', key };
}
