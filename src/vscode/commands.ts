import * as vscode from 'vscode';
import { addAccountByRefreshToken, addAccountWithGoogle, importAccounts, manageAccounts, type ManageAccountsArgs } from './account-commands';
import type { ClaudeTerminals } from './claude-terminal';
import { COMMANDS, WALKTHROUGH_ID } from './command-ids';
import { connectClientCommand } from './connect-command';
import { Dashboard } from './dashboard-panel';
import { addApiKeyProvider, manageApiKeyProviders, type AddProviderArgs, type ManageProvidersArgs } from './provider-commands';
import { switchIdeAccountCommand, undoIdeSwitchCommand, type IdeSwitchArgs } from './ide-commands';
import type { GatewayAdmin, GatewayService, GatewayState } from './gateway-service';
import type { RemoteGateway } from './remote-gateway';
import { stopUsingTeamGateway, useTeamGateway, type UseTeamGatewayArgs } from './team-gateway-commands';
import { joinTeamRedis, leaveTeamRedis, type JoinTeamArgs, type TeamRedisSecrets } from './team-redis';

export interface CommandDeps {
  context: vscode.ExtensionContext;
  service: GatewayService;
  terminals: ClaudeTerminals;
  channel: vscode.LogOutputChannel;
  remote: RemoteGateway;
  teamRedis: TeamRedisSecrets;
}

/** Resolves with the base URL it copied (the configured one while the gateway is stopped). */
async function copyBaseUrl(service: GatewayService): Promise<string | undefined> {
  const url = service.baseUrl();
  if (!url) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Agate has no base URL: fix the Agate settings first.'));
    return undefined;
  }
  await vscode.env.clipboard.writeText(url);
  void vscode.window.showInformationMessage(
    service.state.kind === 'running'
      ? vscode.l10n.t('Copied the Agate base URL {0}.', url)
      : vscode.l10n.t('Copied the Agate base URL {0}. The gateway is not running yet.', url),
  );
  return url;
}

/** The key itself goes to the clipboard only: commands' results are readable by any extension. */
async function copyApiKey(service: GatewayService): Promise<void> {
  const { key } = await (await service.admin()).call('primaryKey');
  await vscode.env.clipboard.writeText(key);
  void vscode.window.showInformationMessage(
    vscode.l10n.t('Copied your Agate API key. Clients send it as their API key; the gateway asks for it when auth is on (setting agate.authMode).'),
  );
}

async function rotateApiKey(service: GatewayService, terminals: ClaudeTerminals): Promise<boolean> {
  const rotate = vscode.l10n.t('Rotate Key');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t('Replace the Agate API key? Clients that use the current key (and open Claude Code terminals) will be refused until they get the new one.'),
    { modal: true },
    rotate,
  );
  if (answer !== rotate) return false;
  // In force at once wherever the gateway runs; every window reads the new key from the shared secret storage.
  const { key } = await (await service.admin()).call('rotatePrimaryKey');
  await vscode.env.clipboard.writeText(key);
  await terminals.syncInjection();
  void vscode.window.showInformationMessage(vscode.l10n.t('Agate has a new API key; it is on the clipboard.'));
  return true;
}

interface MenuItem extends vscode.QuickPickItem {
  command: string;
}

