import type Koa from 'koa';
import type { GatewayConfig } from '../config/types';
import { GatewayError } from '../errors';
import type { Authorizer, Permission } from '../server/routes';
import { PRIMARY_KEY_NAME, type ClientKeyInfo, type ClientKeys } from './client-keys';
import { sessionToken, type DashboardSessions } from './dashboard-session';
import { constantTimeEquals } from './key-material';
import type { KeyUsage } from './key-usage';
import { effectiveAuthMode, type EffectiveAuthMode } from './network';
import type { PrimaryKey } from './primary-key';
import { presentedKey } from './presented-key';

/** Who is calling, as the route's auth check established it; kept in `ctx.state.caller`. */
export type Caller = { kind: 'anonymous' } | { kind: 'primary' } | { kind: 'client'; key: ClientKeyInfo };

export interface AuthGuardDeps {
  settings: () => Pick<GatewayConfig, 'authMode' | 'host'>;
  primaryKey: PrimaryKey;
  clientKeys: ClientKeys;
  usage: KeyUsage;
  /** Request id → client key id, so the tokens of a finished request reach the key's counters. */
  inFlight: Map<string, string>;
  /** Dashboard sign-ins: their cookie stands for the primary key on admin routes, nowhere else. */
  sessions: DashboardSessions;
}

const HOW_TO_SEND = 'Send the Agate key as "Authorization: Bearer <key>", "x-api-key", "x-goog-api-key" or "?key=" (see "agate keys primary").';

/** Whether a route of this permission needs a key under the effective auth mode. */
export function keyRequired(mode: EffectiveAuthMode, permission: Permission): boolean {
  if (mode === 'off') return false;
  return mode === 'strict' || permission !== 'public';
}

/**
 * The auth check of one route, run with the permission the matched route declared. With auth off, a valid
 * client key is still recognised (its models, limits and usage apply) and any other value is ignored:
 * clients often send a placeholder key.
 */
export function routeAuthorizer(deps: AuthGuardDeps): Authorizer {
  const cache = new Map<Permission, Koa.Middleware>();
  return (permission) => {
    let middleware = cache.get(permission);
    if (!middleware) cache.set(permission, (middleware = authorizeFor(permission, deps)));
    return middleware;
  };
}

function authorizeFor(permission: Permission, deps: AuthGuardDeps): Koa.Middleware {
  return async (ctx, next) => {
    const { authMode, host } = deps.settings();
    const mode = effectiveAuthMode(authMode, host);
    const presented = presentedKey(ctx);
    const caller = presented ? await identify(presented, deps) : permission === 'admin' ? signedIn(ctx, deps) : undefined;

    if (keyRequired(mode, permission)) {
      if (!caller && !presented) throw new GatewayError('authentication', `This Agate requires an API key. ${HOW_TO_SEND}`);
      if (!caller) throw new GatewayError('authentication', 'Invalid API key: it is neither the Agate key nor an active client key.');
      if (permission === 'admin' && caller.kind !== 'primary') {
        throw new GatewayError('permission', 'Client keys cannot use the admin API or the dashboard; use the primary Agate key.');
      }
    }
    if (permission !== 'client' || !caller || caller.kind !== 'client') {
      ctx.state.caller = caller ?? ({ kind: 'anonymous' } satisfies Caller);
      if (caller?.kind === 'primary') ctx.state.clientKey = PRIMARY_KEY_NAME;
      return next();
    }

    // A client key on a client route: its limits apply and its usage is counted.
    const { key } = caller;
    const release = await deps.usage.admitAcrossTeam(key);
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

/** The dashboard's session cookie, when it names a live sign-in: the primary key's rights. */
function signedIn(ctx: Koa.Context, deps: AuthGuardDeps): Caller | undefined {
  const token = sessionToken(ctx);
  return token && deps.sessions.verify(token) ? { kind: 'primary' } : undefined;
}

async function identify(presented: string, deps: AuthGuardDeps): Promise<Caller | undefined> {
  if (constantTimeEquals(presented, await deps.primaryKey.get())) return { kind: 'primary' };
  const key = await deps.clientKeys.verify(presented);
  return key && { kind: 'client', key };
}
