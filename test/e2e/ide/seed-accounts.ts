/**
 * Adds accounts to a data dir against a simulator, in a process of its own with the CLI's environment (so the
 * secrets key comes from the same keychain or key file the CLI then uses). The CLI itself refuses the simulator
 * as an upstream outside "agate demo". Usage: seed-accounts.ts DATA_DIR SIMULATOR_URL REFRESH_TOKEN…
 */
import { createCliAgate } from '../../../src/cli/host';
import { loadConfig } from '../../../src/core/config/load';
import { gatewayFlagsFor } from '../../../src/simulator/gateway-settings';

async function main() {
  const [dataDir, simulatorUrl, ...tokens] = process.argv.slice(2);
  const config = loadConfig({ env: {}, flags: { dataDir, ...gatewayFlagsFor(simulatorUrl) } });
  const agate = await createCliAgate(config, { allowSimulator: true, observability: false });
  for (const token of tokens) await agate.pool.addByRefreshToken(token);
  await agate.close();
}

void main();
