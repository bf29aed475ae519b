/**
 * The admin protocol, defined once: every call the dashboard, the CLI and the
 * other editor windows make, with its parameters' schema (checked at run time
 * with ajv, the TypeScript type derived from it), its result type, its HTTP
 * routes and their permission. The server's routes (routes.ts), the runtime
 * checks (admin-api.ts), the browser's HTTP transport and the webview's
 * postMessage transport all read this table, so adding a call is one entry
 * here plus its handler. Pure: the webview bundles it.
 */
import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox';
import type { ClientProtocol } from '../ir';
import { isCoreMessage, type CoreMessage } from '../messages';
import { PROVIDER_KINDS, type ModelPrice, type ProviderLimits, type ProviderView } from '../providers/types';
import type { KeyLimits } from '../security/client-keys';
import type { Permission } from '../server/routes';
import type {
  AdminAccount,
  AdminEvent,
  AdminImportReport,
  ConfigUpdateResult,
  ConnectClientState,
  ConnectPreview,
  ConnectResult,
  DisconnectResult,
  GatewayInfo,
  InFlightRequest,
  PoolOverview,
  ProxyInfo,
  ProxySettings,
  RequestRecord,
  StatsQueryResult,
} from './types';

/** One HTTP spelling of a call. `:name` segments of the path carry those parameters. */
export interface AdminRoute {
  verb: 'GET' | 'POST' | 'DELETE';
  path: string;
  /** Always 'admin': only the primary key when auth is on. */
  permission: Extract<Permission, 'admin'>;
  /** Parameters the route itself implies (`/gateway/start` is `running: true`); the transport picks the route whose values match. */
  fixed?: Record<string, string | boolean>;
  /** Answered as a file download of this type and name instead of JSON. */
  download?: { type: string; fileName: string };
}

declare const RESULT: unique symbol;

export interface AdminCallSpec<P extends TObject = TObject, R = unknown> {
  /** The parameters as JSON Schema; GET routes take them from the query string (numbers and booleans arrive as text). */
  params: P;
  routes: readonly [AdminRoute, ...AdminRoute[]];
  /** Type only: what the call answers. */
  readonly [RESULT]?: R;
}

/** A call answering `R`: `call<R>()({ params, routes })`. */
const call =
  <R>() =>
  <P extends TObject>(spec: { params: P; routes: readonly [AdminRoute, ...AdminRoute[]] }): AdminCallSpec<P, R> =>
    spec;

const route = (verb: AdminRoute['verb'], path: string, extra: Pick<AdminRoute, 'fixed' | 'download'> = {}): AdminRoute => ({
  verb,
  path,
  permission: 'admin',
  ...extra,
});

/** Unknown parameters are refused (a typo is a 400 naming it, not silently ignored). */
const params = <T extends TProperties>(properties: T) => Type.Object(properties, { additionalProperties: false });
const NONE = params({});
const id = Type.String({ minLength: 1 });
const byId = params({ id });
const text = Type.String({ minLength: 1 });
const oneOf = <const T extends readonly string[]>(values: T, extra: { default?: T[number] } = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...extra });

export const ACCOUNT_ACTIONS = ['refreshQuota', 'enable', 'disable', 'remove'] as const;
export const PROVIDER_ACTIONS = ['refreshModels', 'enable', 'disable', 'remove'] as const;
export type ProviderAction = (typeof PROVIDER_ACTIONS)[number];
export type AccountAction = (typeof ACCOUNT_ACTIONS)[number];
const CLIENT_PROTOCOLS = ['anthropic', 'openai-chat', 'openai-responses', 'openai-completions', 'gemini'] as const satisfies readonly ClientProtocol[];
const GRANULARITIES = ['hour', 'day'] as const;
const STATS_GROUPS = ['model', 'account', 'clientKey', 'none'] as const;

const statsRange = {
  /** Epoch ms; default a day before `to`. */
  from: Type.Optional(Type.Integer()),
  /** Epoch ms; default now. */
  to: Type.Optional(Type.Integer()),
  granularity: Type.Optional(oneOf(GRANULARITIES, { default: 'hour' })),
};

const requestFilter = params({
  status: Type.Optional(Type.Union([Type.Integer({ minimum: 100, maximum: 599 }), Type.Literal('ok'), Type.Literal('error')])),
  model: Type.Optional(text),
  account: Type.Optional(text),
  protocol: Type.Optional(oneOf(CLIENT_PROTOCOLS)),
  limit: Type.Optional(Type.Integer({ minimum: 1 })),
  /** Id of the last row of the previous page. */
  before: Type.Optional(text),
});