/** The status bar item's quick pick: the actions one reaches for from there. */
async function showMenu(service: GatewayService): Promise<void> {
  const running = service.state.kind === 'running';
  const items: MenuItem[] = [
    running
      ? { command: COMMANDS.stop, label: `$(debug-stop) ${vscode.l10n.t('Stop Gateway')}`, description: service.baseUrl() }
      : { command: COMMANDS.start, label: `$(play) ${vscode.l10n.t('Start Gateway')}`, description: service.baseUrl() },
    { command: COMMANDS.openDashboard, label: `$(dashboard) ${vscode.l10n.t('Open Dashboard')}` },
    { command: COMMANDS.openClaudeTerminal, label: `$(terminal) ${vscode.l10n.t('Open Claude Code Terminal')}` },
    { command: COMMANDS.manageAccounts, label: `$(account) ${vscode.l10n.t('Manage Accounts')}` },
    { command: COMMANDS.addAccountGoogle, label: `$(add) ${vscode.l10n.t('Add Account (Google Sign-In)')}` },
    { command: COMMANDS.connectClient, label: `$(plug) ${vscode.l10n.t('Connect a Client…')}` },
    { command: COMMANDS.switchIdeAccount, label: `$(arrow-swap) ${vscode.l10n.t('Switch Antigravity IDE Account…')}` },
    { command: COMMANDS.copyBaseUrl, label: `$(copy) ${vscode.l10n.t('Copy Base URL')}` },
    { command: COMMANDS.showLogs, label: `$(output) ${vscode.l10n.t('Show Logs')}` },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Agate' });
  if (picked) await vscode.commands.executeCommand(picked.command);
}

/** Registers every command of package.json's `contributes.commands` (plus the status bar's menu). */
export function registerCommands({ context, service, terminals, channel, remote, teamRedis }: CommandDeps): void {
  const gatewayCommand = (operation: () => Promise<GatewayState>) => async () => {
    const state = await operation();
    // The summary a caller (a test, another extension) can check; failures are explained by the state listener.
    return state.kind === 'running' ? { state: state.kind, url: state.url } : { state: state.kind };
  };
  const adminChanged = new vscode.EventEmitter<GatewayAdmin>();
  context.subscriptions.push(
    adminChanged,
    service.onDidChangeAdmin(() => void service.admin().then((admin) => adminChanged.fire(admin), () => undefined)),
  );
  const dashboard = new Dashboard(context.extensionUri, adminChanged.event);
  context.subscriptions.push(dashboard);
  const handlers: Record<string, (...args: never[]) => unknown> = {
    [COMMANDS.start]: gatewayCommand(() => service.start()),
    [COMMANDS.stop]: gatewayCommand(() => service.stop()),
    [COMMANDS.toggle]: gatewayCommand(() => service.toggle()),
    [COMMANDS.addAccountGoogle]: (options?: { loginHint?: string }) => addAccountWithGoogle(service, options),
    [COMMANDS.addAccountRefreshToken]: (refreshToken?: string) => addAccountByRefreshToken(service, refreshToken),
    [COMMANDS.importAccounts]: (file?: vscode.Uri) => importAccounts(service, file),
    [COMMANDS.manageAccounts]: (args?: ManageAccountsArgs) => manageAccounts(service, args),
    [COMMANDS.addApiKeyProvider]: (args?: AddProviderArgs) => addApiKeyProvider(service, args),
    [COMMANDS.manageApiKeyProviders]: (args?: ManageProvidersArgs) => manageApiKeyProviders(service, args),
    [COMMANDS.openDashboard]: async () => dashboard.show(await service.admin()),
    [COMMANDS.openClaudeTerminal]: () => terminals.open(),
    [COMMANDS.copyBaseUrl]: () => copyBaseUrl(service),
    [COMMANDS.copyApiKey]: () => copyApiKey(service),
    [COMMANDS.rotateApiKey]: () => rotateApiKey(service, terminals),
    [COMMANDS.showLogs]: () => channel.show(),
    [COMMANDS.openWalkthrough]: () => vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false),
    [COMMANDS.showMenu]: () => showMenu(service),
    [COMMANDS.connectClient]: () => connectClientCommand(service, remote),
    [COMMANDS.useTeamGateway]: (args?: UseTeamGatewayArgs) => useTeamGateway(service, remote, context, args),
    [COMMANDS.stopUsingTeamGateway]: () => stopUsingTeamGateway(service, remote, context),
    [COMMANDS.joinTeam]: (args?: JoinTeamArgs) => joinTeamRedis(service, teamRedis, args),
    [COMMANDS.leaveTeam]: () => leaveTeamRedis(service, teamRedis),
    [COMMANDS.switchIdeAccount]: (args?: IdeSwitchArgs) => switchIdeAccountCommand(service, context, 'pick', args),
    [COMMANDS.switchIdeAccountBest]: (args?: IdeSwitchArgs) => switchIdeAccountCommand(service, context, 'best', args),
    [COMMANDS.undoIdeSwitch]: (args?: IdeSwitchArgs) => undoIdeSwitchCommand(args),
  };
  for (const [id, handler] of Object.entries(handlers)) {
    context.subscriptions.push(vscode.commands.registerCommand(id, handler));
  }
}
