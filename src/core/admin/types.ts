/**
 * The admin API's wire types: what the HTTP routes answer and what the
 * webview's postMessage transport carries. Plain JSON, no secrets; the
 * dashboard (webview-ui) imports these as types only.
 */
import type { AccountState, ModelLimit, Plan } from '../accounts/types';
import type { AttemptRecord } from '../dispatch';
import type { ClientProtocol } from '../ir';
import type { InFlightRequest, RequestRecord } from '../monitor/types';
import type { StatsGranularity, StatsGroupBy, StatsQueryResult } from '../monitor/token-stats';

export type { AttemptRecord, ClientProtocol, InFlightRequest, RequestRecord, StatsGranularity, StatsGroupBy, StatsQueryResult };
export type { StatsTotals } from '../monitor/tally';

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
  addAccount: [{ refreshToken: string }, AdminAccount];
  reauthenticate: [{ id: string; refreshToken?: string }, AdminAccount];
  /** Starts a Google sign-in; the caller opens `authorizeUrl` in a browser on this machine. */
  beginSignIn: [Record<string, never>, { authorizeUrl: string }];
  requests: [RequestFilter, { inFlight: InFlightRequest[]; records: RequestRecord[] }];
  request: [{ id: string }, RequestRecord];
  stats: [StatsRequest, StatsQueryResult];
  statsCsv: [Omit<StatsRequest, 'groupBy'>, string];
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
  'reauthenticate',
  'beginSignIn',
  'requests',
  'request',
  'stats',
  'statsCsv',
];
