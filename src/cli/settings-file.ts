import fs from 'node:fs';
import path from 'node:path';
import { needsRestart } from '../core/agate';
import { loadConfig, readConfigFile, withChanges, type ConfigSources } from '../core/config/load';
import type { GatewayConfig } from '../core/config/types';
import { writeFileAtomic } from '../core/stores/atomic-file';

export interface SettingsFile {
  /** The JSON config file edits are saved to: `--config FILE`, else `<dataDir>/config.json`. */
  file: string;
  /** The layers the configuration is loaded from (the file among them). */
  sources: ConfigSources;
}

function valueAt(config: GatewayConfig, key: string): unknown {
  return key
    .split('.')
    .reduce<unknown>((node, name) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[name] : undefined), config);
}

/** Saves to one file run one after another: each reads what the previous one wrote. */
const saving = new Map<string, Promise<unknown>>();

/**
 * Saves the dashboard's changes (dotted keys, already checked) into the config
 * file and reloads every layer. The returned configuration is the one to put
 * in force: it keeps the listen address the server is bound to, and the
 * listen keys that changed are reported as waiting for a restart. Flags and
 * `AGATE_*` variables still win over the file, as at start.
 */
export function saveSettings(
  target: SettingsFile,
  changes: Record<string, unknown>,
  running: GatewayConfig,
): Promise<{ config: GatewayConfig; restartRequired: string[]; overridden: string[] }> {
  const file = path.resolve(target.file);
  const result = (saving.get(file) ?? Promise.resolve()).catch(() => undefined).then(() => save(target, changes, running));
  saving.set(file, result);
  void result.finally(() => saving.get(file) === result && saving.delete(file)).catch(() => undefined);
  return result;
}

async function save(
  target: SettingsFile,
  changes: Record<string, unknown>,
  running: GatewayConfig,
): Promise<{ config: GatewayConfig; restartRequired: string[]; overridden: string[] }> {
  const previous = fs.existsSync(target.file) ? fs.readFileSync(target.file, 'utf8') : undefined;
  const saved = withChanges(previous === undefined ? {} : readConfigFile(target.file), changes);
  await writeFileAtomic(target.file, JSON.stringify(saved, null, 2) + '\n');
  let loaded: GatewayConfig;
  try {
    loaded = loadConfig({ ...target.sources, file: target.file });
  } catch (err) {
    if (previous === undefined) fs.rmSync(target.file, { force: true });
    else await writeFileAtomic(target.file, previous);
    throw err;
  }
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const overridden = Object.keys(changes).filter((key) => !same(valueAt(loaded, key), changes[key]));
  // Listen and build-time keys wait for the next start; the rest is read per request and applies at once.
  const restartRequired = Object.keys(changes).filter(
    (key) => needsRestart(key) && !overridden.includes(key) && !same(valueAt(loaded, key), valueAt(running, key)),
  );
  return {
    config: { ...loaded, host: running.host, port: running.port, allowLanAccess: running.allowLanAccess },
    restartRequired,
    overridden,
  };
}