/** The settings changes a host checks against the whole configuration schema (admin-api.ts), key by key. */
const changes = <T>() => Type.Unsafe<T>({ type: 'object' });

/** What a provider's add and update share; the registry checks the values (ranges, URLs, names). */
const providerFields = {
  name: Type.Optional(text),
  key: Type.Optional(text),
  baseUrl: Type.Optional(text),
  models: Type.Optional(Type.Array(text)),
  priority: Type.Optional(Type.Integer()),
  enabled: Type.Optional(Type.Boolean()),
  limits: Type.Optional(Type.Unsafe<ProviderLimits>({ type: 'object' })),
  /** Model id → US dollars per million tokens. */
  prices: Type.Optional(Type.Unsafe<Record<string, ModelPrice>>({ type: 'object' })),
};

/** Every admin call: method → parameters, result, HTTP routes. */
export const ADMIN_CALLS = {
  gateway: call<GatewayInfo>()({ params: NONE, routes: [route('GET', '/admin/api/gateway')] }),
  accounts: call<AdminAccount[]>()({ params: NONE, routes: [route('GET', '/admin/api/accounts')] }),
  accountAction: call<AdminAccount[]>()({
    params: params({ id, action: oneOf(ACCOUNT_ACTIONS) }),
    routes: [
      route('POST', '/admin/api/accounts/:id/refresh-quota', { fixed: { action: 'refreshQuota' } }),
      route('POST', '/admin/api/accounts/:id/enable', { fixed: { action: 'enable' } }),
      route('POST', '/admin/api/accounts/:id/disable', { fixed: { action: 'disable' } }),
      route('DELETE', '/admin/api/accounts/:id', { fixed: { action: 'remove' } }),
    ],
  }),
  reorderAccounts: call<AdminAccount[]>()({ params: params({ ids: Type.Array(id) }), routes: [route('POST', '/admin/api/accounts/order')] }),
  /** `expectedEmail`: refused unless the token is that account's. */
  addAccount: call<AdminAccount>()({
    params: params({ refreshToken: text, expectedEmail: Type.Optional(Type.String()) }),
    routes: [route('POST', '/admin/api/accounts')],
  }),
  /** An accounts file's text or parsed content (see the CLI's `accounts import`). */
  importAccounts: call<AdminImportReport>()({ params: params({ content: Type.Unknown() }), routes: [route('POST', '/admin/api/accounts/import')] }),
  /** Starts a Google sign-in; the caller opens `authorizeUrl` in a browser on this machine. */
  beginSignIn: call<{ authorizeUrl: string; redirectUri: string }>()({
    params: params({ loginHint: Type.Optional(Type.String()) }),
    routes: [route('POST', '/admin/api/accounts/sign-in')],
  }),
  reauthenticate: call<AdminAccount>()({
    params: params({ id, refreshToken: Type.Optional(Type.String()) }),
    routes: [route('POST', '/admin/api/accounts/:id/reauthenticate')],
  }),
  /**
   * Tokens to sign the Antigravity IDE into an account (`agate ide switch`): a fresh access token, its expiry,
   * the refresh token and the OAuth client that issued it. Secret: only for the user's own processes.
   */
  ideCredentials: call<{ email: string; tier?: string; accessToken: string; expiresAt: number; refreshToken: string; clientId: string }>()({
    params: byId,
    // POST: a secret is never the answer to a request a browser might prefetch or cache.
    routes: [route('POST', '/admin/api/accounts/:id/ide-credentials')],
  }),
  /** API-key providers (never their keys). */
  providers: call<ProviderView[]>()({ params: NONE, routes: [route('GET', '/admin/api/providers')] }),
  /** Checks the key against the provider's models endpoint before keeping it. */
  addProvider: call<ProviderView>()({
    params: params({ ...providerFields, name: text, key: text, kind: oneOf(PROVIDER_KINDS) }),
    routes: [route('POST', '/admin/api/providers')],
  }),
  /** Only the fields given change; a new key or base URL is checked first. */
  updateProvider: call<ProviderView>()({ params: params({ id, ...providerFields }), routes: [route('POST', '/admin/api/providers/:id')] }),
  /** `id` is the provider's id or name. */
  providerAction: call<ProviderView[]>()({
    params: params({ id, action: oneOf(PROVIDER_ACTIONS) }),
    routes: [
      route('POST', '/admin/api/providers/:id/refresh-models', { fixed: { action: 'refreshModels' } }),
      route('POST', '/admin/api/providers/:id/enable', { fixed: { action: 'enable' } }),
      route('POST', '/admin/api/providers/:id/disable', { fixed: { action: 'disable' } }),
      route('DELETE', '/admin/api/providers/:id', { fixed: { action: 'remove' } }),
    ],
  }),
  requests: call<{ inFlight: InFlightRequest[]; records: RequestRecord[] }>()({ params: requestFilter, routes: [route('GET', '/admin/api/requests')] }),
  request: call<RequestRecord>()({ params: byId, routes: [route('GET', '/admin/api/requests/:id')] }),
  /** Team mode: the other instances' latest finished requests (each with its `instance`), newest first; [] alone. */
  teamRequests: call<RequestRecord[]>()({ params: NONE, routes: [route('GET', '/admin/api/team/requests')] }),
  stats: call<StatsQueryResult>()({
    params: params({ ...statsRange, groupBy: Type.Optional(oneOf(STATS_GROUPS, { default: 'model' })) }),
    routes: [route('GET', '/admin/api/stats')],
  }),
  /** Pool-wide quota, account states, today's counts, the scheduler's next pick and a health verdict. */
  overview: call<PoolOverview>()({ params: NONE, routes: [route('GET', '/admin/api/overview')] }),
  statsCsv: call<string>()({
    params: params(statsRange),
    routes: [route('GET', '/admin/api/stats.csv', { download: { type: 'text/csv; charset=utf-8', fileName: 'agate-token-stats.csv' } })],
  }),
  proxy: call<ProxyInfo>()({ params: NONE, routes: [route('GET', '/admin/api/proxy')] }),
  /** Dotted keys of PROXY_SETTING_KEYS → new values; checked with the configuration schema, then saved by the host. */
  updateSettings: call<ProxyInfo>()({ params: params({ changes: changes<Partial<ProxySettings>>() }), routes: [route('POST', '/admin/api/settings')] }),
  setRunning: call<ProxyInfo>()({
    params: params({ running: Type.Boolean() }),
    routes: [route('POST', '/admin/api/gateway/start', { fixed: { running: true } }), route('POST', '/admin/api/gateway/stop', { fixed: { running: false } })],
  }),
  /** Any configuration key but `dataDir` (dotted) → new value; checked, saved by the host, applied live where the core allows. */
  updateConfig: call<ConfigUpdateResult>()({ params: params({ changes: changes<Record<string, unknown>>() }), routes: [route('POST', '/admin/api/config')] }),
  /** The key is in the answer once; only its hash is kept. The key manager checks the name, the models and the limits. */
  createClientKey: call<{ id: string; key: string; proxy: ProxyInfo }>()({
    params: params({
      name: Type.String(),
      allowedModels: Type.Optional(Type.Array(Type.String())),
      limits: Type.Optional(Type.Unsafe<KeyLimits>({ type: 'object' })),
    }),
    routes: [route('POST', '/admin/api/keys')],
  }),
  /** A new secret for the same key; the old one stops working. Shown once. */
  rotateClientKey: call<{ id: string; key: string }>()({ params: byId, routes: [route('POST', '/admin/api/keys/:id/rotate')] }),
  revokeClientKey: call<ProxyInfo>()({ params: byId, routes: [route('DELETE', '/admin/api/keys/:id')] }),
  /** The user's own key, for the snippets' "reveal". POST: never a cacheable answer. */
  primaryKey: call<{ key: string }>()({ params: NONE, routes: [route('POST', '/admin/api/primary-key')] }),
  /** Replaces the primary key at once: the old one is refused from the next request on. */
  rotatePrimaryKey: call<{ key: string }>()({ params: NONE, routes: [route('POST', '/admin/api/primary-key/rotate')] }),
  /**
   * The clients `agate connect` writes the settings of, in the files of the user running the gateway: connected
   * to this gateway or not, and whether a backup lets Disconnect restore them.
   */
  connectClients: call<ConnectClientState[]>()({ params: NONE, routes: [route('GET', '/admin/api/connect')] }),
  /** The diff connecting would write (the key masked). POST: the diff shows lines of the user's own settings files. */
  previewConnect: call<ConnectPreview>()({ params: params({ id, model: Type.Optional(text) }), routes: [route('POST', '/admin/api/connect/:id/preview')] }),
  /** Writes the client's settings (merged, a backup of each file kept); connecting again changes nothing. */
  connectClient: call<ConnectResult>()({ params: params({ id, model: Type.Optional(text) }), routes: [route('POST', '/admin/api/connect/:id')] }),
  /** Puts the client's files back as they were before the first connect, byte for byte. */
  disconnectClient: call<DisconnectResult>()({ params: byId, routes: [route('DELETE', '/admin/api/connect/:id')] }),
} satisfies Record<string, AdminCallSpec>;

