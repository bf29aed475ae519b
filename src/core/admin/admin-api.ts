/**
 * The admin API's implementation: one function per method of the table in protocol.ts, over the pool, providers,
 * security, monitor and settings. Over 400 lines because it implements every admin method in one object, so that
 * both transports (HTTP routes, webview messages) and both hosts call the same code; the shared pieces
 * (parameter checks, overview, connect calls) are their own modules.
 */
import type { AccountPool, AccountView, SignInSession } from '../accounts';
import { AccountSetupError } from '../accounts';
import { ConfigError, isConfigKey, validateConfig, withChanges } from '../config/load';
import type { GatewayConfig } from '../config/types';
import { GatewayError, type GatewayErrorKind } from '../errors';
import { coreMessage, englishOf, type CoreMessage, type MessageCode } from '../messages';
import type { Observability } from '../monitor';
import type { Clock, Logger } from '../ports';
import type { ProviderRegistry, ProviderStatus, ProviderUsageToday, ProviderView } from '../providers';
import { effectiveAuthMode, UnsafeListenError, type ClientKeyInput, type Security } from '../security';
import { assertSafeListen } from '../security/lan-policy';
import type { ConnectEnvironment } from '../connect';
import { ownerEnvironment } from '../connect';
import { createConnectCalls } from './connect-calls';
import { poolOverview } from './overview';
import { checkAdminParams } from './params-check';
import type { AdminCalls, AdminMethod, AdminParams, AdminResult, RequestFilter } from './protocol';
import {
  PROXY_SETTING_KEYS,
  type AdminAccount,
  type AdminClientKey,
  type AdminEvent,
  type AdminImportReport,
  type GatewayInfo,
  type ProxyInfo,
  type ProxySettingKey,
  type ProxySettings,
  type SettingsUpdateResult,
  type ConfigUpdateResult,
} from './types';

export interface AdminApiDeps {
  pool: AccountPool;
  observability: Observability | undefined;
  config: () => GatewayConfig;
  clock: Clock;
  logger: Logger;
  version: string;
  /** The running server's base URL, if any. */
  serverUrl: () => string | undefined;
  security: Pick<Security, 'keys' | 'primaryKey' | 'rotatePrimaryKey'>;
  /** The host's settings writer (AgateHost.updateSettings); absent: the API Proxy panel is read-only. */
  updateSettings?: (changes: Record<string, unknown>) => Promise<SettingsUpdateResult>;
  /** The host's writer for any configuration key (AgateHost.updateConfig); absent: `agate config set` cannot reach this gateway. */
  updateConfig?: (changes: Record<string, unknown>) => Promise<ConfigUpdateResult>;
  /** Where the host keeps the settings, as the panel names it. */
  settingsLocation?: string;
  /** The host's start/stop (AgateHost.setRunning); absent: not from the dashboard. */
  setRunning?: (running: boolean) => Promise<void>;
  /** The API-key providers of the data dir. */
  providers: ProviderRegistry;
  /** A provider's use and spend of today, where the host routes through its providers. */
  providerUsage?: (id: string) => ProviderUsageToday;
  /** Team mode: the link to the team's Redis, for the overview's warning. */
  teamHealth?: () => { connected: boolean; instanceId?: string };
  /** Whether a provider can take a request now, or why not (cooling down, a cap), where the host routes through them. */
  providerStatus?: (id: string) => ProviderStatus;
  /** Whose settings files "Connect a client" writes; default the gateway process owner's, as `agate connect` does. */
  connectEnvironment?: () => ConnectEnvironment;
}

/**
 * The dashboard's view of the core, host-independent: one `call` table for
 * the HTTP routes and the webview's postMessage relay, and one live feed.
 */
export interface AdminApi {
  /** Validates `params` (they come off the wire) and runs the call; throws GatewayError. */
  call<M extends AdminMethod>(method: M, params: unknown): Promise<AdminResult<M>>;
  /** Live monitor rows and account changes; returns the unsubscribe function. */
  subscribe(listener: (event: AdminEvent) => void): () => void;
  /** Tells subscribers the gateway started or stopped. */
  gatewayChanged(): void;
  /** Cancels a Google sign-in still waiting for the browser. */
  close(): void;
}

/** An access token handed to the Antigravity IDE stays valid at least this long. */
const IDE_TOKEN_MIN_VALIDITY_MS = 15 * 60_000;

const invalid = (message: string, param?: string) => new GatewayError('invalid_request', message, { param });
/** A refusal the dashboard or the CLI words in its user's language (the English stays the error's message). */
const refused = (kind: GatewayErrorKind, detail: CoreMessage, param?: string) => new GatewayError(kind, englishOf(detail), { param, detail });

