import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Agate } from '../../core/agate';
import type { Listening } from '../../core/server/listener';
import { loadConfig } from '../../core/config/load';
import { effectiveAuthMode } from '../../core/security';
import type { GatewayConfig } from '../../core/config/types';
import type { Simulator } from '../../simulator';
import { DEMO_ACCOUNT, DEMO_PROVIDER } from '../../simulator/demo';
import { gatewayFlagsFor } from '../../simulator/gateway-settings';
import { envNameOf, type ConfigSources } from '../../core/config/load';
import { DataDirBusyError, DataDirLock, describeOwner, type OwnerRole } from '../../core/stores/data-dir-lock';
import { coreMessage } from '../../core/messages';
import { configSources, DATA_DIR_CONFIG_FILE, parse, UsageError } from '../args';
import { AGATE_VERSION, createCliAgate } from '../host';
import { defaultDataDir } from '../../core/config/defaults';
import { accessLogFormatOf, printAccessLog } from '../access-log';
import { l10n, padDisplay } from '../l10n';

const serverOptions = {
  port: { type: 'string' },
  host: { type: 'string' },
  /** No line per request on stdout. */
  quiet: { type: 'boolean' },
  /** The per-request line as `text` (default) or `json`. */
  'log-format': { type: 'string' },
  /** Team mode: the shared Redis (`store.redis.url`). */
  redis: { type: 'string' },
} as const;

/** The per-request lines, unless `--quiet`. */
function startAccessLog(agate: Agate, values: { quiet?: boolean; 'log-format'?: string }): void {
  const format = accessLogFormatOf(values['log-format']);
  if (!values.quiet) printAccessLog(agate, format);
}

/**
 * The simulator, loaded to run one (`simulate`, `demo` without `--simulator`): the bundle keeps it in its own file
 * beside dist/cli.js (scripts/lean-bundle-plugins.mjs), so `serve` never parses it.
 */
const loadSimulator = () => require('../../simulator') as typeof import('../../simulator');

/** `--data-dir DIR` when the gateway's data dir is not the one a bare `agate` command would use. */
function dataDirFlag(config: GatewayConfig): string {
  return path.resolve(config.dataDir) === path.resolve(process.env[envNameOf('dataDir')] ?? defaultDataDir()) ? '' : ` --data-dir ${config.dataDir}`;
}

/** Resolves on the first SIGINT/SIGTERM; a second one exits at once. */
function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.once('SIGINT', () => process.exit(130));
      process.stderr.write(`\n${l10n.t('{0}: stopping (again to force)…', signal)}\n`);
      resolve(signal);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}

/** With auth off any key works; otherwise the user's own clients need the primary key (`agate keys primary`). */
async function printClientHints(agate: Agate, baseUrl: string, config: GatewayConfig): Promise<void> {
  const mode = effectiveAuthMode(config.authMode, config.host);
  const authOn = mode !== 'off';
  const key = authOn ? await agate.security.primaryKey() : 'agate';
  if (authOn) {
    process.stdout.write(
      l10n.t(
        'Auth is on ({0}): clients need the primary key, shown below ("{1}" prints it again).',
        config.authMode,
        `agate keys primary${dataDirFlag(config)}`,
      ) + '\n',
    );
  }
  // Only strict mode closes /healthz too.
  const health = mode === 'strict' ? `curl -H 'authorization: Bearer ${key}' ${baseUrl}/healthz` : `curl ${baseUrl}/healthz`;
  process.stdout.write(
    [
      '',
      l10n.t('Agate is listening on {0}', baseUrl),
      '',
      l10n.t('Point your clients at it:'),
      `  Claude Code     ANTHROPIC_BASE_URL=${baseUrl} ANTHROPIC_API_KEY=${key} claude`,
      `  OpenAI SDK      OPENAI_BASE_URL=${baseUrl}/v1 OPENAI_API_KEY=${key}`,
      `  Gemini SDK      httpOptions.baseUrl=${baseUrl}, apiKey=${key}`,
      `  ${padDisplay(l10n.t('Health'), 16)}${health}`,
      '',
      // The key opens the dashboard once; the page moves it out of the address bar.
      l10n.t('Dashboard: {0}', `${baseUrl}/dashboard${authOn ? `?key=${encodeURIComponent(key)}` : ''}`),
      '',
      l10n.t('Try each protocol:'),
      ...tryItCurls(baseUrl, key).map((line) => `  ${line}`),
      '',
    ].join('\n'),
  );
}

