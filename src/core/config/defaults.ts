import os from 'node:os';
import path from 'node:path';
import type { GatewayConfig } from './types';

/**
 * The public installed-app OAuth client of Antigravity (upstream-protocol §3): the
 * same constants every peer ships. Configurable, since Google may rotate them.
 */
const ANTIGRAVITY_CLIENT_ID = '1071006060591-tmhssin2h21lcre235vtolojh4g403ep.apps.googleusercontent.com';
const ANTIGRAVITY_CLIENT_SECRET = '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';

export const DEFAULT_PORT = 8045;

export function defaultDataDir(): string {
  return process.env.XDG_DATA_HOME
    ? path.join(process.env.XDG_DATA_HOME, 'agate')
    : path.join(os.homedir(), '.agate');
}

export function defaultConfig(): GatewayConfig {
  return {
    port: DEFAULT_PORT,
    host: '127.0.0.1',
    dataDir: defaultDataDir(),
    logLevel: 'info',
    upstream: {
      // upstream-protocol §1: daily first, then prod.
      hosts: ['https://daily-cloudcode-pa.googleapis.com', 'https://cloudcode-pa.googleapis.com'],
      userAgent: `antigravity/1.15.8 ${os.platform()}/${os.arch()}`,
      proxy: '',
      systemPreamble: '',
      connectTimeoutMs: 10_000,
      firstByteTimeoutMs: 120_000,
      idleTimeoutMs: 120_000,
    },
    oauth: {
      tokenUrl: 'https://oauth2.googleapis.com/token',
      userinfoUrl: 'https://www.googleapis.com/oauth2/v2/userinfo',
      authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
      clientId: ANTIGRAVITY_CLIENT_ID,
      clientSecret: ANTIGRAVITY_CLIENT_SECRET,
      refreshSkewMs: 90_000,
    },
    scheduling: {
      mode: 'cache-first',
      stickyWaitMs: 10_000,
      retrySameAccountMaxDelayMs: 3_000,
      waitForResetMaxMs: 60_000,
      maxAttempts: 8,
      retryBudgetMs: 90_000,
      transientRetryBudgetMs: 20_000,
      capacityRetries: 2,
      perAccountConcurrency: 0,
      perModelConcurrency: 0,
      queueTimeoutMs: 30_000,
    },
    quota: { refreshIntervalMs: 5 * 60_000 },
    models: { aliases: {}, groups: {}, backgroundModel: 'gemini-3-flash' },
    server: {
      bodyLimitBytes: 100 * 1024 * 1024,
      shutdownGraceMs: 5_000,
      keepAliveMs: 15_000,
      maxHeaderBytes: 32 * 1024,
      requestTimeoutMs: 120_000,
      maxConnections: 512,
      maxConnectionsPerAddress: 256,
    },
    openai: { exposeReasoning: true },
    media: {
      maxBytes: 20 * 1024 * 1024,
      maxTotalBytes: 32 * 1024 * 1024,
      maxUrls: 32,
      concurrency: 4,
      globalConcurrency: 16,
      timeoutMs: 15_000,
    },
    monitor: { ringSize: 1_000, maxFileBytes: 10 * 1024 * 1024, maxFiles: 5 },
    stats: { retentionDays: 90 },
    authMode: 'auto',
    allowLanAccess: false,
    allowedHosts: [],
    allowedOrigins: [],
  };
}