/** The core's configuration error (`config.invalid.<fault>`), about an edited setting: the same fault, named as the setting's. */
const SETTING_ERRORS: Record<string, MessageCode> = {
  unknownSetting: 'admin.setting.unknown',
  oneOf: 'admin.setting.oneOf',
  other: 'admin.setting.other',
};
function settingError(err: ConfigError): GatewayError {
  const prefix = 'config.invalid.';
  const code = err.detail.code.startsWith(prefix) ? SETTING_ERRORS[err.detail.code.slice(prefix.length)] : undefined;
  if (!code) return invalid(`Setting ${err.message.replace(/^invalid configuration: /, '')}`, err.key);
  return refused('invalid_request', coreMessage(code, err.detail.params), err.key);
}

type Fields = Record<string, unknown>;

/** The monitor's filter from checked parameters: empty strings (a cleared field) filter nothing. */
export function requestFilterOf(params: AdminParams<'requests'>): RequestFilter {
  const filter: RequestFilter = {};
  for (const [name, value] of Object.entries(params) as Array<[keyof RequestFilter, unknown]>) {
    if (value !== undefined && value !== '') (filter as Fields)[name] = value;
  }
  return filter;
}

function statsRangeOf(params: AdminParams<'statsCsv'>, now: number): { from: number; to: number; granularity: 'hour' | 'day' } {
  const to = params.to ?? now;
  const from = params.from ?? to - 24 * 3600_000;
  if (from >= to) throw invalid('"from" must be before "to"', 'from');
  return { from, to, granularity: params.granularity ?? 'hour' };
}

/** The soonest end of the model limits, when they leave no model to serve. */
function limitedUntil(view: AccountView): number | undefined {
  if (view.state !== 'active' || view.usable) return undefined;
  const ends = view.models.flatMap((model) => (model.limit ? [model.limit.until] : []));
  return ends.length > 0 ? Math.min(...ends) : undefined;
}

export function toAdminAccount(view: AccountView): AdminAccount {
  const account: AdminAccount = {
    id: view.id,
    email: view.email,
    plan: view.plan,
    priority: view.priority,
    state: view.state,
    usable: view.usable,
    models: view.models.map((model) => {
      const quota: AdminAccount['models'][number] = { model: model.id };
      if (model.displayName) quota.displayName = model.displayName;
      if (model.remainingFraction !== undefined) quota.remainingFraction = model.remainingFraction;
      if (model.resetAt !== undefined) quota.resetAt = model.resetAt;
      if (model.limit) quota.limit = model.limit;
      return quota;
    }),
  };
  if (view.tier) account.tier = view.tier;
  if (view.stateReason) account.stateReason = view.stateReason;
  const until = limitedUntil(view);
  if (until !== undefined) account.limitedUntil = until;
  if (view.actionUrl) account.actionUrl = view.actionUrl;
  if (view.quotaFetchedAt !== undefined) account.quotaFetchedAt = view.quotaFetchedAt;
  if (view.quotaError) account.quotaError = view.quotaError;
  if (view.lastUsedAt !== undefined) account.lastUsedAt = view.lastUsedAt;
  return account;
}

export function proxySettingsOf(config: GatewayConfig): ProxySettings {
  return {
    port: config.port,
    host: config.host,
    allowLanAccess: config.allowLanAccess,
    authMode: config.authMode,
    'scheduling.mode': config.scheduling.mode,
    'models.aliases': config.models.aliases,
    'models.groups': config.models.groups,
  };
}

/**
 * Changes as they would be in force: each key vetted by `vetKey`, then the whole configuration checked
 * against the schema and the LAN policy. A bad edit is a 400 naming its key.
 */
function checkChanges(current: GatewayConfig, params: Fields, vetKey: (key: string) => void): Record<string, unknown> {
  const changes = params.changes;
  if (typeof changes !== 'object' || changes === null || Array.isArray(changes))
    throw refused('invalid_request', coreMessage('admin.changes.notObject'), 'changes');
  const keys = Object.keys(changes);
  if (keys.length === 0) throw refused('invalid_request', coreMessage('admin.changes.empty'), 'changes');
  keys.forEach(vetKey);
  const candidate = withChanges(current, changes as Record<string, unknown>);
  try {
    assertSafeListen(validateConfig(candidate));
    // Until a restart binds the new address, the server still listens on the old one: the new auth mode must be safe there too.
    assertSafeListen({ ...candidate, host: current.host, allowLanAccess: current.allowLanAccess });
  } catch (err) {
    if (err instanceof ConfigError) throw settingError(err);
    if (err instanceof UnsafeListenError)
      throw refused('invalid_request', err.detail, ['host', 'allowLanAccess', 'authMode'].find((key) => key in changes) ?? keys[0]);
    throw err;
  }
  return changes as Record<string, unknown>;
}