/** One ready-to-paste call per client protocol, with the headers each one authenticates by. */
function tryItCurls(baseUrl: string, key: string): string[] {
  const json = "-H 'content-type: application/json'";
  return [
    `curl ${baseUrl}/v1/messages ${json} -H 'anthropic-version: 2023-06-01' -H 'x-api-key: ${key}' ` +
      `-d '{"model":"claude-sonnet-4-6","max_tokens":256,"messages":[{"role":"user","content":"Hello"}]}'`,
    `curl ${baseUrl}/v1/chat/completions ${json} -H 'authorization: Bearer ${key}' ` +
      `-d '{"model":"gemini-3-flash","messages":[{"role":"user","content":"Hello"}]}'`,
    `curl ${baseUrl}/v1beta/models/gemini-3-flash:generateContent ${json} -H 'x-goog-api-key: ${key}' ` +
      `-d '{"contents":[{"role":"user","parts":[{"text":"Hello"}]}]}'`,
  ];
}

/** The dashboard saves settings to `--config FILE`, else to `<dataDir>/config.json` (which later starts read). */
export function settingsFileOf(sources: ConfigSources, config: GatewayConfig) {
  return { file: sources.file ?? path.join(config.dataDir, DATA_DIR_CONFIG_FILE), sources };
}

/** How long a gateway start waits for an `agate` command that holds the data dir for a moment. */
const LOCK_WAIT_MS = 15_000;

/**
 * Makes this process the data dir's one owner, or refuses naming the gateway
 * that already serves it; a command that holds it for a moment is waited for.
 */
async function ownDataDir(config: GatewayConfig, role: OwnerRole): Promise<DataDirLock> {
  try {
    return await DataDirLock.acquire(config.dataDir, {
      role,
      version: AGATE_VERSION,
      waitMs: LOCK_WAIT_MS,
      giveUp: (holder) => holder.role !== 'cli',
    });
  } catch (err) {
    if (!(err instanceof DataDirBusyError)) throw err;
    const owner = describeOwner(err.owner);
    throw new DataDirBusyError(
      err.owner,
      err.owner.url
        ? coreMessage('dataDir.alreadyServedAt', { dataDir: config.dataDir, owner, url: err.owner.url })
        : coreMessage('dataDir.alreadyServed', { dataDir: config.dataDir, owner }),
    );
  }
}

/** Starts the gateway as the data dir's owner and tells other processes where it listens. */
async function startOwned(agate: Agate, lock: DataDirLock) {
  const server = await agate.start();
  // Other processes read the primary key from the data dir to call the admin API: it must exist before they look.
  await agate.security.primaryKey();
  lock.publish({ url: server.url, port: server.port });
  return server;
}

async function runUntilStopped(agate: Agate, lock: DataDirLock): Promise<void> {
  await untilStopSignal();
  try {
    await agate.close();
  } finally {
    lock.release();
  }
}

/** Assembles and starts the core under the lock; a failure on the way releases what was taken. */
async function serveOwned(lock: DataDirLock, build: () => Promise<Agate>): Promise<{ agate: Agate; server: Listening }> {
  let agate: Agate | undefined;
  try {
    agate = await build();
    const server = await startOwned(agate, lock);
    return { agate, server };
  } catch (err) {
    await agate?.close().catch(() => undefined);
    lock.release();
    throw err;
  }
}

