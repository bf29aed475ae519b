import { PassThrough } from 'node:stream';
import type Koa from 'koa';
import { GatewayError } from '../errors';
import { clearSessionCookies, sessionToken, setSessionCookies, type Caller, type DashboardSessions } from '../security';
import { readJsonBody } from '../server/body';
import type { RouteTable } from '../server/routes';
import type { AdminApi } from './admin-api';
import { BROWSER_REFERRER_POLICY, browserDashboard } from './dashboard-page';
import { pageHeaders, signInPage } from './sign-in-page';
import { ADMIN_CALLS, ADMIN_METHODS, EVENTS_PATH, GENERIC_CALL_PATH, type AdminMethod, type AdminRoute } from './protocol';
import type { AdminEvent } from './types';
import { OWNER_PID_HEADER } from './admin-client';

export interface AdminRoutesOptions {
  api: AdminApi;
  /** Folder of the built dashboard (dist/webview); undefined when it was not built. */
  dashboardDir: () => string | undefined;
  bodyLimitBytes: number;
  /** Heartbeat comment on idle event streams, so proxies and browsers keep them open. */
  heartbeatMs?: number;
  /** Dashboard sign-ins: `/dashboard?key=…` starts one (a cookie), `POST /dashboard/sign-out` ends it. */
  sessions?: DashboardSessions;
}

export interface AdminRoutes {
  mount(routes: RouteTable): void;
  /** Ends every open event stream: a stopping server must not wait for them. */
  closeStreams(): void;
}

/** A slow reader's backlog beyond this ends its stream; the page reconnects and reloads. */
const MAX_STREAM_BACKLOG_BYTES = 1024 * 1024;
const DEFAULT_HEARTBEAT_MS = 15_000;

const formatEvent = (event: AdminEvent): string => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;

/**
 * `/admin/api/*` over the admin API, the `/admin/api/events` stream and
 * `GET /dashboard`, all with the `admin` permission: only the primary key
 * when auth is on.
 */
