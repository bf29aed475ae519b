/** Public shapes of the upstream simulator: what tests, `agate simulate` and `agate demo` pass and read. */

export type FaultKind =
  | 'rate_limited'
  | 'quota_exhausted'
  | 'capacity'
  | 'server_error'
  | 'unauthorized'
  | 'validation_required'
  | 'tos_disabled'
  | 'hang'
  | 'reset_after'
  | 'bad_request';

export const FAULT_KINDS: readonly FaultKind[] = [
  'rate_limited',
  'quota_exhausted',
  'capacity',
  'server_error',
  'unauthorized',
  'validation_required',
  'tos_disabled',
  'hang',
  'reset_after',
  'bad_request',
];

/** Which requests a fault hits and how it behaves. */
export interface FaultSpec {
  kind: FaultKind;
  /** How many matching requests it hits; default 1, `Infinity` until cleared. */
  times?: number;
  /** Only requests of this account (email). */
  account?: string;
  /** Only requests for this model. */
  model?: string;
  /** Only requests through this host label (`/{label}/v1internal:…`). */
  host?: string;
  /** A Cloud Code method name or `*`; default: generateContent and streamGenerateContent. */
  method?: string;
  /** rate_limited: the delay the 429 asks for (default 1000). */
  retryDelayMs?: number;
  /** quota_exhausted: when the quota comes back (default one hour). */
  resetInMs?: number;
  /** server_error: the 5xx status (default 500). */
  status?: number;
  /** reset_after: SSE frames written before the socket is destroyed (default 1). */
  frames?: number;
  /** hang: SSE frames written before the stream stalls (default 0: no response at all). */
  afterFrames?: number;
  /** bad_request: the 400 message. */
  message?: string;
  /** validation_required: the link the user must visit. */
  url?: string;
}

export interface AccountSpec {
  email: string;
  refreshToken: string;
  /** The account's Cloud Code project; derived from the email when absent. */
  projectId?: string;
  /** false: loadCodeAssist reports no project until onboardUser has run. Default true. */
  onboarded?: boolean;
  /** free-tier, standard-tier, g1-pro-tier or g1-ultra-tier. Default free-tier. */
  tier?: string;
  /** Lifetime of issued access tokens; fractions allowed for tests. Default 3600. */
  accessTokenTtlSec?: number;
  /** Starting remainingFraction per model (default 1). */
  quota?: Record<string, number>;
}

export interface AccountInfo {
  email: string;
  projectId: string;
  onboarded: boolean;
  tier: string;
  revoked: boolean;
  /** remainingFraction per model the account has used or was given. */
  quota: Record<string, number>;
}

/** Latency, token-rate and bookkeeping knobs; change them at any time with `configure`. */
export interface SimulatorConfig {
  /** Delay before the response head and first frame (time to first token). */
  firstByteDelayMs: number;
  /** Delay between two SSE frames. */
  frameIntervalMs: number;
  /** How many frames a text answer is split into. */
  framesPerAnswer: number;
  /** remainingFraction consumed by each served generation. */
  quotaCostPerRequest: number;
  /** Length of a quota window; an exhausted model comes back at its end. */
  quotaWindowMs: number;
  /** How many onboardUser answers say `done:false` before the operation completes. */
  onboardingPolls: number;
}

export const DEFAULT_CONFIG: SimulatorConfig = {
  firstByteDelayMs: 0,
  frameIntervalMs: 0,
  framesPerAnswer: 6,
  quotaCostPerRequest: 0.01,
  quotaWindowMs: 5 * 60 * 60 * 1000,
  onboardingPolls: 1,
};

/** One request the simulator received; updated in place while the exchange runs. */
export interface LogEntry {
  id: number;
  /** Epoch ms when the request arrived. */
  time: number;
  /** Host label (`daily`, `prod`, …); `oauth` for the OAuth stand-in; '' without a label. */
  label: string;
  /** Cloud Code method, or token / userinfo / authorize for OAuth. */
  method: string;
  /** Email of the account the request authenticated as. */
  account?: string;
  model?: string;
  /** HTTP status sent; 0 while no response head has been written. */
  status: number;
  stream: boolean;
  /** The client went away before the response was complete. */
  aborted: boolean;
  /** Answer chunks delivered: SSE frames, or 1 for a complete non-streaming answer. */
  frames: number;
  /** The parsed request body (OAuth secrets redacted). */
  body: unknown;
  /** The fault applied to this request, injected or by directive. */
  fault?: FaultKind;
  /** Set when the exchange ends (answered, aborted or reset). */
  durationMs?: number;
  /** Paid-provider requests: the request headers, credentials left out (passthrough tests read anthropic-beta here). */
  headers?: Record<string, string>;
  /** Paid-provider requests: the request body's text as received (passthrough tests compare it byte for byte). */
  rawBody?: string;
}

/** The paid-provider APIs the simulator fakes, each under its own path prefix (`${url}/${kind}`). */
export type ProviderKind = 'anthropic' | 'gemini-api' | 'openai';

export interface ProviderKeySpec {
  provider: ProviderKind;
  key: string;
  /** How the log's `account` names requests made with this key; default: the key redacted. */
  name?: string;
}

export interface ProviderKeyInfo {
  provider: ProviderKind;
  name: string;
  revoked: boolean;
}

export interface SimulatorOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  config?: Partial<SimulatorConfig>;
  accounts?: AccountSpec[];
  /** Key for thought signatures; random per simulator when absent. */
  signatureSecret?: string;
  /** Clock for token expiry, quota windows and log times. */
  now?: () => number;
  /** Oldest log entries are dropped beyond this (default 10000). */
  maxLogEntries?: number;
}

export interface Simulator {
  /** e.g. http://127.0.0.1:PORT — hosts are `${url}/${label}`. */
  readonly url: string;
  readonly log: readonly LogEntry[];
  readonly config: Readonly<SimulatorConfig>;
  /** Adds the account, or replaces the one with that email (its access tokens die). */
  addAccount(spec: AccountSpec): AccountInfo;
  /** Its refresh token answers invalid_grant and its access tokens die. */
  revoke(email: string): void;
  accounts(): AccountInfo[];
  /** An access token as the token endpoint would issue it (tests that skip OAuth). */
  issueAccessToken(email: string): string;
  /**
   * A key the fake paid provider of that kind accepts. Base URLs: Anthropic `${url}/anthropic`,
   * Gemini API `${url}/gemini-api`, OpenAI-compatible `${url}/openai/v1`.
   */
  addProviderKey(spec: ProviderKeySpec): ProviderKeyInfo;
  /** The key is refused from now on (the provider's "invalid key" error). */
  revokeProviderKey(key: string): void;
  providerKeys(): ProviderKeyInfo[];
  /** Returns the fault id. Faults with `host` set to a provider kind hit only that provider. */
  injectFault(spec: FaultSpec): number;
  /** Faults still armed, with how many more requests each will hit. */
  faults(): Array<FaultSpec & { id: number; remaining: number }>;
  clearFaults(): void;
  configure(patch: Partial<SimulatorConfig>): SimulatorConfig;
  /** Clears faults and the log. */
  reset(): void;
  /** Resolves with the first entry (present or future) that matches. */
  waitForLog(predicate: (entry: LogEntry) => boolean, timeoutMs?: number): Promise<LogEntry>;
  close(): Promise<void>;
}
