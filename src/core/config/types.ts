/**
 * The gateway's configuration. Key names are a stable contract: external
 * harnesses set them through the config file, `AGATE_*` variables and flags.
 */
export type SchedulingMode = 'cache-first' | 'balance' | 'performance-first';
export type AuthMode = 'off' | 'strict' | 'all_except_health' | 'auto';

export interface ModelGroup {
  /** ordered: try models in priority order; random: shuffle per request. */
  strategy: 'ordered' | 'random';
  models: string[];
}

export interface GatewayConfig {
  port: number;
  host: string;
  /** Where accounts, secrets (CLI), logs and stats live. */
  dataDir: string;
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  upstream: {
    /** Ordered Cloud Code base URLs (without `/v1internal`); tried in order on network errors, 404, 408, 5xx. */
    hosts: string[];
    userAgent: string;
    /** Outbound HTTP proxy URL for upstream and OAuth calls; empty = direct. */
    proxy: string;
    /** Antigravity identity text placed before the client's system prompt; empty = none (upstream-protocol §2). */
    systemPreamble: string;
    connectTimeoutMs: number;
    firstByteTimeoutMs: number;
    idleTimeoutMs: number;
  };
  oauth: {
    tokenUrl: string;
    userinfoUrl: string;
    authorizeUrl: string;
    clientId: string;
    clientSecret: string;
    /** Refresh the access token this long before it expires. */
    refreshSkewMs: number;
  };
  scheduling: {
    mode: SchedulingMode;
    /** cache-first: wait for the bound account when its cooldown ends within this. */
    stickyWaitMs: number;
    /** 429 RATE_LIMIT_EXCEEDED shorter than this: wait and retry the same account. */
    retrySameAccountMaxDelayMs: number;
    /** Every account limited: wait when the earliest reset is within this, else 429. */
    waitForResetMaxMs: number;
    maxAttempts: number;
    /** Longest a request may take before its answer starts, waits for rate limits and resets included. */
    retryBudgetMs: number;
    /**
     * Longest a request keeps retrying server, network, timeout and capacity errors; time spent waiting
     * out rate limits and quota resets does not count.
     */
    transientRetryBudgetMs: number;
    capacityRetries: number;
    /** 0 = unlimited. */
    perAccountConcurrency: number;
    perModelConcurrency: number;
    /** How long a request may queue for a free slot before failing. */
    queueTimeoutMs: number;
  };
  quota: {
    refreshIntervalMs: number;
  };
  models: {
    /** Client model id (or `prefix*` pattern) → upstream model id or group name. */
    aliases: Record<string, string>;
    groups: Record<string, ModelGroup>;
    /** Claude Code background requests (title, summary, warmup) go here; empty = off. */
    backgroundModel: string;
  };
  server: {
    bodyLimitBytes: number;
    /** Graceful stop: in-flight streams get this long before they are aborted. */
    shutdownGraceMs: number;
    /** Interval of keep-alive frames while the upstream is silent. */
    keepAliveMs: number;
    /** Largest request head (request line + headers) accepted; larger gets 431. */
    maxHeaderBytes: number;
    /** Time a client has to send a whole request, headers and body (slow-body guard); answers may stream for longer. */
    requestTimeoutMs: number;
    /** Open client connections, all addresses together; more are closed as they arrive. */
    maxConnections: number;
    /** Open client connections from one remote address (all local clients share the loopback address). */
    maxConnectionsPerAddress: number;
  };
  /** OpenAI protocol options. */
  openai: {
    /** Return thoughts as `reasoning_content` on Chat Completions. */
    exposeReasoning: boolean;
  };
  /** Image/file URLs in requests are fetched by the gateway under these caps (public addresses only). */
  media: {
    /** Largest body of one media URL. */
    maxBytes: number;
    /** Largest sum of the media fetched for one request (declared sizes count before reading). */
    maxTotalBytes: number;
    /** Most media URLs one request may name. */
    maxUrls: number;
    /** Downloads in flight for one request. */
    concurrency: number;
    /** Downloads in flight across all requests. */
    globalConcurrency: number;
    timeoutMs: number;
  };
  /** Request monitor (live view + request log in `<dataDir>/monitor`). */
  monitor: {
    ringSize: number;
    maxFileBytes: number;
    maxFiles: number;
  };
  /** Token statistics (`<dataDir>/stats`). */
  stats: {
    retentionDays: number;
  };
  authMode: AuthMode;
  allowLanAccess: boolean;
  /** Extra Host names accepted besides loopback (DNS-rebinding guard). */
  allowedHosts: string[];
  /** Browser origins allowed to call the gateway (CORS); empty = none. */
  allowedOrigins: string[];
}
