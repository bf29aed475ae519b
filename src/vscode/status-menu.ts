import * as vscode from 'vscode';
import { COMMANDS } from './command-ids';
import type { GatewayService } from './gateway-service';
import { percent, poolHeadline } from './quota-summary';
import type { RemoteGateway, RemoteGatewayState } from './remote-gateway';
import { readHostSettings } from './settings';

/** One entry of the status bar's quick pick: the command it runs when picked. */
export interface StatusMenuItem extends vscode.QuickPickItem {
  command: string;
}

/** The status bar item's quick pick: the actions one reaches for from there, for the gateway in use. */
export function statusMenuItems(service: GatewayService, remote: RemoteGateway): StatusMenuItem[] {
  const shared = {
    terminal: { command: COMMANDS.openClaudeTerminal, label: `$(terminal) ${vscode.l10n.t('Open Claude Code Terminal')}` },
    connect: { command: COMMANDS.connectClient, label: `$(plug) ${vscode.l10n.t('Connect a Client…')}` },
    switchIde: { command: COMMANDS.switchIdeAccount, label: `$(arrow-swap) ${vscode.l10n.t('Switch Antigravity IDE Account…')}` },
    copyUrl: { command: COMMANDS.copyBaseUrl, label: `$(copy) ${vscode.l10n.t('Copy Base URL')}` },
    logs: { command: COMMANDS.showLogs, label: `$(output) ${vscode.l10n.t('Show Logs')}` },
  };
  const state = remote.state;
  if (remote.active && state.kind !== 'off') {
    // With a team gateway the menu is about it. Left out: Start/Stop (this editor's own gateway stays stopped
    // while the team's is in use; "Stop Using the Team Gateway" is the way back), Manage Accounts and Add Account
    // (they change this editor's own pool, which serves nobody now: still in the command palette, which says so).
    // Kept: the IDE account switch, which signs the Antigravity IDE in with one of this editor's own accounts and
    // needs no gateway running.
    return [
      { command: COMMANDS.copyBaseUrl, label: `$(cloud) ${vscode.l10n.t('Team Gateway')}`, description: state.url, detail: teamDetail(state) },
      shared.terminal,
      shared.connect,
      shared.copyUrl,
      { command: COMMANDS.copyApiKey, label: `$(key) ${vscode.l10n.t('Copy Team Client Key')}` },
      { command: COMMANDS.openDashboard, label: `$(dashboard) ${vscode.l10n.t('Open Dashboard…')}`, description: vscode.l10n.t('needs the team admin') },
      shared.switchIde,
      { command: COMMANDS.stopUsingTeamGateway, label: `$(debug-disconnect) ${vscode.l10n.t('Stop Using the Team Gateway')}` },
      shared.logs,
    ];
  }
  const running = service.state.kind === 'running';
  return [
    running
      ? { command: COMMANDS.stop, label: `$(debug-stop) ${vscode.l10n.t('Stop Gateway')}`, description: service.baseUrl() }
      : { command: COMMANDS.start, label: `$(play) ${vscode.l10n.t('Start Gateway')}`, description: service.baseUrl() },
    { command: COMMANDS.openDashboard, label: `$(dashboard) ${vscode.l10n.t('Open Dashboard')}` },
    shared.terminal,
    { command: COMMANDS.manageAccounts, label: `$(account) ${vscode.l10n.t('Manage Accounts')}` },
    { command: COMMANDS.addAccountGoogle, label: `$(add) ${vscode.l10n.t('Add Account (Google Sign-In)')}` },
    shared.connect,
    shared.switchIde,
    shared.copyUrl,
    shared.logs,
  ];
}

/** The team gateway's state in a line: the quota left on the status bar's model, or why it is not reachable. */
function teamDetail(state: Exclude<RemoteGatewayState, { kind: 'off' }>): string {
  switch (state.kind) {
    case 'checking':
      return vscode.l10n.t('checking…');
    case 'unreachable':
      return vscode.l10n.t('unreachable: {0}', state.reason);
    case 'reachable': {
      const usable = vscode.l10n.t('{0} of {1} accounts usable', state.quota.accounts.usable, state.quota.accounts.total);
      const headline = poolHeadline(state.quota, readHostSettings().statusBarModel);
      return headline ? `${vscode.l10n.t('{0} left on {1}', percent(headline.fraction), headline.model)} · ${usable}` : usable;
    }
  }
}

export async function showStatusMenu(service: GatewayService, remote: RemoteGateway): Promise<void> {
  const picked = await vscode.window.showQuickPick(statusMenuItems(service, remote), { title: 'Agate' });
  if (picked) await vscode.commands.executeCommand(picked.command);
}