/** Only the dashboard panel's keys. */
export function checkSettingsChanges(current: GatewayConfig, params: Fields): Record<string, unknown> {
  return checkChanges(current, params, (key) => {
    if (!PROXY_SETTING_KEYS.includes(key as ProxySettingKey)) {
      throw refused('invalid_request', coreMessage('admin.setting.notInPanel', { key, keys: PROXY_SETTING_KEYS.join(', ') }), key);
    }
  });
}

/** Any configuration key but `dataDir` (the owner's data dir is where it keeps them). */
export function checkConfigChanges(current: GatewayConfig, params: Fields): Record<string, unknown> {
  return checkChanges(current, params, (key) => {
    if (key === 'dataDir') throw refused('invalid_request', coreMessage('admin.setting.dataDir'), key);
    if (!isConfigKey(key)) throw refused('invalid_request', coreMessage('admin.setting.notConfigKey', { key }), key);
  });
}

/** Setup failures (a bad refresh token) are the caller's to fix: 400 with the step that failed. */
async function asClientError<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof AccountSetupError) throw invalid(err.message);
    throw err;
  }
}

export function createAdminApi(deps: AdminApiDeps): AdminApi {
  const { pool, observability, config, clock, logger } = deps;
  const listeners = new Set<(event: AdminEvent) => void>();
  let signIn: SignInSession | undefined;

  const emit = (event: AdminEvent) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (err) {
        logger.warn('An admin event listener failed', { error: String(err) });
      }
    }
  };
  // Subscribed to the sources only while someone listens, so an idle dashboard costs the hot path nothing.
  let unsubscribeSources: (() => void) | undefined;
  const subscribeSources = () => {
    const offs = [
      pool.on('added', (view) => emit({ type: 'account', account: toAdminAccount(view) })),
      pool.on('updated', (view) => emit({ type: 'account', account: toAdminAccount(view) })),
      pool.on('removed', ({ id }) => emit({ type: 'account-removed', id })),
      deps.providers.on((event) =>
        emit(event.type === 'updated' ? { type: 'provider', provider: withUsage(event.provider) } : { type: 'provider-removed', id: event.id }),
      ),
    ];
    if (observability) {
      offs.push(
        observability.monitor.subscribe((event) => {
          // Other instances' requests (team mode) are followed through the monitor, never shown as this gateway's.
          if (event.type === 'peer') return;
          emit(event.type === 'started' ? { type: 'request-started', request: event.request } : { type: 'request-finished', record: event.record });
        }),
      );
    }
    return () => offs.forEach((off) => off());
  };

  const withUsage = (view: ProviderView): ProviderView => ({
    ...view,
    ...(deps.providerUsage ? { today: deps.providerUsage(view.id) } : {}),
    ...(deps.providerStatus ? { status: deps.providerStatus(view.id) } : {}),
  });

  const accountOrThrow = (id: string): AccountView => {
    const view = pool.get(id);
    if (!view) throw refused('not_found', coreMessage('admin.account.notFound', { id }), 'id');
    return view;
  };
  const accounts = () => pool.list().map(toAdminAccount);
  const monitorOrThrow = () => {
    if (!observability) throw refused('unavailable', coreMessage('admin.unavailable.monitor'));
    return observability;
  };

  const gateway = (): GatewayInfo => {
    const settings = config();
    const url = deps.serverUrl();
    const info: GatewayInfo = {
      version: deps.version,
      running: url !== undefined,
      authMode: effectiveAuthMode(settings.authMode, settings.host),
      schedulingMode: settings.scheduling.mode,
      accounts: pool.stats(),
      canSignIn: true,
      observability: observability !== undefined,
    };
    if (url) info.url = url;
    const instanceId = deps.teamHealth?.().instanceId;
    if (instanceId) info.team = { instanceId };
    return info;
  };

  /** Saved values that wait for a server restart, until the settings in force catch up with them. */
  const pendingRestart = new Map<ProxySettingKey, unknown>();
  const overridden = new Map<ProxySettingKey, unknown>();
  const clientKeys = async (): Promise<AdminClientKey[]> =>
    (await deps.security.keys.list()).map((key) => {
      const view: AdminClientKey = { id: key.id, name: key.name, hint: key.hint, createdAt: key.createdAt, today: key.today };
      if (key.allowedModels) view.allowedModels = key.allowedModels;
      if (Object.keys(key.limits).length > 0) view.limits = key.limits;
      return view;
    });
  const proxy = async (): Promise<ProxyInfo> => {
    const settings = proxySettingsOf(config());
    const pending: Record<string, unknown> = {};
    for (const [key, value] of pendingRestart) {
      if (JSON.stringify(settings[key]) === JSON.stringify(value)) pendingRestart.delete(key);
      else pending[key] = value;
    }
    return {
      gateway: gateway(),
      settings,
      pendingRestart: pending as Partial<ProxySettings>,
      overridden: Object.fromEntries(overridden) as Partial<ProxySettings>,
      settingsWritable: deps.updateSettings !== undefined,
      canStartStop: deps.setRunning !== undefined,
      settingsLocation: deps.settingsLocation ?? 'not saved by this host',
      keys: await clientKeys(),
    };
  };

  const connect = createConnectCalls({
    config,
    serverUrl: deps.serverUrl,
    primaryKey: () => deps.security.primaryKey(),
    environment: deps.connectEnvironment ?? ownerEnvironment,
  });

  /** One handler per call of protocol.ts, given its parameters already checked against the call's schema. */
  const handlers: { [M in AdminMethod]: (params: AdminCalls[M][0]) => Promise<AdminCalls[M][1]> } = {
    gateway: async () => gateway(),
    accounts: async () => accounts(),
    async accountAction({ id, action }) {
      accountOrThrow(id);
      if (action === 'refreshQuota') await pool.refreshQuota(id);
      else if (action === 'enable') await pool.enable(id);
      else if (action === 'disable') await pool.disable(id);
      else await pool.remove(id);
      return accounts();
    },
    providers: async () => deps.providers.list().map(withUsage),
    addProvider: async (params) => withUsage(await deps.providers.add(params)),
    updateProvider: async ({ id, ...patch }) => withUsage(await deps.providers.update(id, patch)),
    async providerAction({ id, action }) {
      if (action === 'refreshModels') await deps.providers.refreshModels(id);
      else if (action === 'remove') await deps.providers.remove(id);
      else await deps.providers.update(id, { enabled: action === 'enable' });
      return deps.providers.list().map(withUsage);
    },
    async reorderAccounts({ ids }) {
      ids.forEach(accountOrThrow);
      await pool.reorder(ids);
      return accounts();
    },
    async addAccount(params) {
      const refreshToken = params.refreshToken.trim();
      if (!refreshToken) throw invalid('"refreshToken" is required', 'refreshToken');
      const expectedEmail = params.expectedEmail;
      return toAdminAccount((await asClientError(pool.addByRefreshToken(refreshToken, expectedEmail ? { expectedEmail } : {}))).account);
    },
    async importAccounts({ content }) {
      if (content === undefined) throw invalid('"content" is required: the accounts file, as text or parsed', 'content');
      const report = await asClientError(pool.importAccounts(content));
      const result: AdminImportReport = {
        added: report.added.map(toAdminAccount),
        updated: report.updated.map(toAdminAccount),
        failed: report.failed,
      };
      return result;
    },
    async reauthenticate({ id, refreshToken }) {
      accountOrThrow(id);
      return toAdminAccount(await asClientError(pool.reauthenticate(id, refreshToken ? { refreshToken } : {})));
    },
    async beginSignIn({ loginHint }) {
      signIn?.cancel();
      const session = await pool.beginSignIn(loginHint ? { loginHint } : {});
      signIn = session;
      // The pool adds the account when the browser comes back; the dashboard sees it as an account event.
      session.completion.then(
        () => undefined,
        (err: unknown) => logger.info('dashboard sign-in ended without an account', { error: err instanceof Error ? err.message : String(err) }),
      );
      return { authorizeUrl: session.authorizeUrl, redirectUri: session.redirectUri };
    },
    async requests(params) {
      const { monitor } = monitorOrThrow();
      return { inFlight: monitor.inFlight(), records: monitor.list(requestFilterOf(params)) };
    },
    async teamRequests() {
      // Followed through the team's request stream; the other instances keep their own full history.
      return monitorOrThrow().monitor.peers();
    },
    async request({ id }) {
      const { monitor } = monitorOrThrow();
      // The ring is the monitor's memory: a request older than it is only in the log file.
      const record = monitor.list({ limit: Number.MAX_SAFE_INTEGER }).find((candidate) => candidate.id === id);
      if (!record) throw new GatewayError('not_found', `No recent request has the id "${id}"`, { param: 'id' });
      return record;
    },
    async overview() {
      const now = clock.now();
      const midnight = new Date(now).setHours(0, 0, 0, 0);
      const totals = observability?.stats.query({ from: midnight, to: now + 1, granularity: 'hour', groupBy: 'none' }).series[0]?.total;
      return poolOverview({
        accounts: pool.snapshot(),
        mode: config().scheduling.mode,
        now,
        today: observability ? { requests: totals?.requests ?? 0, errors: totals?.errors ?? 0 } : undefined,
        team: deps.teamHealth?.(),
      });
    },
    async stats(params) {
      const range = statsRangeOf(params, clock.now());
      return rangeChecked(() => monitorOrThrow().stats.query({ ...range, groupBy: params.groupBy ?? 'model' }));
    },
    async statsCsv(params) {
      const range = statsRangeOf(params, clock.now());
      return rangeChecked(() => monitorOrThrow().stats.exportCsv(range));
    },
    proxy,
    async updateSettings(params) {
      if (!deps.updateSettings) throw refused('unavailable', coreMessage('admin.unavailable.settings'));
      const changes = checkSettingsChanges(config(), params);
      const result = await deps.updateSettings(changes);
      for (const key of Object.keys(changes) as ProxySettingKey[]) {
        overridden.delete(key);
        pendingRestart.delete(key);
      }
      for (const key of result.overridden ?? []) overridden.set(key, changes[key]);
      for (const key of result.restartRequired) pendingRestart.set(key, changes[key]);
      emit({ type: 'gateway', gateway: gateway() });
      return proxy();
    },
    async setRunning({ running }) {
      if (!deps.setRunning) throw refused('unavailable', coreMessage('admin.unavailable.running'));
      await deps.setRunning(running);
      return proxy();
    },
    async createClientKey(params) {
      // The key manager checks the name, the model list and the limits (400 naming the field).
      const input: ClientKeyInput = { name: params.name, allowedModels: params.allowedModels, limits: params.limits };
      if (input.allowedModels === undefined || (Array.isArray(input.allowedModels) && input.allowedModels.length === 0)) delete input.allowedModels;
      if (input.limits === undefined) delete input.limits;
      const issued = await deps.security.keys.create(input);
      return { id: issued.id, key: issued.key, proxy: await proxy() };
    },
    async rotateClientKey({ id }) {
      const issued = await deps.security.keys.rotate(id);
      return { id: issued.id, key: issued.key };
    },
    async revokeClientKey({ id }) {
      await deps.security.keys.revoke(id);
      return proxy();
    },
    primaryKey: async () => ({ key: await deps.security.primaryKey() }),
    async ideCredentials({ id }) {
      // The IDE needs most of the token's hour, not the scheduler's 90 s margin.
      const tokens = await asClientError(pool.handoverTokens(id, IDE_TOKEN_MIN_VALIDITY_MS));
      return { ...tokens, clientId: config().oauth.clientId };
    },
    rotatePrimaryKey: async () => ({ key: await deps.security.rotatePrimaryKey() }),
    connectClients: connect.connectClients,
    previewConnect: connect.previewConnect,
    connectClient: connect.connectClient,
    disconnectClient: connect.disconnectClient,
    async updateConfig(params) {
      if (!deps.updateConfig) throw refused('unavailable', coreMessage('admin.unavailable.config'));
      const result = await deps.updateConfig(checkConfigChanges(config(), params));
      emit({ type: 'gateway', gateway: gateway() });
      return result;
    },
  };

  return {
    call<M extends AdminMethod>(method: M, params: unknown): Promise<AdminResult<M>> {
      try {
        const handler = handlers[method] as (checked: AdminParams<M>) => Promise<AdminResult<M>>;
        return handler(checkAdminParams(method, params));
      } catch (err) {
        return Promise.reject(err);
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      unsubscribeSources ??= subscribeSources();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          unsubscribeSources?.();
          unsubscribeSources = undefined;
        }
      };
    },
    gatewayChanged() {
      if (listeners.size > 0) emit({ type: 'gateway', gateway: gateway() });
    },
    close() {
      signIn?.cancel();
      signIn = undefined;
    },
  };
}

/** A range too large for the stats is the caller's mistake. */
function rangeChecked<T>(query: () => T): T {
  try {
    return query();
  } catch (err) {
    if (err instanceof RangeError) throw invalid(err.message);
    throw err;
  }
}
