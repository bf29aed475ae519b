import os from 'node:os';
import path from 'node:path';
import { configSchema, schemaDefaults } from './definition';
import type { GatewayConfig } from './types';

export { DEFAULT_PORT } from './definition';

/** `$XDG_DATA_HOME/agate` when XDG_DATA_HOME is set, else `~/.agate`: read at each call, not at load. */
export function defaultDataDir(): string {
  return process.env.XDG_DATA_HOME ? path.join(process.env.XDG_DATA_HOME, 'agate') : path.join(os.homedir(), '.agate');
}

/** Every key's default from the definition, the data dir from the environment; in the definition's order. */
export function defaultConfig(): GatewayConfig {
  const defaults = schemaDefaults();
  return Object.fromEntries(Object.keys(configSchema.properties).map((key) => [key, key === 'dataDir' ? defaultDataDir() : defaults[key]])) as GatewayConfig;
}
