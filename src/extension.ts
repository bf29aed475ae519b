import fs from 'node:fs';
import * as vscode from 'vscode';
import { createAgate } from './core/agate';
import { PRIMARY_KEY_SECRET } from './core/security/primary-key';
import { dataDirPrimaryKey } from './core/stores/data-dir-secrets';
import { JsonFileStore } from './core/stores/json-file-store';
import { ClaudeTerminals } from './vscode/claude-terminal';
import { COMMANDS, TERMINAL_PROFILE_ID } from './vscode/command-ids';
import { registerCommands } from './vscode/commands';
import { GatewayService, type GatewayState } from './vscode/gateway-service';
import { createOutputLogger } from './vscode/output-log';
import { SecretStorageStore } from './vscode/secret-storage';
import { readGatewayConfig, readHostSettings, SECTION, writeGatewaySettings } from './vscode/settings';
import { explainStartFailure, explainInvalidSettings } from './vscode/start-failure';
import { RemoteGateway } from './vscode/remote-gateway';
import { applyRemoteGateway, REMOTE_GATEWAY_SETTING } from './vscode/team-gateway-commands';
import { TeamRedisSecrets } from './vscode/team-redis';
import { StatusBar, type StatusBarView } from './vscode/status-bar';

/** What `vscode.extensions.getExtension('agate.agate').exports` gives other extensions. */
export interface AgateExtensionApi {
  /** Where clients reach the gateway (the configured address while it is stopped). */
  baseUrl(): string | undefined;
  readonly state: GatewayState;
  readonly onDidChangeState: vscode.Event<GatewayState>;
  /** How long `activate` took, in milliseconds. */
  readonly activationMs: number;
  /** Internals for the extension-host tests; present only when VS Code runs the extension under tests. */
  readonly testing?: AgateTestingApi;
}

export interface AgateTestingApi {
  readonly gateway: GatewayService;
  readonly statusBar: StatusBarView;
  readonly remoteGateway: RemoteGateway;
  readSecret(key: string): Thenable<string | undefined>;
  readonly globalStorageDir: string;
}

let deactivation: (() => Promise<void>) | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<AgateExtensionApi> {
  const started = performance.now();
  const channel = vscode.window.createOutputChannel('Agate', { log: true });
  const logger = createOutputLogger(channel);
  context.subscriptions.push(channel, logger);

  // Extension hosts run on Node, where global storage is a local folder (on the remote machine in remote windows).
  const dataDir = context.globalStorageUri.fsPath;
  fs.mkdirSync(dataDir, { recursive: true });
  const underTest = context.extensionMode === vscode.ExtensionMode.Test;
  // A team's Redis this editor's gateway joined (store.redis.*): kept in SecretStorage, read before the first configuration.
  const teamRedis = new TeamRedisSecrets(context.secrets);
  await teamRedis.load();
  const service = new GatewayService({
    build: (config) =>
      createAgate({
        config,
        secrets: new SecretStorageStore(context.secrets),
        documents: new JsonFileStore(dataDir),
        logger,
        version: String(context.extension.packageJSON.version),
        // The tests and a development host (any window of them may own the gateway) point it at the upstream
        // simulator; an installed extension refuses its answers.
        allowSimulator: context.extensionMode !== vscode.ExtensionMode.Production,
        settingsLocation: `VS Code user settings (${SECTION}.*)`,
        async updateSettings(changes) {
          await writeGatewaySettings(changes);
          // Applied now rather than on the change event, so the dashboard's answer shows them in force.
          await service.settingsChanged();
          return { restartRequired: [] };
        },
        async setRunning(running) {
          // Through the command, which keeps the own gateway stopped (and says so) while a team gateway is in use.
          if (running) await vscode.commands.executeCommand(COMMANDS.start);
          // Not awaited: a stop waits for the requests in flight, and this may be one (another window's Stop).
          else void service.stop();
        },
      }),
    readConfig: () => readGatewayConfig(dataDir, teamRedis.configValues()),
    logger,
    // One window owns the gateway of this editor's storage; the others attach to it (and one takes over when it goes).
    ownership: {
      dataDir,
      version: String(context.extension.packageJSON.version),
      primaryKey: async () => context.secrets.get(PRIMARY_KEY_SECRET),
    },
  });
  deactivation = () => service.dispose();

  // A team gateway (setting agate.remoteGateway) replaces this editor's own for its terminals and clients.
  const remote = new RemoteGateway(context.secrets, () => readHostSettings().remoteGateway, logger);
  const statusBar = new StatusBar(service, () => readHostSettings().statusBarModel, remote);
  const terminals = new ClaudeTerminals(context, service, readHostSettings, remote);
  context.subscriptions.push(remote, statusBar);
  registerCommands({ context, service, terminals, channel, remote, teamRedis });

  const setRunningContext = (state: GatewayState) => vscode.commands.executeCommand('setContext', 'agate.running', state.kind === 'running');
  context.subscriptions.push(
    vscode.window.registerTerminalProfileProvider(TERMINAL_PROFILE_ID, terminals),
    service.onDidChangeState((state) => {
      void setRunningContext(state);
      void terminals.syncInjection();
      if (state.kind === 'failed')
        void explainStartFailure(state.error, { useOtherAgate: (owner) => service.useForeign(owner, dataDirPrimaryKey(owner.dataDir)) });
    }),
    service.onDidRejectSettings((error) => void explainInvalidSettings(error)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(SECTION)) return;
      void service.settingsChanged();
      if (event.affectsConfiguration(`${SECTION}.${REMOTE_GATEWAY_SETTING}`)) void applyRemoteGateway(service, remote).then(() => terminals.syncInjection());
      statusBar.render();
      void terminals.syncInjection();
    }),
  );
  void setRunningContext(service.state);

  // This window owns the gateway, or attaches to the window that does. An owner assembles the core even when the
  // server does not start, so that accounts can be managed and the status bar shows their quota; a failure here
  // is in the log and explained on the next start.
  await service.claim();
  if (service.owns) await service.core().catch(() => undefined);
  // With a team gateway this editor's own stays stopped; its quota shows once the team gateway answers (not awaited:
  // an unreachable team gateway must not hold up the activation).
  void remote.reload();
  if (readHostSettings().autoStart && !remote.active) await service.start();

  const activationMs = Math.round(performance.now() - started);
  logger.info(`Agate activated in ${activationMs} ms`, { state: service.state.kind, url: service.baseUrl() });
  return {
    baseUrl: () => service.baseUrl(),
    get state() {
      return service.state;
    },
    onDidChangeState: service.onDidChangeState,
    activationMs,
    testing: underTest
      ? { gateway: service, statusBar, remoteGateway: remote, readSecret: (key) => context.secrets.get(key), globalStorageDir: dataDir }
      : undefined,
  };
}

/** VS Code waits for this promise: the port is free once it settles. */
export function deactivate(): Promise<void> | undefined {
  const release = deactivation;
  deactivation = undefined;
  return release?.();
}
