import Router, { type RouterMiddleware } from '@koa/router';
import type Koa from 'koa';
import { GatewayError } from '../errors';
import type { LeanRoute } from './lean-route';

/**
 * Who may call a route, declared where the route is registered:
 * - `public`: open unless `authMode` is `strict` (health check, bodiless probes);
 * - `client`: any valid key (primary or client key) when auth is on;
 * - `admin`: only the primary key when auth is on (admin API, dashboard).
 * The check runs as the first middleware of the matched route, so whatever spelling of a path reaches a
 * handler has passed that handler's own check.
 */
export type Permission = 'public' | 'client' | 'admin';

export const PERMISSIONS: readonly Permission[] = ['public', 'client', 'admin'];

const RANK: Record<Permission, number> = { public: 0, client: 1, admin: 2 };

/** Returns the middleware that lets a request through only with what `permission` asks for. */
export type Authorizer = (permission: Permission) => Koa.Middleware;

export type RouteMethod = 'GET' | 'HEAD' | 'POST' | 'DELETE';

export interface RouteEntry {
  /** GET routes answer HEAD too. */
  method: RouteMethod;
  path: string;
  permission: Permission;
}

type Handler = RouterMiddleware;

/** Answers a browser page whose auth check refused the request: HTML (a sign-in form), not a protocol error. */
export type RefusedPage = (ctx: Koa.Context, refusal: GatewayError) => void | Promise<void>;

/** No check at all: for a gateway assembled without security (unit tests, plain benchmarks). */
const OPEN: Authorizer = () => (_ctx, next) => next();

/**
 * The gateway's routes, each with its permission. Matching is strict: case-sensitive, no trailing-slash
 * alias, and against the raw path (Koa does not decode it, nor resolve `.`/`..`, `//` or `;`), so one route
 * has one spelling. A request that matches no route is authorized as `client` (the strictest permission of
 * the routes its path matches under other methods) before it gets its 404 or 405, so unknown or
 * admin-only paths tell an unauthenticated caller nothing.
 */
export class RouteTable {
  private readonly router = new Router({ sensitive: true, strict: true });
  private readonly entries: RouteEntry[] = [];
  /** Route path pattern → the strictest permission registered on it, for the 405 of another method. */
  private readonly byPattern = new Map<string, Permission>();
  private readonly hot: LeanRoute[] = [];

  constructor(private readonly authorize: Authorizer = OPEN) {}

  get(path: string, permission: Permission, ...handlers: Handler[]): this {
    return this.add('GET', path, permission, handlers);
  }

  /** Only needed where HEAD must differ from GET (a probe with a looser permission). */
  head(path: string, permission: Permission, ...handlers: Handler[]): this {
    return this.add('HEAD', path, permission, handlers);
  }

  post(path: string, permission: Permission, ...handlers: Handler[]): this {
    return this.add('POST', path, permission, handlers);
  }

  /**
   * A POST route on the hot path: registered like `post`, and also served without Koa (lean-route.ts) with the
   * same stack. Its path is exact, or ends in one `:param` segment.
   */
  hotPost(path: string, permission: Permission, ...handlers: Handler[]): this {
    this.add('POST', path, permission, handlers);
    const stack = [this.authorize(permission), ...(handlers as Koa.Middleware[])];
    const param = /^(.*\/):(\w+)$/.exec(path);
    this.hot.push(param ? { path: param[1], segmentParam: param[2], stack } : { path, stack });
    return this;
  }

  /** The hot routes, for the lean request listener. */
  leanRoutes(): readonly LeanRoute[] {
    return this.hot;
  }

  delete(path: string, permission: Permission, ...handlers: Handler[]): this {
    return this.add('DELETE', path, permission, handlers);
  }

  /** A browser page: like `get`/`post`, but a refused auth check answers with `refused` (HTML). */
  page(method: 'GET' | 'POST', path: string, permission: Permission, refused: RefusedPage, ...handlers: Handler[]): this {
    return this.add(method, path, permission, handlers, refused);
  }

  /** Every route with its permission, in registration order (the docs' table and its test read this). */
  list(): readonly RouteEntry[] {
    return this.entries;
  }

  /** The routes, then 405/501 for a known path with another method, then the 404 path; all after auth. */
  middleware(): Koa.Middleware[] {
    const unmatched: Koa.Middleware = (ctx, next) => {
      const matched = (ctx as unknown as { matched?: Array<{ path: unknown }> }).matched ?? [];
      let permission: Permission = 'client';
      for (const layer of matched) {
        const declared = typeof layer.path === 'string' ? this.byPattern.get(layer.path) : undefined;
        if (declared && RANK[declared] > RANK[permission]) permission = declared;
      }
      return this.authorize(permission)(ctx, next);
    };
    return [this.router.routes() as Koa.Middleware, this.router.allowedMethods() as Koa.Middleware, unmatched];
  }

  private add(method: RouteMethod, path: string, permission: Permission, handlers: Handler[], refused?: RefusedPage): this {
    if (!PERMISSIONS.includes(permission)) {
      throw new Error(`The route ${method} ${path} must declare its permission (public, client or admin), not ${String(permission)}`);
    }
    if (handlers.length === 0) throw new Error(`The route ${method} ${path} has no handler`);
    this.entries.push({ method, path, permission });
    const previous = this.byPattern.get(path);
    if (!previous || RANK[permission] > RANK[previous]) this.byPattern.set(path, permission);
    const stack = [this.authorize(permission) as Handler, ...handlers];
    if (refused) stack.unshift(refusalPage(refused));
    const verb = method.toLowerCase() as 'get' | 'head' | 'post' | 'delete';
    this.router[verb](path, ...(stack as [Handler, ...Handler[]]));
    return this;
  }
}

/** Turns the auth check's refusal (nothing past it has run: no caller yet) into the page's own answer. */
function refusalPage(refused: RefusedPage): Handler {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const refusal = err instanceof GatewayError && (err.kind === 'authentication' || err.kind === 'permission');
      if (!refusal || ctx.state.caller !== undefined) throw err;
      await refused(ctx, err);
    }
  };
}
