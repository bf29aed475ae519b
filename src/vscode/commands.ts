import * as vscode from 'vscode';
import { addAccountByRefreshToken, addAccountWithGoogle, importAccounts, manageAccounts, type ManageAccountsArgs } from './account-commands';
import type { ClaudeTerminals } from './claude-terminal';
import { COMMANDS, WALKTHROUGH_ID } from './command-ids';
import { connectClientCommand } from './connect-command';
import { Dashboard } from './dashboard-panel';
import { addApiKeyProvider, manageApiKeyProviders, type AddProviderArgs, type ManageProvidersArgs } from './provider-commands';
import { switchIdeAccountCommand, undoIdeSwitchCommand, type IdeSwitchArgs } from './ide-commands';
import type { GatewayAdmin, GatewayService, GatewayState } from './gateway-service';
import { normalizeGatewayUrl, type RemoteGateway } from './remote-gateway';
import { showStatusMenu } from './status-menu';
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

/** Resolves with the base URL it copied (the configured one while the gateway is stopped; the team gateway's while one is in use). */
async function copyBaseUrl(service: GatewayService, remote: RemoteGateway): Promise<string | undefined> {
  if (remote.active) {
    const url = normalizeGatewayUrl(remote.state.kind === 'off' ? '' : remote.state.url);
    if (!url) {
      void vscode.window.showErrorMessage(vscode.l10n.t('The setting agate.remoteGateway is not an http(s) URL: run "Agate: Use a Team Gateway…" again.'));
      return undefined;
    }
    await vscode.env.clipboard.writeText(url);
    void vscode.window.showInformationMessage(vscode.l10n.t('Copied the base URL of the team gateway {0}.', url));
    return url;
  }
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

/**
 * The key itself goes to the clipboard only: commands' results are readable by any extension. While a team
 * gateway is in use that is the client key its admin gave (this editor's own key would be refused there).
 */
async function copyApiKey(service: GatewayService, remote: RemoteGateway): Promise<void> {
  if (remote.active) {
    const team = await remote.target();
    if (!team) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Agate has no client key for the team gateway: run "Agate: Use a Team Gateway…" again.'));
      return;
    }
    await vscode.env.clipboard.writeText(team.key);
    void vscode.window.showInformationMessage(
      vscode.l10n.t("Copied your team client key for {0}. Clients send it as their API key; only the team gateway's admin can replace it.", team.baseUrl),
    );
    return;
  }
  const { key } = await (await service.admin()).call('primaryKey');
  await vscode.env.clipboard.writeText(key);
  void vscode.window.showInformationMessage(
    vscode.l10n.t('Copied your Agate API key. Clients send it as their API key; the gateway asks for it when auth is on (setting agate.authMode).'),
  );
}

