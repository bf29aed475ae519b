/**
 * The core assembled: `createAgate` wires the stores, pool, providers, scheduler, protocols, security, monitor and
 * admin API into one gateway, and rebuilds or restarts it when settings change. About 400 lines because it is the
 * one place that knows every part; each part lives in its own module and this file only connects them.
 */
import type Koa from 'koa';
import { createAdminApi, createAdminRoutes, findDashboardDir, type AdminApi, type SettingsUpdateResult } from './admin';
import type { ConfigUpdateResult } from './admin/types';
import { createAccountPool, createOAuthClient, type AccountPool, type OAuthClient, type OAuthTokens } from './accounts';
import type { GatewayConfig } from './config/types';
import type { ConnectEnvironment } from './connect';
import type { CatalogModel, Dispatcher, ModelCatalog } from './dispatch';
import type { ChatRequest } from './ir';
import { redactor } from './logging/redactor';
import { createDownloadSlots } from './media/download-slots';
import { resolveMediaUrls } from './media/fetch-media';
import { createObservability, type Observability } from './monitor';
import type { RequestObserver } from './monitor/types';
import { systemClock, type Clock, type DocumentStore, type Logger, type SecretStore } from './ports';
import { anthropicCodec } from './protocols/anthropic';
import { geminiCodec } from './protocols/gemini';
import { ChatCompletionsCodec, CompletionsCodec, encodeModel, encodeModelList, ResponsesCodec, ResponsesStore } from './protocols/openai';
import type { ProtocolCodec } from './protocols/codec';
import type { ProtocolRegistry } from './protocols/registry';
import { GatewayError } from './errors';
import { createDispatcher, createModelCatalog, liveModelsOf, resolveModel } from './scheduler';
import { availableModelNames } from './scheduler/model-router';
import { createSecurity, effectiveAuthMode, type ModelResolution, type Security } from './security';
import { createGateway, errorRenderersOf, type Gateway } from './server/gateway';
import { listen, type Listening } from './server/listener';
import { poolQuotaOf } from './server/pool-quota';
import { secureDataDir } from './stores/data-dir-hygiene';
import type { RouteEntry, RouteTable } from './server/routes';
import { protocolFamilyOf } from './server/protocol-of-path';
import { ProviderPool, ProviderRegistry, priceOf, spendOf, type ProviderPolicy } from './providers';
import { createRoutingDispatcher } from './providers/routing-dispatcher';
import { matchAlias } from './scheduler/model-router';
import { createProviderUpstream } from './upstream/provider-upstream';
import { createCloudCodeUpstream, type CloudCodeUpstream } from './upstream/cloudcode';
import { createTransport, transportFetch } from './upstream/transport';
import { createTeamIfConfigured, type Team } from './team';
import { createTeamPoolState } from './team/pool-state';
import { createTeamSemaphore } from './team/semaphore';
import { createTeamRequestSide } from './team/request-side';
import type { SharedCache } from './stores/shared-cache';
import { SignatureCache } from './upstream/cloudcode/signatures';