export async function serveCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, serverOptions);
  if (positionals.length > 0) throw new UsageError(l10n.t('{0} takes no arguments, got "{1}"', 'serve', positionals.join(' ')));
  const sources = configSources(values);
  const config = loadConfig(sources);
  const lock = await ownDataDir(config, 'serve');
  const format = accessLogFormatOf(values['log-format']);
  const { agate, server } = await serveOwned(lock, () => createCliAgate(config, { settings: settingsFileOf(sources, config) }));
  await printClientHints(agate, server.url, config);
  if (!values.quiet) printAccessLog(agate, format);
  const { total, usable } = agate.pool.stats();
  if (total === 0) process.stdout.write(l10n.t('No account yet: add one with "agate accounts add --sign-in" (requests answer 503 until then).') + '\n');
  else process.stdout.write(l10n.t('{0} of {1} accounts usable.', usable, total) + '\n');
  await runUntilStopped(agate, lock);
  return 0;
}

/**
 * The gateway against the simulator with the demo account: try Agate with no
 * Google account. The simulator runs in-process, or is one `agate simulate`
 * already serves (`--simulator URL`: the benchmark keeps it in its own process).
 */
export async function demoCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...serverOptions,
    'sim-port': { type: 'string' },
    simulator: { type: 'string' },
    'no-observability': { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(l10n.t('{0} takes no arguments, got "{1}"', 'demo', positionals.join(' ')));
  accessLogFormatOf(values['log-format']);
  let simulator: Simulator | undefined;
  let simulatorUrl = values.simulator?.replace(/\/+$/, '');
  if (!simulatorUrl) {
    const { startSimulator, seedDemoAccount, seedDemoProvider } = loadSimulator();
    simulator = await startSimulator({ port: Number(values['sim-port'] ?? 0) });
    seedDemoAccount(simulator);
    seedDemoProvider(simulator);
    simulatorUrl = simulator.url;
  }
  const sources = configSources(values);
  const temporaryDataDir = sources.flags?.dataDir ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'agate-demo-'));
  // A demo in a fresh folder leaves the user's own config.json alone (an explicit --config still counts).
  if (temporaryDataDir && typeof values.config !== 'string') delete sources.file;
  let config: GatewayConfig;
  const demoSources = { ...sources, flags: { ...gatewayFlagsFor(simulatorUrl), dataDir: temporaryDataDir ?? '', ...sources.flags } };
  try {
    config = loadConfig(demoSources);
  } catch (err) {
    await simulator?.close();
    throw err;
  }
  let lock: DataDirLock;
  try {
    lock = await ownDataDir(config, 'demo');
  } catch (err) {
    await simulator?.close();
    throw err;
  }
  // --no-observability: no request monitor or token stats (benchmarks compare with and without them).
  const { agate, server } = await serveOwned(lock, async () => {
    const agate = await createCliAgate(config, {
      allowSimulator: true,
      observability: !values['no-observability'],
      settings: settingsFileOf(demoSources, config),
    });
    if (!agate.pool.list().some((account) => account.email === DEMO_ACCOUNT.email)) {
      await agate.pool.addByRefreshToken(DEMO_ACCOUNT.refreshToken);
    }
    await addDemoProvider(agate, simulatorUrl!);
    return agate;
  }).catch(async (err: unknown) => {
    await simulator?.close();
    throw err;
  });
  process.stdout.write(demoIntro(simulatorUrl, config.dataDir, temporaryDataDir !== undefined));
  if (agate.providers.find(DEMO_PROVIDER.name)) {
    process.stdout.write(
      `API-key provider beside the account: ${DEMO_PROVIDER.name} (a simulated Anthropic API); ask for model "${DEMO_PROVIDER.name}:claude-sonnet-4-6".\n\n`,
    );
  }
  await printClientHints(agate, server.url, config);
  startAccessLog(agate, values);
  await runUntilStopped(agate, lock);
  await simulator?.close();
  if (temporaryDataDir) fs.rmSync(temporaryDataDir, { recursive: true, force: true });
  return 0;
}