async function rotateApiKey(service: GatewayService, terminals: ClaudeTerminals, remote: RemoteGateway): Promise<boolean> {
  const rotate = vscode.l10n.t('Rotate Key');
  const answer = await vscode.window.showWarningMessage(
    remote.active
      ? // The own key still guards this editor's own gateway (and is the one it uses again after the team's): worth rotating, but not the key in use.
        vscode.l10n.t(
          "Replace the API key of this editor's own gateway? It is not the key in use now: the team gateway's client key is its admin's to replace.",
        )
      : vscode.l10n.t(
          'Replace the Agate API key? Clients that use the current key (and open Claude Code terminals) will be refused until they get the new one.',
        ),
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

/**
 * "Open Dashboard" while a team gateway is in use: the team's dashboard needs its admin's sign-in, which a client
 * key is not, so it opens in the browser at the team gateway's /dashboard (its sign-in page) when the user asks;
 * the panel opened here shows this editor's own gateway, and says so, for its accounts and settings.
 */
async function openDashboard(service: GatewayService, remote: RemoteGateway, dashboard: Dashboard): Promise<void> {
  dashboard.show(await service.admin());
  if (!remote.active || remote.state.kind === 'off') return;
  const teamUrl = normalizeGatewayUrl(remote.state.url);
  const openTeam = vscode.l10n.t("Open the Team Gateway's Dashboard");
  void vscode.window
    .showInformationMessage(
      vscode.l10n.t(
        "This dashboard shows this editor's own gateway, stopped while the team gateway is in use. The team gateway's dashboard needs its admin to sign in: a client key does not open it.",
      ),
      ...(teamUrl ? [openTeam] : []),
    )
    .then((choice) => (choice === openTeam && teamUrl ? vscode.env.openExternal(vscode.Uri.parse(`${teamUrl}/dashboard`)) : undefined));
}

/** Says, without waiting for an answer, that a command changes this editor's own pool and not the team gateway's. */
function noticeLocalPool(remote: RemoteGateway): void {
  if (!remote.active) return;
  void vscode.window.showInformationMessage(
    vscode.l10n.t("A team gateway is in use: this acts on this editor's own accounts and settings, which serve again when you stop using the team gateway."),
  );
}

/** Start and Toggle while a team gateway is in use: this editor's own gateway stays stopped (its clients go to the team's). */
function refuseOwnStart(): void {
  const stopUsing = vscode.l10n.t('Stop Using the Team Gateway');
  void vscode.window
    .showWarningMessage(
      vscode.l10n.t("A team gateway is in use, so this editor's own gateway stays stopped. Stop using the team gateway to run your own."),
      stopUsing,
    )
    .then((choice) => (choice === stopUsing ? vscode.commands.executeCommand(COMMANDS.stopUsingTeamGateway) : undefined));
}

/** Registers every command of package.json's `contributes.commands` (plus the status bar's menu). */
export function registerCommands({ context, service, terminals, channel, remote, teamRedis }: CommandDeps): void {
  const gatewayCommand = (operation: () => Promise<GatewayState>, startsOwn: boolean) => async () => {
    if (startsOwn && remote.active) refuseOwnStart();
    const state = startsOwn && remote.active ? service.state : await operation();
    // The summary a caller (a test, another extension) can check; failures are explained by the state listener.
    return state.kind === 'running' ? { state: state.kind, url: state.url } : { state: state.kind };
  };
  const adminChanged = new vscode.EventEmitter<GatewayAdmin>();
  context.subscriptions.push(
    adminChanged,
    service.onDidChangeAdmin(
      () =>
        void service.admin().then(
          (admin) => adminChanged.fire(admin),
          () => undefined,
        ),
    ),
  );
  // Account, provider, Redis-team and IDE-switch commands work on this editor's own pool whatever gateway is in use.
  const onLocalPool = <T>(run: () => Promise<T>): Promise<T> => {
    noticeLocalPool(remote);
    return run();
  };
  const dashboard = new Dashboard(context.extensionUri, adminChanged.event);
  context.subscriptions.push(dashboard);
  const handlers: Record<string, (...args: never[]) => unknown> = {
    [COMMANDS.start]: gatewayCommand(() => service.start(), true),
    [COMMANDS.stop]: gatewayCommand(() => service.stop(), false),
    [COMMANDS.toggle]: gatewayCommand(() => service.toggle(), true),
    [COMMANDS.addAccountGoogle]: (options?: { loginHint?: string }) => onLocalPool(() => addAccountWithGoogle(service, options)),
    [COMMANDS.addAccountRefreshToken]: (refreshToken?: string) => onLocalPool(() => addAccountByRefreshToken(service, refreshToken)),
    [COMMANDS.importAccounts]: (file?: vscode.Uri) => onLocalPool(() => importAccounts(service, file)),
    [COMMANDS.manageAccounts]: (args?: ManageAccountsArgs) => onLocalPool(() => manageAccounts(service, args)),
    [COMMANDS.addApiKeyProvider]: (args?: AddProviderArgs) => onLocalPool(() => addApiKeyProvider(service, args)),
    [COMMANDS.manageApiKeyProviders]: (args?: ManageProvidersArgs) => onLocalPool(() => manageApiKeyProviders(service, args)),
    [COMMANDS.openDashboard]: () => openDashboard(service, remote, dashboard),
    [COMMANDS.openClaudeTerminal]: () => terminals.open(),
    [COMMANDS.copyBaseUrl]: () => copyBaseUrl(service, remote),
    [COMMANDS.copyApiKey]: () => copyApiKey(service, remote),
    [COMMANDS.rotateApiKey]: () => rotateApiKey(service, terminals, remote),
    [COMMANDS.showLogs]: () => channel.show(),
    [COMMANDS.openWalkthrough]: () => vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false),
    [COMMANDS.showMenu]: () => showStatusMenu(service, remote),
    [COMMANDS.connectClient]: () => connectClientCommand(service, remote),
    [COMMANDS.useTeamGateway]: (args?: UseTeamGatewayArgs) => useTeamGateway(service, remote, context, args),
    [COMMANDS.stopUsingTeamGateway]: () => stopUsingTeamGateway(service, remote, context),
    [COMMANDS.joinTeam]: (args?: JoinTeamArgs) => onLocalPool(() => joinTeamRedis(service, teamRedis, args)),
    [COMMANDS.leaveTeam]: () => onLocalPool(() => leaveTeamRedis(service, teamRedis)),
    [COMMANDS.switchIdeAccount]: (args?: IdeSwitchArgs) => onLocalPool(() => switchIdeAccountCommand(service, context, 'pick', args)),
    [COMMANDS.switchIdeAccountBest]: (args?: IdeSwitchArgs) => onLocalPool(() => switchIdeAccountCommand(service, context, 'best', args)),
    [COMMANDS.undoIdeSwitch]: (args?: IdeSwitchArgs) => undoIdeSwitchCommand(args),
  };
  for (const [id, handler] of Object.entries(handlers)) {
    context.subscriptions.push(vscode.commands.registerCommand(id, handler));
  }
}