/** What a host (VS Code extension, CLI) hands the core. */
export interface AgateHost {
  /** Read on every request; a host that changes settings swaps what this returns. */
  config: () => GatewayConfig;
  secrets: SecretStore;
  documents: DocumentStore;
  logger: Logger;
  version: string;
  clock?: Clock;
  /** Accept the upstream simulator's answers (`agate demo`, tests). */
  allowSimulator?: boolean;
  /** Honour HTTPS_PROXY / HTTP_PROXY / NO_PROXY for upstream calls (the CLI; VS Code applies its own proxy settings). */
  proxyFromEnvironment?: boolean;
  /** More middleware after the built-in guards (host, origin), before the routes. */
  guards?: Koa.Middleware[];
  /** More routes, each registered with its permission (public, client, admin). */
  extraRoutes?: (routes: RouteTable, parts: AgateParts) => void;
  /** Turns off the request monitor and token stats (plain benchmarks). */
  observability?: boolean;
  /** The built dashboard (dist/webview) for `GET /dashboard`; found beside the bundle by default. */
  dashboardDir?: string;
  /**
   * Saves the dashboard's settings edits (dotted keys, already checked against the schema) where the host
   * keeps its settings, and applies what can apply live; absent: the dashboard cannot change settings.
   */
  updateSettings?(changes: Record<string, unknown>): Promise<SettingsUpdateResult>;
  /**
   * Saves any configuration keys (dotted, already checked) for `agate config set` run beside this gateway;
   * absent: other processes cannot change this gateway's configuration.
   */
  updateConfig?(changes: Record<string, unknown>): Promise<ConfigUpdateResult>;
  /** Where `updateSettings` saves, as the dashboard names it. */
  settingsLocation?: string;
  /** Starts or stops the server the host's way; absent: the dashboard offers neither. */
  setRunning?(running: boolean): Promise<void>;
  /** Whose settings files the dashboard's "Connect a client" writes; default this process owner's home and environment. */
  connectEnvironment?: () => ConnectEnvironment;
}

/**
 * Settings the core reads only when it is assembled (the upstream client, protocol codecs, HTTP limits,
 * storage): a change needs a new core. Everything else is read on every request and applies as it is saved.
 */
export const BUILD_TIME_KEYS = ['dataDir', 'upstream', 'openai', 'server', 'monitor', 'stats', 'store'] as const satisfies ReadonlyArray<keyof GatewayConfig>;
/** Settings the listener binds with: a change needs a restart of the server. */
export const LISTEN_KEYS = ['host', 'port', 'allowLanAccess'] as const satisfies ReadonlyArray<keyof GatewayConfig>;

/** Whether a change of the dotted key applies only after the server (or the core) starts again. */
export const needsRestart = (key: string): boolean => ([...BUILD_TIME_KEYS, ...LISTEN_KEYS] as readonly string[]).includes(key.split('.')[0]);

/** The assembled services behind the routes. */
export interface AgateParts {
  readonly pool: AccountPool;
  readonly dispatcher: Dispatcher;
  readonly catalog: ModelCatalog;
  readonly observability: Observability | undefined;
  readonly security: Security;
  /** The API-key providers beside the accounts. */
  readonly providers: ProviderRegistry;
  /** Team mode (`store.redis.url` set): the shared Redis, this instance's id and heartbeat; undefined otherwise. */
  readonly team: Team | undefined;
}

/** The gateway core, assembled: hosts start and stop it and read its parts. */
export interface Agate extends AgateParts {
  readonly app: Koa;
  /** What the HTTP server calls: the hot routes served directly, the rest by `app`. */
  readonly requestListener: Gateway['requestListener'];
  /** Every route with its declared permission. */
  readonly routes: readonly RouteEntry[];
  /** What the dashboard calls: over HTTP (`/admin/api/*`) or in-process (the VS Code webview). */
  readonly admin: AdminApi;
  /** The primary key, client keys and the guards built from them. */
  readonly security: Security;
  /** The running listener, when started. */
  readonly server: Listening | undefined;
  start(): Promise<Listening>;
  /** Graceful: in-flight streams get `server.shutdownGraceMs`, then are cut. */
  stop(): Promise<void>;
  /** Stops the server and releases everything (pool polling, stores, proxy pool). */
  close(): Promise<void>;
}

/** Refresh and access tokens become known to the log redactor the moment the core sees them. */
function redactingSecrets(store: SecretStore): SecretStore {
  return {
    get: async (key) => {
      const value = await store.get(key);
      redactor.add(value);
      return value;
    },
    set: (key, value) => {
      redactor.add(value);
      return store.set(key, value);
    },
    delete: (key) => store.delete(key),
  };
}

function redactingOAuth(client: OAuthClient): OAuthClient {
  const remember = (tokens: OAuthTokens) => {
    redactor.add(tokens.accessToken);
    redactor.add(tokens.refreshToken);
    return tokens;
  };
  return {
    authorizeUrl: (input) => client.authorizeUrl(input),
    exchangeCode: async (input, signal) => remember(await client.exchangeCode(input, signal)),
    refresh: async (token, signal) => {
      redactor.add(token);
      return remember(await client.refresh(token, signal));
    },
    userEmail: (token, signal) => client.userEmail(token, signal),
  };
}