export type AdminMethod = keyof typeof ADMIN_CALLS;
export type AdminParams<M extends AdminMethod> = Static<(typeof ADMIN_CALLS)[M]['params']>;
export type AdminResult<M extends AdminMethod> = (typeof ADMIN_CALLS)[M] extends AdminCallSpec<TObject, infer R> ? R : never;
/** name → [params, result], for handler tables. */
export type AdminCalls = { [M in AdminMethod]: [AdminParams<M>, AdminResult<M>] };

/** The monitor's filter, as the dashboard keeps it. */
export type RequestFilter = AdminParams<'requests'>;

/** Every method name, for validating what a transport received. */
export const ADMIN_METHODS = Object.keys(ADMIN_CALLS) as readonly AdminMethod[];

export const isAdminMethod = (name: unknown): name is AdminMethod => typeof name === 'string' && Object.hasOwn(ADMIN_CALLS, name);

/** Every call by name, its parameters as the JSON body: how other processes (the CLI, other editor windows) reach the owner. */
export const GENERIC_CALL_PATH = '/admin/api/call/:method';
/** The live feed as server-sent events. */
export const EVENTS_PATH = '/admin/api/events';

/** A call as one HTTP request: the route's verb, the path with its parameters filled in, the rest as query (GET, DELETE) or JSON body (POST). */
export interface AdminHttpRequest {
  verb: AdminRoute['verb'];
  path: string;
  query: Record<string, unknown>;
  body?: Record<string, unknown>;
}

