/**
 * A whole Agate in-process against an upstream simulator: the fixture every
 * end-to-end test (SDKs, CLIs, failure matrix, security) drives over HTTP.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAgate, type Agate, type AgateHost } from '../../src/core/agate';
import { loadConfig } from '../../src/core/config/load';
import type { GatewayConfig } from '../../src/core/config/types';
import { createLogger } from '../../src/core/logging/logger';
import type { SecretStore } from '../../src/core/ports';
import { JsonFileStore } from '../../src/core/stores/json-file-store';
import { startSimulator, type AccountSpec, type Simulator, type SimulatorConfig } from '../../src/simulator';
import { gatewayFlagsFor } from '../../src/simulator/gateway-settings';
import { TestClock } from './test-clock';

/** Every log line any stack wrote during the run, for the secret-leak check. */
export const LOG_CAPTURE_FILE = path.resolve('.test-artifacts/gateway-logs.txt');

export interface StackOptions {
  /** Accounts the simulator knows and the gateway adds (by refresh token, through OAuth). Default: one. */
  accounts?: AccountSpec[];
  /** Accounts the simulator knows but the gateway does not add. */
  extraSimulatorAccounts?: AccountSpec[];
  simulator?: Partial<SimulatorConfig>;
  /** Config by dotted key, as flags (`'scheduling.mode': 'balance'`). */
  flags?: Record<string, string>;
  /** Last word on the config object (maps and arrays). */
  configure?: (config: GatewayConfig) => void;
  host?: Partial<Pick<AgateHost, 'guards' | 'extraRoutes' | 'observability' | 'dashboardDir' | 'connectEnvironment' | 'updateSettings' | 'settingsLocation'>>;
  /** Default false: tests pick a free port. */
  fixedPort?: number;
}

export interface Stack {
  sim: Simulator;
  agate: Agate;
  /** Gateway base URL, e.g. http://127.0.0.1:PORT */
  url: string;
  config: GatewayConfig;
  dataDir: string;
  secrets: MemorySecretStore;
  logs: string[];
  /** The gateway's and the simulator's clock: `clock.advance(ms)` moves both. */
  clock: TestClock;
  /**
   * Closes the gateway and starts a new one on the same data dir, secret store
   * and simulator (accounts are not re-added: they come from storage);
   * `agate` and `url` then point at the new one.
   */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export class MemorySecretStore implements SecretStore {
  readonly values = new Map<string, string>();
  async get(key: string) {
    return this.values.get(key);
  }
  async set(key: string, value: string) {
    this.values.set(key, value);
  }
  async delete(key: string) {
    this.values.delete(key);
  }
}

export const DEFAULT_ACCOUNT: AccountSpec = { email: 'ada@example.com', refreshToken: '1//stack-refresh-ada', tier: 'g1-pro-tier' };

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const accounts = options.accounts ?? [DEFAULT_ACCOUNT];
  const clock = new TestClock();
  const sim = await startSimulator({ config: { quotaCostPerRequest: 0, ...options.simulator }, now: clock.now });
  for (const account of [...accounts, ...(options.extraSimulatorAccounts ?? [])]) sim.addAccount(account);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-test-'));
  const config = loadConfig({
    env: {},
    flags: { ...gatewayFlagsFor(sim.url), dataDir, port: String(options.fixedPort ?? 0), ...options.flags },
  });
  options.configure?.(config);
  const logs: string[] = [];
  fs.mkdirSync(path.dirname(LOG_CAPTURE_FILE), { recursive: true });
  const logger = createLogger({
    level: 'debug',
    sink: (_level, line) => {
      logs.push(line);
      fs.appendFileSync(LOG_CAPTURE_FILE, line + '\n');
    },
  });
  const secrets = new MemorySecretStore();
  const newAgate = () =>
    createAgate({
      config: () => config,
      secrets,
      documents: new JsonFileStore(dataDir),
      logger,
      version: '0.0.0-test',
      allowSimulator: true,
      clock,
      ...options.host,
    });
  const agate = await newAgate();
  for (const account of accounts) await agate.pool.addByRefreshToken(account.refreshToken);
  const server = await agate.start();
  const stack: Stack = {
    sim,
    agate,
    url: server.url,
    config,
    dataDir,
    secrets,
    logs,
    clock,
    async restart() {
      await stack.agate.close();
      stack.agate = await newAgate();
      stack.url = (await stack.agate.start()).url;
    },
    async close() {
      await stack.agate.close();
      await sim.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}
