/** JSON Schema of GatewayConfig, checked with ajv at start so a bad key is named before anything listens. */
const positiveInt = { type: 'integer', minimum: 1 } as const;
const nonNegativeInt = { type: 'integer', minimum: 0 } as const;
const url = { type: 'string', pattern: '^https?://[^\\s]+$' } as const;

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['port', 'host', 'dataDir'],
  properties: {
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    host: { type: 'string', minLength: 1 },
    dataDir: { type: 'string', minLength: 1 },
    logLevel: { enum: ['trace', 'debug', 'info', 'warn', 'error'] },
    upstream: {
      type: 'object',
      additionalProperties: false,
      properties: {
        hosts: { type: 'array', minItems: 1, items: url },
        userAgent: { type: 'string', minLength: 1 },
        proxy: { anyOf: [{ const: '' }, url] },
        systemPreamble: { type: 'string' },
        connectTimeoutMs: positiveInt,
        firstByteTimeoutMs: positiveInt,
        idleTimeoutMs: positiveInt,
      },
    },
    oauth: {
      type: 'object',
      additionalProperties: false,
      properties: {
        tokenUrl: url,
        userinfoUrl: url,
        authorizeUrl: url,
        clientId: { type: 'string', minLength: 1 },
        clientSecret: { type: 'string' },
        refreshSkewMs: nonNegativeInt,
      },
    },
    scheduling: {
      type: 'object',
      additionalProperties: false,
      properties: {
        mode: { enum: ['cache-first', 'balance', 'performance-first'] },
        stickyWaitMs: nonNegativeInt,
        retrySameAccountMaxDelayMs: nonNegativeInt,
        waitForResetMaxMs: nonNegativeInt,
        maxAttempts: positiveInt,
        retryBudgetMs: positiveInt,
        transientRetryBudgetMs: positiveInt,
        capacityRetries: nonNegativeInt,
        perAccountConcurrency: nonNegativeInt,
        perModelConcurrency: nonNegativeInt,
        queueTimeoutMs: nonNegativeInt,
      },
    },
    quota: {
      type: 'object',
      additionalProperties: false,
      properties: { refreshIntervalMs: { type: 'integer', minimum: 10_000 } },
    },
    models: {
      type: 'object',
      additionalProperties: false,
      properties: {
        aliases: { type: 'object', additionalProperties: { type: 'string', minLength: 1 } },
        groups: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            required: ['models'],
            properties: {
              strategy: { enum: ['ordered', 'random'] },
              models: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
            },
          },
        },
        backgroundModel: { type: 'string' },
      },
    },
    server: {
      type: 'object',
      additionalProperties: false,
      properties: {
        bodyLimitBytes: positiveInt,
        shutdownGraceMs: nonNegativeInt,
        keepAliveMs: positiveInt,
        maxHeaderBytes: { type: 'integer', minimum: 1024 },
        requestTimeoutMs: { type: 'integer', minimum: 1000 },
        maxConnections: positiveInt,
        maxConnectionsPerAddress: positiveInt,
      },
    },
    openai: {
      type: 'object',
      additionalProperties: false,
      properties: { exposeReasoning: { type: 'boolean' } },
    },
    media: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxBytes: positiveInt,
        maxTotalBytes: positiveInt,
        maxUrls: positiveInt,
        concurrency: positiveInt,
        globalConcurrency: positiveInt,
        timeoutMs: positiveInt,
      },
    },
    monitor: {
      type: 'object',
      additionalProperties: false,
      properties: { ringSize: positiveInt, maxFileBytes: { type: 'integer', minimum: 4096 }, maxFiles: positiveInt },
    },
    stats: {
      type: 'object',
      additionalProperties: false,
      properties: { retentionDays: positiveInt },
    },
    authMode: { enum: ['off', 'strict', 'all_except_health', 'auto'] },
    allowLanAccess: { type: 'boolean' },
    allowedHosts: { type: 'array', items: { type: 'string', minLength: 1 } },
    allowedOrigins: { type: 'array', items: { type: 'string', pattern: '^https?://[^/\\s]+$' } },
  },
} as const;