export function createAdminRoutes(options: AdminRoutesOptions): AdminRoutes {
  const { api } = options;
  const streams = new Set<() => void>();

  const call = async (ctx: Koa.Context, method: AdminMethod, params: unknown) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await api.call(method, params);
  };
  const jsonBody = async (ctx: Koa.Context): Promise<Record<string, unknown>> => {
    if (!ctx.request.length && !ctx.get('transfer-encoding')) return {};
    const body = await readJsonBody(ctx.req, options.bodyLimitBytes);
    if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) {
      throw new GatewayError('invalid_request', 'The body must be a JSON object');
    }
    return (body ?? {}) as Record<string, unknown>;
  };
  /** The call's parameters from the request: the query (GET, DELETE; an empty value is no value) or the JSON body, then the path's and the route's own. */
  const paramsOf = async (ctx: Koa.Context, route: AdminRoute): Promise<Record<string, unknown>> => {
    const sent =
      route.verb === 'POST' ? await jsonBody(ctx) : Object.fromEntries(Object.entries(ctx.query).filter(([, value]) => value !== undefined && value !== ''));
    return { ...sent, ...ctx.params, ...route.fixed };
  };
  const handler = (method: AdminMethod, route: AdminRoute) => async (ctx: Koa.Context) => {
    const params = await paramsOf(ctx, route);
    if (!route.download) return call(ctx, method, params);
    const body = await api.call(method, params);
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Content-Disposition', `attachment; filename="${route.download.fileName}"`);
    ctx.type = route.download.type;
    ctx.body = body;
  };

  const events = (ctx: Koa.Context) => {
    checkOwner(ctx);
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
    ctx.status = 200;
    ctx.type = 'text/event-stream';
    ctx.set('Cache-Control', 'no-store');
    ctx.set('X-Accel-Buffering', 'no');
    // Not reused after the stream ends: a stopping server then frees the socket at once.
    ctx.set('Connection', 'close');
    const stream = new PassThrough();
    ctx.body = stream;
    let unsubscribe = () => {};
    const heartbeat = setInterval(() => stream.write(': ping\n\n'), options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS).unref();
    const end = () => {
      if (!streams.delete(end)) return;
      unsubscribe();
      clearInterval(heartbeat);
      stream.end();
    };
    streams.add(end);
    unsubscribe = api.subscribe((event) => {
      if (stream.writableLength > MAX_STREAM_BACKLOG_BYTES) return end();
      stream.write(formatEvent(event));
    });
    ctx.req.once('close', end);
    // The first bytes go out now, so the client knows it is subscribed before any event.
    stream.write(': subscribed\n\n');
  };

  return {
    mount(router) {
      // Each call's own routes (protocol.ts), then the live feed, then every call by name.
      for (const method of ADMIN_METHODS) {
        for (const route of ADMIN_CALLS[method].routes) {
          const register = route.verb === 'GET' ? router.get : route.verb === 'POST' ? router.post : router.delete;
          register.call(router, route.path, route.permission, handler(method, route));
        }
      }
      router.get(EVENTS_PATH, 'admin', events);
      // How other processes (the CLI, other editor windows) reach the owner: the method by name, its parameters as the JSON body.
      router.post(GENERIC_CALL_PATH, 'admin', async (ctx) => {
        checkOwner(ctx);
        return call(ctx, ctx.params.method as AdminMethod, await jsonBody(ctx));
      });

      // Without a sign-in (auth on), the page is a form for the primary key, not a JSON 401.
      router.page('GET', '/dashboard', 'admin', signInPage, async (ctx) => {
        if (ctx.query.key !== undefined) {
          // `?key=` signs in: the cookie carries the sign-in from now on and the key leaves the address bar at once.
          const primary = (ctx.state.caller as Caller | undefined)?.kind === 'primary';
          if (primary && options.sessions) setSessionCookies(ctx, options.sessions.create());
          ctx.set('Cache-Control', 'no-store');
          ctx.set('Referrer-Policy', 'no-referrer');
          ctx.status = 303;
          ctx.set('Location', '/dashboard');
          return;
        }
        const dir = options.dashboardDir();
        if (!dir) throw new GatewayError('unavailable', 'The dashboard is not built: run "npm run build" (it writes dist/webview).');
        const signedIn = options.sessions !== undefined && isSignedIn(ctx, options.sessions);
        const { html, csp } = await browserDashboard(dir, { signOut: signedIn });
        pageHeaders(ctx, csp, BROWSER_REFERRER_POLICY);
        ctx.type = 'text/html; charset=utf-8';
        ctx.body = html;
      });
      // A form post from the page itself: SameSite=Strict and the origin check keep other sites' forms out.
      const signOut = (ctx: Koa.Context) => {
        const token = sessionToken(ctx);
        if (token) options.sessions?.end(token);
        clearSessionCookies(ctx);
        ctx.set('Cache-Control', 'no-store');
        ctx.status = 303;
        ctx.set('Location', '/dashboard');
      };
      // Signed out already (expired, or the key was rotated): the same clean end.
      router.page('POST', '/dashboard/sign-out', 'admin', signOut, signOut);
    },
    closeStreams() {
      for (const end of [...streams]) end();
    },
  };
}

const isSignedIn = (ctx: Koa.Context, sessions: DashboardSessions): boolean => {
  const token = sessionToken(ctx);
  return token !== undefined && sessions.verify(token);
};

/**
 * The cross-process routes (the generic call, the event feed) echo this process's pid and refuse a caller that expects
 * another: such a caller read a lock whose owner is gone and reached whatever took its port.
 */
function checkOwner(ctx: Koa.Context): void {
  const pid = String(process.pid);
  ctx.set(OWNER_PID_HEADER, pid);
  const expected = ctx.get(OWNER_PID_HEADER);
  if (expected && expected !== pid) {
    throw new GatewayError('unavailable', `This gateway (pid ${pid}) does not own the data dir the caller opened (its lock names pid ${expected})`);
  }
}
