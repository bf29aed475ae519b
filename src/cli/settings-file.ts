import fs from 'node:fs';
import path from 'node:path';
import { proxySettingsOf } from '../core/admin/admin-api';
import type { ProxySettingKey, SettingsUpdateResult } from '../core/admin';
import { loadConfig, readConfigFile, withChanges, type ConfigSources } from '../core/config/load';
import type { GatewayConfig } from '../core/config/types';

/** Settings the server binds with: they change only when `agate serve` starts again. */
const LISTEN_KEYS = ['host', 'port', 'allowLanAccess'] as const;

export interface SettingsFile {
  /** The JSON config file edits are saved to: `--config FILE`, else `<dataDir>/config.json`. */
  file: string;
  /** The layers the configuration is loaded from (the file among them). */
  sources: ConfigSources;
}

/** Writes through a temporary file and a rename, so a crash leaves the old file or the new one, never half of one. */
function writeAtomically(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, text, { mode: 0o600 });
  fs.renameSync(temporary, file);
}

/**
 * Saves the dashboard's changes (dotted keys, already checked) into the config
 * file and reloads every layer. The returned configuration is the one to put
 * in force: it keeps the listen address the server is bound to, and the
 * listen keys that changed are reported as waiting for a restart. Flags and
 * `AGATE_*` variables still win over the file, as at start.
 */
export function saveSettings(target: SettingsFile, changes: Record<string, unknown>, running: GatewayConfig): { config: GatewayConfig } & SettingsUpdateResult {
  const previous = fs.existsSync(target.file) ? fs.readFileSync(target.file, 'utf8') : undefined;
  const saved = withChanges(previous === undefined ? {} : readConfigFile(target.file), changes);
  writeAtomically(target.file, JSON.stringify(saved, null, 2) + '\n');
  let loaded: GatewayConfig;
  try {
    loaded = loadConfig({ ...target.sources, file: target.file });
  } catch (err) {
    if (previous === undefined) fs.rmSync(target.file, { force: true });
    else writeAtomically(target.file, previous);
    throw err;
  }
  const inForce = proxySettingsOf(loaded);
  const overridden = (Object.keys(changes) as ProxySettingKey[]).filter((key) => JSON.stringify(inForce[key]) !== JSON.stringify(changes[key]));
  const restartRequired = LISTEN_KEYS.filter((key) => key in changes && !overridden.includes(key) && loaded[key] !== running[key]);
  return {
    config: { ...loaded, host: running.host, port: running.port, allowLanAccess: running.allowLanAccess },
    restartRequired,
    overridden,
  };
}