/** The simulated Anthropic provider beside the demo account; a simulator without it (an older `agate simulate`) only loses the provider. */
async function addDemoProvider(agate: Awaited<ReturnType<typeof createCliAgate>>, simulatorUrl: string): Promise<void> {
  if (agate.providers.find(DEMO_PROVIDER.name)) return;
  try {
    await agate.admin.call('addProvider', { name: DEMO_PROVIDER.name, kind: 'anthropic', key: DEMO_PROVIDER.key, baseUrl: `${simulatorUrl}/anthropic` });
  } catch (err) {
    process.stderr.write(`No demo provider: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}

/** What `agate demo` is, and how to steer it. */
function demoIntro(simulatorUrl: string, dataDir: string, temporary: boolean): string {
  return [
    l10n.t('Agate demo: the real gateway, but the answers come from its built-in upstream simulator at {0},', simulatorUrl),
    temporary
      ? l10n.t('not from Google. Account: {0} (simulated). Data: {1} (deleted when the demo stops).', DEMO_ACCOUNT.email, dataDir)
      : l10n.t('not from Google. Account: {0} (simulated). Data: {1}.', DEMO_ACCOUNT.email, dataDir),
    '',
    l10n.t('Steer the simulator with directives in the last user message:'),
    `  [[sim:call NAME {"arg":"value"}]]   ${l10n.t('the model calls tool NAME (the request must declare it)')}`,
    `  [[sim:words 200]]                   ${l10n.t('a 200-word answer, streamed over several frames')}`,
    `  [[sim:fault KIND]]                  ${l10n.t('that upstream failure on every try: rate_limited, quota_exhausted,')}`,
    '                                      capacity, server_error, unauthorized, validation_required, hang, …',
    `                                      ${l10n.t("(watch the retries in the dashboard's monitor)")}`,
    l10n.t('Unlike the real service: answers are fixed text ("Hello from <model>. You said: …"), the same request'),
    l10n.t('always gets the same answer and token counts, each answer uses 1 % of the demo quota (resets after 5 h),'),
    l10n.t('and the simulator refuses what Google refuses (unknown fields, unsupported schema keywords, bad signatures).'),
    '',
    '',
  ].join('\n');
}

/** Only the simulator, for tests and benchmarks that run the gateway elsewhere. */
export async function simulateCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    'latency-ms': { type: 'string' },
    'frame-interval-ms': { type: 'string' },
    'quota-cost': { type: 'string' },
    'log-entries': { type: 'string' },
  });
  const number = (name: 'latency-ms' | 'frame-interval-ms' | 'quota-cost' | 'log-entries', fallback: number) => {
    const value = Number(values[name] ?? fallback);
    if (!Number.isFinite(value) || value < 0) throw new UsageError(l10n.t('--{0} expects a non-negative number', name));
    return value;
  };
  const { startSimulator, seedDemoAccount, seedDemoProvider } = loadSimulator();
  const simulator = await startSimulator({
    port: Number(values.port ?? 0),
    host: values.host ?? '127.0.0.1',
    config: {
      firstByteDelayMs: number('latency-ms', 0),
      frameIntervalMs: number('frame-interval-ms', 0),
      // Fraction of an account's quota one generation uses; 0 keeps load tests from exhausting it.
      quotaCostPerRequest: number('quota-cost', 0.01),
    },
    // Each entry holds its request body: 10,000 of Claude Code's 117 KB requests grew the heap past 1 GB on the
    // core a load test shares with its generator.
    maxLogEntries: Math.floor(number('log-entries', 10_000)),
  });
  seedDemoAccount(simulator);
  seedDemoProvider(simulator);
  // `agate serve` refuses the simulator's answers (a user's gateway must never talk to it); `demo` accepts them.
  process.stdout.write(
    l10n.t('Upstream simulator at {0} (demo account {1}, refresh token {2})', simulator.url, DEMO_ACCOUNT.email, DEMO_ACCOUNT.refreshToken) +
      `\n${l10n.t('Run a gateway against it:')}\n  agate demo --simulator ${simulator.url}\n`,
  );
  await untilStopSignal();
  await simulator.close();
  return 0;
}
