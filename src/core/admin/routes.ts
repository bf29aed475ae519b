import { PassThrough } from 'node:stream';
import type Koa from 'koa';
import { GatewayError } from '../errors';
import { clearSessionCookies, sessionToken, setSessionCookies, type Caller, type DashboardSessions } from '../security';
import { readJsonBody } from '../server/body';
import type { RouteTable } from '../server/routes';
import type { AdminApi } from './admin-api';
import { BROWSER_REFERRER_POLICY, browserDashboard } from './dashboard-page';
import { pageHeaders, signInPage } from './sign-in-page';
import type { AccountAction, AdminEvent, AdminMethod } from './types';

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
  const action = (name: AccountAction) => (ctx: Koa.Context) => call(ctx, 'accountAction', { id: ctx.params.id, action: name });

  const events = (ctx: Koa.Context) => {
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
      router.get('/admin/api/gateway', 'admin', (ctx) => call(ctx, 'gateway', {}));
      router.get('/admin/api/accounts', 'admin', (ctx) => call(ctx, 'accounts', {}));
      router.post('/admin/api/accounts', 'admin', async (ctx) => call(ctx, 'addAccount', await jsonBody(ctx)));
      router.post('/admin/api/accounts/order', 'admin', async (ctx) => call(ctx, 'reorderAccounts', await jsonBody(ctx)));
      router.post('/admin/api/accounts/sign-in', 'admin', (ctx) => call(ctx, 'beginSignIn', {}));
      router.post('/admin/api/accounts/:id/refresh-quota', 'admin', action('refreshQuota'));
      router.post('/admin/api/accounts/:id/enable', 'admin', action('enable'));
      router.post('/admin/api/accounts/:id/disable', 'admin', action('disable'));
      router.delete('/admin/api/accounts/:id', 'admin', action('remove'));
      router.post('/admin/api/accounts/:id/reauthenticate', 'admin', async (ctx) =>
        call(ctx, 'reauthenticate', { ...(await jsonBody(ctx)), id: ctx.params.id }),
      );
      router.get('/admin/api/requests', 'admin', (ctx) => call(ctx, 'requests', ctx.query));
      router.get('/admin/api/requests/:id', 'admin', (ctx) => call(ctx, 'request', { id: ctx.params.id }));
      router.get('/admin/api/stats', 'admin', (ctx) => call(ctx, 'stats', ctx.query));
      router.get('/admin/api/overview', 'admin', (ctx) => call(ctx, 'overview', {}));
      router.get('/admin/api/stats.csv', 'admin', async (ctx) => {
        const csv = await api.call('statsCsv', ctx.query);
        ctx.set('Cache-Control', 'no-store');
        ctx.set('Content-Disposition', 'attachment; filename="agate-token-stats.csv"');
        ctx.type = 'text/csv; charset=utf-8';
        ctx.body = csv;
      });
      router.get('/admin/api/events', 'admin', events);
      router.get('/admin/api/proxy', 'admin', (ctx) => call(ctx, 'proxy', {}));
      router.post('/admin/api/settings', 'admin', async (ctx) => call(ctx, 'updateSettings', await jsonBody(ctx)));
      router.post('/admin/api/gateway/start', 'admin', (ctx) => call(ctx, 'setRunning', { running: true }));
      router.post('/admin/api/gateway/stop', 'admin', (ctx) => call(ctx, 'setRunning', { running: false }));
      router.post('/admin/api/keys', 'admin', async (ctx) => call(ctx, 'createClientKey', await jsonBody(ctx)));
      router.delete('/admin/api/keys/:id', 'admin', (ctx) => call(ctx, 'revokeClientKey', { id: ctx.params.id }));
      // POST, not GET: a secret is never the answer to a request a browser might prefetch or cache.
      router.post('/admin/api/primary-key', 'admin', (ctx) => call(ctx, 'primaryKey', {}));
      // Every call by name, its parameters as the JSON body: how other processes (the CLI, other editor windows) reach the owner.
      router.post('/admin/api/call/:method', 'admin', async (ctx) => call(ctx, ctx.params.method as AdminMethod, await jsonBody(ctx)));

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