/** The route a call takes with these parameters: the first whose fixed values they match. */
export function adminRouteFor(method: AdminMethod, params: Record<string, unknown>): AdminRoute {
  const routes = ADMIN_CALLS[method].routes;
  return routes.find((candidate) => Object.entries(candidate.fixed ?? {}).every(([name, value]) => params[name] === value)) ?? routes[0];
}

export function adminHttpRequest<M extends AdminMethod>(method: M, params: AdminParams<M>): AdminHttpRequest {
  const rest: Record<string, unknown> = { ...(params as Record<string, unknown>) };
  const chosen = adminRouteFor(method, rest);
  for (const name of Object.keys(chosen.fixed ?? {})) delete rest[name];
  const path = chosen.path.replace(/:(\w+)/g, (_match, name: string) => {
    const value = rest[name];
    delete rest[name];
    return encodeURIComponent(String(value ?? ''));
  });
  if (chosen.verb === 'POST') return { verb: chosen.verb, path, query: {}, body: rest };
  return { verb: chosen.verb, path, query: rest };
}

/** Webview → host: an admin call. */
export interface AdminRequestMessage {
  kind: 'admin-call';
  id: number;
  method: AdminMethod;
  params: unknown;
}

/** Host → webview. */
export type AdminHostMessage =
  | { kind: 'admin-result'; id: number; ok: true; result: unknown }
  | { kind: 'admin-result'; id: number; ok: false; error: string; status: number; detail?: CoreMessage }
  | { kind: 'admin-event'; event: AdminEvent };

/** Everything the webview posts to the extension host (src/vscode/dashboard-panel.ts). */
export type WebviewToHost =
  | AdminRequestMessage
  /** Start the live feed. */
  | { kind: 'subscribe' }
  /** Run the Google sign-in command (VS Code opens the browser and waits for it). */
  | { kind: 'add-account-google' }
  /** Ask where to save, then write the file. */
  | { kind: 'save-file'; fileName: string; text: string }
  /** Run "Agate: Switch Antigravity IDE Account…" for this account (it asks before closing the IDE). */
  | { kind: 'switch-ide-account'; accountId: string };

/** An admin call answered with an error: its message and HTTP status (every transport throws this). */
export class AdminCallError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** The message as a code, when the gateway sent one: the host words it in its user's language. */
    readonly detail?: CoreMessage,
  ) {
    super(message);
    this.name = 'AdminCallError';
  }
}

/** The code of an admin error body's message (`error.detail`), if it carries a valid one. */
export function errorDetailOf(body: unknown): CoreMessage | undefined {
  const detail = (body as { error?: { detail?: unknown } } | undefined)?.error?.detail;
  return isCoreMessage(detail) ? detail : undefined;
}