/** The security observer counts tokens per client key; the observability one feeds the monitor and stats. */
function teeObserver(first: RequestObserver, second: RequestObserver | undefined): RequestObserver {
  if (!second) return first;
  return {
    started: (request) => {
      first.started(request);
      second.started(request);
    },
    finished: (record) => {
      first.finished(record);
      second.finished(record);
    },
  };
}

function protocolsFor(config: GatewayConfig, shared: SharedCache | undefined): ProtocolRegistry {
  return {
    anthropic: anthropicCodec,
    openaiChat: new ChatCompletionsCodec({ exposeReasoning: config.openai.exposeReasoning }),
    openaiResponses: new ResponsesCodec({ store: new ResponsesStore({ shared }) }),
    openaiCompletions: new CompletionsCodec(),
    openaiModels: { encodeModelList, encodeModel },
    gemini: geminiCodec,
  };
}

export async function createAgate(host: AgateHost): Promise<Agate> {
  const config = host.config;
  const initial = config();
  const clock = host.clock ?? systemClock;
  const logger = host.logger;
  await secureDataDir(initial.dataDir, logger);
  // No Redis unless configured; when it is, it is reached (or waited for briefly) before the pool is assembled.
  const team = await createTeamIfConfigured({ settings: initial.store.redis, logger, clock, version: host.version });
  // The pool's side: accounts, their state, refresh tokens (sealed), one refresh and one quota poller per team.
  const teamPool = team && createTeamPoolState(team, { logger });
  // Concurrency limits across the team, as leases that expire (a crashed instance frees its slots).
  const teamSlots = team && createTeamSemaphore(team, { logger });
  // What the request path shares with the other instances (signatures, bindings, Responses, client keys, stats).
  const teamRequests = team && createTeamRequestSide(team, { logger });

  // One transport for Cloud Code and OAuth: keep-alive pools, the proxy, and in VS Code the editor's patched http/https.
  const transport = createTransport({ ...initial.upstream, proxyFromEnvironment: host.proxyFromEnvironment });
  const upstream: CloudCodeUpstream = createCloudCodeUpstream({
    ...initial.upstream,
    transport,
    allowSimulator: host.allowSimulator,
    logger,
    clock,
    signatures: teamRequests && new SignatureCache({ shared: teamRequests.cache }),
  });
  const oauth = redactingOAuth(createOAuthClient({ settings: () => config().oauth, fetch: transportFetch(transport), clock }));
  const secrets = redactingSecrets(host.secrets);
  const pool = await createAccountPool({
    documents: host.documents,
    secrets,
    oauth,
    api: upstream,
    clock,
    logger,
    refreshSkewMs: () => config().oauth.refreshSkewMs,
    quotaRefreshIntervalMs: () => config().quota.refreshIntervalMs,
    shared: teamPool,
  });
  const providers = await ProviderRegistry.open({ documents: host.documents, secrets, fetch: transportFetch(transport), clock, logger });
  const providerPool = await ProviderPool.open({ registry: providers, documents: host.documents, clock, logger });
  const providerPolicy = (model: string): ProviderPolicy => {
    // Exact id, else the longest `prefix*` pattern, as aliases match.
    const policies = config().models.providerPolicy;
    const key = matchAlias(model, Object.fromEntries(Object.keys(policies).map((name) => [name, name])));
    return (key === undefined ? undefined : (policies[key] as ProviderPolicy)) ?? 'pool-only';
  };
  /** What clients may name of the enabled providers: `provider:model`, and a plain id where its policy sends it to a provider. */
  const providerModels = (): CatalogModel[] => {
    const entries: CatalogModel[] = [];
    const plain = new Set<string>();
    for (const provider of providers.records()) {
      if (!provider.enabled) continue;
      for (const model of provider.models) {
        entries.push({ id: `${provider.name}:${model}`, displayName: `${model} (${provider.name})`, kind: 'model' });
        const policy = providerPolicy(model);
        if (policy === 'pool-first' || policy === 'provider-only' || (Array.isArray(policy) && policy.some((entry) => entry !== 'pool'))) plain.add(model);
      }
    }
    for (const model of plain) entries.push({ id: model, displayName: model, kind: 'model' });
    return entries;
  };
  // Accounts and API-key providers behind one dispatcher: the model's policy decides who serves it.
  const dispatcher = createRoutingDispatcher({
    pool: createDispatcher({ accounts: pool, upstream, settings: config, clock, logger, slots: teamSlots, shared: teamRequests?.cache }),
    providers: providerPool,
    registry: providers,
    upstream: createProviderUpstream({ transport, firstByteTimeoutMs: initial.upstream.firstByteTimeoutMs, idleTimeoutMs: initial.upstream.idleTimeoutMs }),
    aliases: () => config().models.aliases,
    groups: () => config().models.groups,
    policy: providerPolicy,
    clock,
    logger,
  });
  const catalog = createModelCatalog({ accounts: pool, routing: () => config().models, providerModels });
  const observability =
    host.observability === false
      ? undefined
      : await createObservability({
          dataDir: initial.dataDir,
          logger,
          clock,
          monitor: initial.monitor,
          stats: { retentionDays: initial.stats.retentionDays },
          // A provider's request is priced as it finishes, with the prices then in force.
          price: (record) => {
            const provider = record.accountId?.startsWith('provider:') ? providers.find(record.accountId.slice('provider:'.length)) : undefined;
            const price = provider && record.upstreamModel ? priceOf(provider, record.upstreamModel) : undefined;
            if (!price || !record.usage) return undefined;
            const { inputTokens, cachedInputTokens, cacheWriteTokens, outputTokens, thinkingTokens } = record.usage;
            return spendOf({ inputTokens, cachedInputTokens, cacheWriteTokens, outputTokens: outputTokens + thinkingTokens }, price);
          },
        });
  /** What a client key's allowance is checked against: the models a name is actually sent upstream as. */
  const resolveForKeys = (model: string): ModelResolution => {
    const routing = config().models;
    // A provider model (`provider:model`, or an alias to one) is sent upstream as itself.
    const target = matchAlias(model, routing.aliases) ?? model;
    if (target.includes(':') && providers.find(target.slice(0, target.indexOf(':')))) return { found: true, models: [target] };
    // Group members and plain ids served by a provider count as what they are sent as.
    const provided = new Set(providerModels().map((entry) => entry.id));
    const live = {
      ...liveModelsOf(pool.snapshot()),
      external: (id: string) => provided.has(id) || (id.includes(':') && providers.find(id.slice(0, id.indexOf(':'))) !== undefined),
    };
    try {
      return { found: true, models: resolveModel(model, routing, live, () => 0).models };
    } catch (err) {
      if (err instanceof GatewayError && err.kind === 'not_found') return { found: false, available: availableModelNames(routing, live) };
      throw err;
    }
  };
  const security = await createSecurity({
    settings: config,
    secrets,
    documents: host.documents,
    clock,
    logger,
    resolveModel: resolveForKeys,
    keyDocuments: teamRequests?.documents(host.documents),
    sharedKeyCounters: teamRequests?.keyCounters,
  });
  const observed = teeObserver(security.observer, observability?.observer);
  const observer = teamRequests ? teeObserver(observed, teamRequests.observer(observability)) : observed;

  const mediaSlots = createDownloadSlots(() => config().media.globalConcurrency);

  async function prepare(request: ChatRequest, signal: AbortSignal, state: Koa.DefaultState, codec: ProtocolCodec): Promise<ChatRequest> {
    security.authorizeModel(state, request.model);
    const { media, models } = config();
    const resolved = await resolveMediaUrls(request, { ...media, slots: mediaSlots, signal, logger });
    const background = models.backgroundModel ? codec.backgroundRequest?.(resolved, models.backgroundModel) : undefined;
    // The background model is a saving, not the client's ask: a client key not allowed it keeps the model it asked for.
    if (background && security.modelUsable(state, background.model)) return background;
    return resolved;
  }

  const parts: AgateParts = { pool, dispatcher, catalog, observability, security, providers, team };
  let server: Listening | undefined;
  const admin = createAdminApi({
    pool,
    observability,
    config,
    clock,
    logger,
    version: host.version,
    serverUrl: () => server?.url,
    security,
    updateSettings: host.updateSettings?.bind(host),
    updateConfig: host.updateConfig?.bind(host),
    settingsLocation: host.settingsLocation,
    setRunning: host.setRunning?.bind(host),
    providers,
    providerUsage: (id) => providerPool.usageToday(id),
    teamHealth: team && (() => team.health()),
    providerStatus: (id) => providerPool.status(id),
    connectEnvironment: host.connectEnvironment,
  });
  const adminRoutes = createAdminRoutes({
    api: admin,
    dashboardDir: () => host.dashboardDir ?? findDashboardDir(),
    bodyLimitBytes: initial.server.bodyLimitBytes,
    sessions: security.sessions,
  });
  const protocols = protocolsFor(initial, teamRequests?.cache);
  const renderers = errorRenderersOf(protocols);
  const { app, routes, requestListener } = createGateway({
    protocols,
    catalog,
    dispatcher,
    observer,
    logger,
    prepare,
    keepAliveMs: initial.server.keepAliveMs,
    bodyLimitBytes: initial.server.bodyLimitBytes,
    version: host.version,
    accountStats: () => pool.stats(),
    poolQuota: (visible) => poolQuotaOf(pool.list(), pool.stats(), visible),
    teamHealth:
      team &&
      (() => {
        const { connected, instanceId } = team.health();
        return { connected, instanceId, ...(!connected && { warning: 'team Redis unreachable: serving from local state' }) };
      }),
    guards: [...security.guards, ...(host.guards ?? [])],
    authorize: security.authorize,
    modelAccess: { authorize: security.authorizeModel, allows: security.modelAllowed },
    extraRoutes: (router) => {
      adminRoutes.mount(router);
      host.extraRoutes?.(router, parts);
    },
  });

  const agate: Agate = {
    ...parts,
    admin,
    app,
    requestListener,
    routes: routes.list(),
    get server() {
      return server;
    },
    async start() {
      if (server) return server;
      const settings = config();
      security.assertSafeListen();
      server = await listen(agate.requestListener, settings.host, settings.port, {
        maxHeaderBytes: settings.server.maxHeaderBytes,
        requestTimeoutMs: settings.server.requestTimeoutMs,
        maxConnections: settings.server.maxConnections,
        maxConnectionsPerAddress: settings.server.maxConnectionsPerAddress,
        onConnectionsRefused: ({ cap, limit, refused, address }) =>
          logger.warn(`connections closed on arrival: server.${cap} (${limit}) reached`, { refused, address }),
        renderError: (err, path) => renderers[protocolFamilyOf(path)](err),
      });
      pool.startQuotaPolling();
      await team?.heartbeat.update({ url: server.url });
      // With auth on, clients need the primary key ("agate keys primary") or a client key.
      logger.info('gateway listening', { url: server.url, auth: effectiveAuthMode(settings.authMode, settings.host) });
      admin.gatewayChanged();
      return server;
    },
    async stop() {
      const running = server;
      server = undefined;
      adminRoutes.closeStreams();
      if (running) await running.close(config().server.shutdownGraceMs);
      if (running) admin.gatewayChanged();
    },
    async close() {
      await agate.stop();
      admin.close();
      await pool.close();
      // Provider usage is saved at most once a second; the last second's spend must survive a normal stop.
      await providerPool.flush();
      await observability?.close();
      await security.close();
      await upstream.close();
      await teamRequests?.close();
      await teamPool?.close();
      await teamSlots?.close();
      await team?.close();
    },
  };
  return agate;
}
