/**
 * The admin API's wire types: what its calls answer (the calls themselves
 * are in protocol.ts). Plain JSON, no secrets; the dashboard (webview-ui)
 * imports these as types only.
 */
import type { AccountState, ModelLimit, Plan } from '../accounts/types';
import type { AuthMode, ModelGroup, SchedulingMode } from '../config/types';
import type { AttemptRecord } from '../dispatch';
import type { ClientProtocol } from '../ir';
import type { InFlightRequest, RequestRecord } from '../monitor/types';
import type { ProviderView } from '../providers/types';
import type { KeyLimits } from '../security/client-keys';
import type { StatsGranularity, StatsGroupBy, StatsQueryResult } from '../monitor/token-stats';

export type { AttemptRecord, ClientProtocol, InFlightRequest, RequestRecord, StatsGranularity, StatsGroupBy, StatsQueryResult };
export type { StatsTotals } from '../monitor/tally';
export type { NextPick, PoolAccountIssue, PoolModel, PoolOverview } from './overview';
export type { AuthMode, ModelGroup, SchedulingMode };
export type { ProviderView };

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
  /** Team mode: this instance's id (the monitor can follow the other instances' requests, `teamRequests`). */
  team?: { instanceId: string };
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

/** A client the dashboard's "Connect a client" box can write the settings of (`agate connect <id>`). */
export interface ConnectClientState {
  id: string;
  title: string;
  summary: string;
  /** Its settings files, for people: `~/.claude/settings.json`. */
  files: string[];
  /** How to run it once connected. */
  run: string;
  /** Its files already hold this gateway's base URL and key. */
  connected: boolean;
  /** A backup of an earlier connect is there: Disconnect restores the files from it. */
  canDisconnect: boolean;
  /** Why the state is unknown: a settings file Agate cannot read. */
  error?: string;
}

/** One settings file as a connect would change it: the diff masks the key, and holds nothing else of it. */
export interface ConnectFilePreview {
  /** The file on the gateway's machine. */
  path: string;
  displayPath: string;
  /** The file is there already (else connect creates it). */
  exists: boolean;
  changed: boolean;
  /** Unified diff; empty when nothing changes. */
  diff: string;
}

/** What connecting a client would write (`previewConnect`) or wrote (`connectClient`, with `written`). */
export interface ConnectPreview {
  id: string;
  title: string;
  /** Nothing would change: the client already uses this gateway with these settings. */
  connected: boolean;
  /** The base URL the files point the client at. */
  baseUrl: string;
  files: ConnectFilePreview[];
  run: string;
}

export interface ConnectResult extends ConnectPreview {
  /** The files written; empty when the client was connected already. */
  written: string[];
}

/** What a Disconnect put back. */
export interface DisconnectResult {
  id: string;
  title: string;
  /** Files restored from their backup. */
  restored: string[];
  /** Files connect had created, removed. */
  removed: string[];
  /** Files changed by someone else since connect: those later edits are undone too. */
  changedSince: string[];
}

export type AdminEvent =
  | { type: 'request-started'; request: InFlightRequest }
  | { type: 'request-finished'; record: RequestRecord }
  | { type: 'account'; account: AdminAccount }
  | { type: 'account-removed'; id: string }
  | { type: 'provider'; provider: ProviderView }
  | { type: 'provider-removed'; id: string }
  | { type: 'gateway'; gateway: GatewayInfo };
