/**
 * The upstream simulator: a faithful, strict, fast and deterministic stand-in
 * for Google's OAuth and the Antigravity Cloud Code upstream. Powers
 * `agate simulate`, `agate demo`, every test and every benchmark.
 * See README.md for the directives and the control API.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFacade } from './facade';
import { createSimServer } from './server';
import { parseConfigPatch } from './specs';
import { SimState } from './state';
import type { AccountInfo, Simulator, SimulatorOptions } from './types';
import { DEMO_ACCOUNT, DEMO_PROVIDER } from './demo';

export type {
  AccountInfo,
  AccountSpec,
  FaultKind,
  ProviderKeyInfo,
  ProviderKeySpec,
  ProviderKind,
  FaultSpec,
  LogEntry,
  Simulator,
  SimulatorConfig,
  SimulatorOptions,
} from './types';
export { DEFAULT_CONFIG, FAULT_KINDS } from './types';
export { SIM_MODELS, type SimModel } from './models';
export { PROVIDER_MODELS, type ProviderModel } from './providers/catalog';
export { SKIP_SIGNATURE_SENTINEL } from './signatures';
export { SpecError } from './specs';

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const state = new SimState(options, parseConfigPatch(options.config ?? {}));
  const host = options.host ?? '127.0.0.1';
  let server: Server | undefined;
  const sim = createFacade(state, () => closeServer(server!));
  server = createSimServer(state, sim);
  await listen(server, options.port ?? 0, host);
  const { port } = server.address() as AddressInfo;
  state.baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  for (const spec of options.accounts ?? []) sim.addAccount(spec);
  return sim;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Stops at once: open streams and hanging requests are cut, keep-alive sockets closed. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export { DEMO_ACCOUNT, DEMO_PROVIDER } from './demo';

export function seedDemoProvider(sim: Simulator): void {
  sim.addProviderKey({ ...DEMO_PROVIDER });
}

/** Adds the demo account: a Pro tier with some quota already used, so the dashboard has something to show. */
export function seedDemoAccount(sim: Simulator): AccountInfo {
  return sim.addAccount({
    ...DEMO_ACCOUNT,
    tier: 'g1-pro-tier',
    quota: { 'claude-opus-4-6-thinking': 0.8, 'claude-sonnet-4-6': 0.65, 'gemini-3.1-pro-high': 0.9 },
  });
}
