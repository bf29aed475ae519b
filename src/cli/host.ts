import fs from 'node:fs';
import { createAgate, type Agate, type AgateHost } from '../core/agate';
import type { GatewayConfig } from '../core/config/types';
import { createLogger, stderrSink } from '../core/logging/logger';
import { dataDirSecrets } from './secret-store';
import { JsonFileStore } from '../core/stores/json-file-store';
import { version } from '../../package.json';
import type { ProxySettingKey } from '../core/admin';
import { saveSettings, type SettingsFile } from './settings-file';

export const AGATE_VERSION: string = version;

export interface CliHostOptions {
  allowSimulator?: boolean;
  extraRoutes?: AgateHost['extraRoutes'];
  guards?: AgateHost['guards'];
  observability?: AgateHost['observability'];
  /** Where the dashboard's settings edits go; absent: the dashboard cannot change settings. */
  settings?: SettingsFile;
}

/**
 * The headless host: secrets in an AES-GCM file keyed from the OS keychain
 * (else a 0600 key file), documents as JSON files, logs on stderr — all in the
 * data dir.
 */
export async function createCliAgate(config: GatewayConfig, options: CliHostOptions = {}): Promise<Agate> {
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const logger = createLogger({ level: config.logLevel, sink: stderrSink, timestamps: true });
  const { settings, ...hostOptions } = options;
  let current = config;
  /** Saves `changes` to the settings file, applies them to the running gateway, and logs who saved what. */
  const save = async (file: SettingsFile, changes: Record<string, unknown>, by: string) => {
    const saved = await saveSettings(file, changes, current);
    current = saved.config;
    logger.info(by, { file: file.file, keys: Object.keys(changes), restartRequired: saved.restartRequired, overridden: saved.overridden });
    return saved;
  };
  return createAgate({
    // Swapped when the dashboard saves settings: what is read per request applies at once.
    config: () => current,
    secrets: dataDirSecrets(config.dataDir),
    documents: new JsonFileStore(config.dataDir),
    logger,
    version: AGATE_VERSION,
    // A headless process has no editor proxy settings: the usual environment variables stand in.
    proxyFromEnvironment: true,
    ...(settings && {
      settingsLocation: settings.file,
      async updateSettings(changes: Record<string, unknown>) {
        const saved = await save(settings, changes, 'settings saved from the dashboard');
        // The dashboard edits only its panel's keys, so these lists name only those.
        return { restartRequired: saved.restartRequired as ProxySettingKey[], overridden: saved.overridden as ProxySettingKey[] };
      },
      async updateConfig(changes: Record<string, unknown>) {
        const saved = await save(settings, changes, 'configuration saved by "agate config set"');
        return { restartRequired: saved.restartRequired, overridden: saved.overridden };
      },
    }),
    ...hostOptions,
  });
}
