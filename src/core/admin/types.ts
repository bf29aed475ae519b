/**
 * The admin API's wire types: what the HTTP routes answer and what the
 * webview's postMessage transport carries. Plain JSON, no secrets; the
 * dashboard (webview-ui) imports these as types only.
 */
import type { AccountState, ModelLimit, Plan } from '../accounts/types';
import type { AuthMode, ModelGroup, SchedulingMode } from '../config/types';
import type { AttemptRecord } from '../dispatch';
import type { ClientProtocol } from '../ir';
import type { InFlightRequest, RequestRecord } from '../monitor/types';
import type { KeyLimits } from '../security/client-keys';
import type { StatsGranularity, StatsGroupBy, StatsQueryResult } from '../monitor/token-stats';
import type { PoolOverview } from './overview';

export type { AttemptRecord, ClientProtocol, InFlightRequest, RequestRecord, StatsGranularity, StatsGroupBy, StatsQueryResult };
export type { StatsTotals } from '../monitor/tally';
export type { NextPick, PoolAccountIssue, PoolModel, PoolOverview } from './overview';
export type { AuthMode, ModelGroup, SchedulingMode };

export interface AdminModelQuota {
  model: string;
  displayName?: string;
  /** 0…1 of the model's quota left; absent when the upstream did not say. */
  remainingFraction?: number;
  /** Epoch ms when the quota resets. */
  resetAt?: number;
  /** Set while the account cannot serve this model. */
  limit?: ModelLimit;
}

export interface AdminAccount {
  id: string;
  email: string;
  tier?: string;
  plan: Plan;
  /** Lower runs first. */
  priority: number;
  state: AccountState;
  stateReason?: string;
  /** Epoch ms the soonest model limit ends, when every model is limited. */
  limitedUntil?: number;
  actionUrl?: string;
  usable: boolean;
  models: AdminModelQuota[];
  quotaFetchedAt?: number;
  quotaError?: string;
  lastUsedAt?: number;
}

export type AccountAction = 'refreshQuota' | 'enable' | 'disable' | 'remove';

export interface GatewayInfo {
  version: string;
  /** Base URL clients use, while the server runs. */
  url?: string;
  running: boolean;
  authMode: 'off' | 'strict' | 'all_except_health';
  schedulingMode: string;
  accounts: { total: number; usable: number };
  /** Whether this host can start a Google sign-in (a loopback browser redirect). */
  canSignIn: boolean;
  /** Whether the monitor and token stats are on. */
  observability: boolean;
}

/** The settings the API Proxy panel edits, by their dotted configuration key (the VS Code setting is `agate.<key>`). */
export const PROXY_SETTING_KEYS = ['port', 'host', 'allowLanAccess', 'authMode', 'scheduling.mode', 'models.aliases', 'models.groups'] as const;
export type ProxySettingKey = (typeof PROXY_SETTING_KEYS)[number];

export interface ProxySettings {
  port: number;
  host: string;
  allowLanAccess: boolean;
  authMode: AuthMode;
  'scheduling.mode': SchedulingMode;
  'models.aliases': Record<string, string>;
  'models.groups': Record<string, ModelGroup>;
}

/** A client key as the dashboard lists it: never the key itself. */
export interface AdminClientKey {
  id: string;
  name: string;
  /** `sk-agate-<id>_…` and the last characters. */
  hint: string;
  createdAt: number;
  allowedModels?: string[];
  /** Absent fields: no limit. */
  limits?: KeyLimits;
  today: { requests: number; tokens: number; inFlight: number };
}

/** What an import of an accounts file did, entry by entry. */
export interface AdminImportReport {
  added: AdminAccount[];
  updated: AdminAccount[];
  /** `index` is the entry's position in the file. */
  failed: Array<{ index: number; email?: string; error: string }>;
}

/** What a host answers after saving configuration keys (`agate config set`). */
export interface ConfigUpdateResult {
  /** Saved keys that apply only when the gateway starts again. */
  restartRequired: string[];
  /** Saved keys whose saved value a command-line flag or an `AGATE_*` variable overrides. */
  overridden: string[];
}

/** Everything the API Proxy panel shows. */
export interface ProxyInfo {
  gateway: GatewayInfo;
  /** The settings in force. */
  settings: ProxySettings;
  /** Saved settings that take effect only when the server restarts (the CLI host), with their saved values. */
  pendingRestart: Partial<ProxySettings>;
  /** Saved settings that a command-line flag or an `AGATE_*` variable overrides (the CLI host), with their saved values. */
  overridden: Partial<ProxySettings>;
  /** Whether this host can save settings (else the panel is read-only). */
  settingsWritable: boolean;
  /** Whether this host can start and stop the server from the dashboard. */
  canStartStop: boolean;
  /** Where the host keeps the settings, for the panel to say: `VS Code settings (agate.*)` or a file path. */
  settingsLocation: string;
  keys: AdminClientKey[];
}

