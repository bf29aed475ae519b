/**
 * Team mode under test: one real redis-server, one upstream simulator, and N whole gateways in this process,
 * each with its own data dir and its own connection to the Redis (as N `agate serve` processes would have),
 * all on one TestClock with the simulator. A round-robin front (round-robin.ts) makes clients alternate.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAgate, type Agate } from '../../../src/core/agate';
import { loadConfig } from '../../../src/core/config/load';
import type { GatewayConfig } from '../../../src/core/config/types';
import { createLogger } from '../../../src/core/logging/logger';
import { JsonFileStore } from '../../../src/core/stores/json-file-store';
import { startSimulator, type AccountSpec, type Simulator, type SimulatorConfig } from '../../../src/simulator';
import { gatewayFlagsFor } from '../../../src/simulator/gateway-settings';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server';
import { DEFAULT_ACCOUNT, LOG_CAPTURE_FILE, MemorySecretStore } from '../../helpers/stack';
import { TestClock } from '../../helpers/test-clock';
import { waitUntil } from '../../helpers/wait-until';

export interface TeamMember {
  agate: Agate;
  url: string;
  config: GatewayConfig;
  dataDir: string;
  logs: string[];
}

export interface TeamStack {
  redis: RedisServer;
  sim: Simulator;
  clock: TestClock;
  members: TeamMember[];
  urls: string[];
  close(): Promise<void>;
}

export interface TeamStackOptions {
  accounts?: AccountSpec[];
  /** Gateways sharing the Redis (default 2). */
  instances?: number;
  simulator?: Partial<SimulatorConfig>;
  /** Config by dotted key, for every member. */
  flags?: Record<string, string>;
  /** Config by dotted key for one member (over `flags`), e.g. its own upstream host label. */
  memberFlags?: (index: number, simulatorUrl: string) => Record<string, string>;
  /** Log lines kept in memory (and in the capture file): off for the long runs. */
  keepLogs?: boolean;
  /** The dashboard bundle every member serves (browser tests). */
  dashboardDir?: string;
}

export async function startTeamStack(options: TeamStackOptions = {}): Promise<TeamStack> {
  const accounts = options.accounts ?? [DEFAULT_ACCOUNT];
  const clock = new TestClock();
  const redis = await startRedisServer();
  const sim = await startSimulator({ config: { quotaCostPerRequest: 0, ...options.simulator }, now: clock.now });
  for (const account of accounts) sim.addAccount(account);
  // One prefix per team: tests that share a Redis never see each other's keys.
  const keyPrefix = `agate-test-${crypto.randomBytes(4).toString('hex')}:`;
  const members: TeamMember[] = [];
  fs.mkdirSync(path.dirname(LOG_CAPTURE_FILE), { recursive: true });

  for (let index = 0; index < (options.instances ?? 2); index++) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `agate-team-${index}-`));
    const config = loadConfig({
      env: {},
      flags: {
        ...gatewayFlagsFor(sim.url),
        dataDir,
        port: '0',
        'store.redis.url': redis.url,
        'store.redis.keyPrefix': keyPrefix,
        'store.redis.secretKey': 'team-test-secret',
        ...options.flags,
        ...options.memberFlags?.(index, sim.url),
      },
    });
    const logs: string[] = [];
    const logger = createLogger({
      level: options.keepLogs === false ? 'warn' : 'debug',
      sink: (_level, line) => {
        if (options.keepLogs === false) return;
        logs.push(line);
        fs.appendFileSync(LOG_CAPTURE_FILE, line + '\n');
      },
    });
    const agate = await createAgate({
      config: () => config,
      secrets: new MemorySecretStore(),
      documents: new JsonFileStore(dataDir),
      logger,
      version: '0.0.0-test',
      allowSimulator: true,
      clock,
      ...(options.dashboardDir && { dashboardDir: options.dashboardDir }),
    });
    const server = await agate.start();
    members.push({ agate, url: server.url, config, dataDir, logs });
  }

  // Accounts are added once, on the first instance; the pool side shares them with the others. Where it
  // does not (yet), each instance adds them itself, as an operator would with the same refresh tokens.
  const [first, ...others] = members;
  for (const account of accounts) await first.agate.pool.addByRefreshToken(account.refreshToken);
  for (const member of others) {
    try {
      await waitUntil(() => member.agate.pool.list().length === accounts.length, 'the other instance sees the accounts', 3_000);
    } catch {
      for (const account of accounts) await member.agate.pool.addByRefreshToken(account.refreshToken);
    }
  }

  return {
    redis,
    sim,
    clock,
    members,
    urls: members.map((member) => member.url),
    async close() {
      for (const member of members) await member.agate.close();
      await sim.close();
      await redis.stop();
      for (const member of members) fs.rmSync(member.dataDir, { recursive: true, force: true });
    },
  };
}
