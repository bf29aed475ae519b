import * as vscode from 'vscode';
import { ConfigError, loadConfig } from '../core/config/load';
import { coreText } from './core-messages';
import type { GatewayConfig } from '../core/config/types';
import { GATEWAY_SETTINGS, SECTION } from './settings-definition';

/**
 * Which gateway configuration keys are settings (the same dotted name under `agate.`, so the README's
 * configuration reference holds for the CLI and the editor alike) is defined in settings-definition.ts,
 * beside the editor-only settings; package.json is generated from it.
 */
export { GATEWAY_SETTINGS, SECTION } from './settings-definition';

/** Settings of the editor host only (not gateway configuration). */
export interface HostSettings {
  autoStart: boolean;
  /** A team gateway this editor uses instead of its own (its client key is in SecretStorage); empty = none. */
  remoteGateway: string;
  /** Upstream model id whose quota the status bar shows; empty = the best remaining Claude model. */
  statusBarModel: string;
  injectIntoAllTerminals: boolean;
  claudeCode: ClaudeCodeModels;
}

/** Claude Code's model variables; an empty value leaves the variable unset (Claude Code's own default). */
export interface ClaudeCodeModels {
  model: string;
  opusModel: string;
  sonnetModel: string;
  haikuModel: string;
  subagentModel: string;
}

export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

function section(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION);
}

function isSet(settings: vscode.WorkspaceConfiguration, key: string): boolean {
  const inspected = settings.inspect(key);
  return (
    inspected !== undefined && (inspected.globalValue !== undefined || inspected.workspaceValue !== undefined || inspected.workspaceFolderValue !== undefined)
  );
}

/**
 * The gateway configuration: the core's defaults, overridden by every `agate.*` gateway setting the user set.
 * `dataDir` is the extension's global storage folder. `secretValues`: configuration the editor keeps in
 * SecretStorage rather than settings (the team's Redis, by dotted key). Throws SettingsError naming the bad setting.
 */
export function readGatewayConfig(dataDir: string, secretValues: Record<string, unknown> = {}): GatewayConfig {
  const settings = section();
  const values: Record<string, unknown> = {};
  for (const key of GATEWAY_SETTINGS) if (isSet(settings, key)) values[key] = settings.get<unknown>(key);
  Object.assign(values, secretValues);
  try {
    // Not the process environment: in the editor, settings are the one source of configuration. They arrive
    // typed, and the loader checks them with the same schema as a config file, naming the setting at fault.
    return loadConfig({
      env: {},
      flags: { dataDir },
      settings: {
        values,
        describe: (key) =>
          key in secretValues ? vscode.l10n.t('the team joined with "Agate: Join a Team (Redis)…"') : vscode.l10n.t('setting {0}', `${SECTION}.${key}`),
      },
    });
  } catch (err) {
    // The core says what is wrong as a message; the user reads it in the editor's language.
    if (err instanceof ConfigError) throw new SettingsError(coreText(err.detail));
    throw err;
  }
}

export function readHostSettings(): HostSettings {
  const settings = section();
  const text = (key: string) => settings.get<string>(key, '').trim();
  return {
    autoStart: settings.get<boolean>('autoStart', true),
    remoteGateway: text('remoteGateway'),
    statusBarModel: text('statusBar.model'),
    injectIntoAllTerminals: settings.get<boolean>('injectIntoAllTerminals', false),
    claudeCode: {
      model: text('claudeCode.model'),
      opusModel: text('claudeCode.opusModel'),
      sonnetModel: text('claudeCode.sonnetModel'),
      haikuModel: text('claudeCode.haikuModel'),
      subagentModel: text('claudeCode.subagentModel'),
    },
  };
}

/** Writes a gateway setting for the user (all of them are application- or machine-scoped). */
export function updateGatewaySetting(key: string, value: unknown): Thenable<void> {
  return section().update(key, value, vscode.ConfigurationTarget.Global);
}

/**
 * Saves the dashboard's edits (dotted gateway keys, already checked against the schema) as user settings,
 * the way the Settings editor would; the service then applies them (a listen change restarts the server).
 */
export async function writeGatewaySettings(changes: Record<string, unknown>): Promise<void> {
  for (const [key, value] of Object.entries(changes)) {
    if (!GATEWAY_SETTINGS.includes(key)) throw new SettingsError(`${SECTION}.${key} is not a gateway setting`);
    await updateGatewaySetting(key, value);
  }
}