/** What a host answers after saving settings. */
export interface SettingsUpdateResult {
  /** Saved keys that apply only after a restart of the server. */
  restartRequired: ProxySettingKey[];
  /** Saved keys whose saved value a higher layer (a flag, an environment variable) overrides. */
  overridden?: ProxySettingKey[];
}

export interface RequestFilter {
  status?: number | 'ok' | 'error';
  model?: string;
  account?: string;
  protocol?: ClientProtocol;
  limit?: number;
  /** Id of the last row of the previous page. */
  before?: string;
}

export interface StatsRequest {
  from: number;
  to: number;
  granularity: StatsGranularity;
  groupBy: StatsGroupBy;
}

export type AdminEvent =
  | { type: 'request-started'; request: InFlightRequest }
  | { type: 'request-finished'; record: RequestRecord }
  | { type: 'account'; account: AdminAccount }
  | { type: 'account-removed'; id: string }
  | { type: 'gateway'; gateway: GatewayInfo };

/** Every call the dashboard makes: name → [params, result]. One table for both transports. */
export interface AdminCalls {
  gateway: [Record<string, never>, GatewayInfo];
  accounts: [Record<string, never>, AdminAccount[]];
  accountAction: [{ id: string; action: AccountAction }, AdminAccount[]];
  reorderAccounts: [{ ids: string[] }, AdminAccount[]];
  /** `expectedEmail`: refused unless the token is that account's. */
  addAccount: [{ refreshToken: string; expectedEmail?: string }, AdminAccount];
  /** An accounts file's text or parsed content (see the CLI's `accounts import`). */
  importAccounts: [{ content: unknown }, AdminImportReport];
  reauthenticate: [{ id: string; refreshToken?: string }, AdminAccount];
  /** Starts a Google sign-in; the caller opens `authorizeUrl` in a browser on this machine. */
  beginSignIn: [{ loginHint?: string }, { authorizeUrl: string; redirectUri: string }];
  requests: [RequestFilter, { inFlight: InFlightRequest[]; records: RequestRecord[] }];
  request: [{ id: string }, RequestRecord];
  stats: [StatsRequest, StatsQueryResult];
  /** Pool-wide quota, account states, today's counts, the scheduler's next pick and a health verdict. */
  overview: [Record<string, never>, PoolOverview];
  statsCsv: [Omit<StatsRequest, 'groupBy'>, string];
  proxy: [Record<string, never>, ProxyInfo];
  /** Dotted keys of PROXY_SETTING_KEYS → new values; checked with the configuration schema, then saved by the host. */
  updateSettings: [{ changes: Partial<ProxySettings> }, ProxyInfo];
  setRunning: [{ running: boolean }, ProxyInfo];
  /** The key is in the answer once; only its hash is kept. */
  createClientKey: [{ name: string; allowedModels?: string[]; limits?: KeyLimits }, { id: string; key: string; proxy: ProxyInfo }];
  /** A new secret for the same key; the old one stops working. Shown once. */
  rotateClientKey: [{ id: string }, { id: string; key: string }];
  revokeClientKey: [{ id: string }, ProxyInfo];
  /** The user's own key, for the snippets' "reveal". */
  primaryKey: [Record<string, never>, { key: string }];
  /**
   * Tokens to sign the Antigravity IDE into an account (`agate ide switch`): a fresh access token, its expiry,
   * the refresh token and the OAuth client that issued it. Secret: only for the user's own processes.
   */
  ideCredentials: [{ id: string }, { email: string; tier?: string; accessToken: string; expiresAt: number; refreshToken: string; clientId: string }];
  /** Replaces the primary key at once: the old one is refused from the next request on. */
  rotatePrimaryKey: [Record<string, never>, { key: string }];
  /** Any configuration key but `dataDir` (dotted) → new value; checked, saved by the host, applied live where the core allows. */
  updateConfig: [{ changes: Record<string, unknown> }, ConfigUpdateResult];
}

export type AdminMethod = keyof AdminCalls;
export type AdminParams<M extends AdminMethod> = AdminCalls[M][0];
export type AdminResult<M extends AdminMethod> = AdminCalls[M][1];

/** Webview → host. */
export interface AdminRequestMessage {
  kind: 'admin-call';
  id: number;
  method: AdminMethod;
  params: unknown;
}

/** Host → webview. */
export type AdminHostMessage =
  | { kind: 'admin-result'; id: number; ok: true; result: unknown }
  | { kind: 'admin-result'; id: number; ok: false; error: string; status: number }
  | { kind: 'admin-event'; event: AdminEvent };

/** Every method name, for validating what a transport received. */
export const ADMIN_METHODS: readonly AdminMethod[] = [
  'gateway',
  'accounts',
  'accountAction',
  'reorderAccounts',
  'addAccount',
  'importAccounts',
  'reauthenticate',
  'beginSignIn',
  'requests',
  'request',
  'stats',
  'overview',
  'statsCsv',
  'proxy',
  'updateSettings',
  'setRunning',
  'createClientKey',
  'rotateClientKey',
  'revokeClientKey',
  'primaryKey',
  'ideCredentials',
  'rotatePrimaryKey',
  'updateConfig',
];
