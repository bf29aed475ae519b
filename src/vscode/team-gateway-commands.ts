import * as vscode from 'vscode';
import type { GatewayService } from './gateway-service';
import { fetchPoolQuota, normalizeGatewayUrl, REMOTE_GATEWAY_KEY_SECRET, type RemoteGateway } from './remote-gateway';
import { readHostSettings, SECTION } from './settings';

/** The setting that names the team gateway (host-only: not gateway configuration). */
export const REMOTE_GATEWAY_SETTING = 'remoteGateway';

/** Arguments the tests (and other extensions) pass instead of answering the prompts. */
export interface UseTeamGatewayArgs {
  url?: string;
  key?: string;
}

/**
 * "Agate: Use a Team Gateway…": asks for the URL of a team's Agate and a client key its admin made, checks both
 * against it (the key must read the pool's quota), then stores the key in SecretStorage and the URL in the
 * setting `agate.remoteGateway`, and stops this editor's own gateway. Resolves true when the team gateway is in use.
 */
export async function useTeamGateway(
  service: GatewayService,
  remote: RemoteGateway,
  context: vscode.ExtensionContext,
  args: UseTeamGatewayArgs = {},
): Promise<boolean> {
  const current = vscode.workspace.getConfiguration(SECTION).get<string>(REMOTE_GATEWAY_SETTING, '');
  const urlText =
    args.url ??
    (await vscode.window.showInputBox({
      title: vscode.l10n.t('Use a Team Gateway (1/2)'),
      prompt: vscode.l10n.t("The address of your team's Agate gateway"),
      placeHolder: 'https://agate.example.com',
      value: current,
      ignoreFocusOut: true,
      validateInput: (text) => (normalizeGatewayUrl(text) ? undefined : vscode.l10n.t('An http:// or https:// address, without user name, query or fragment')),
    }));
  if (urlText === undefined) return false;
  const url = normalizeGatewayUrl(urlText);
  if (!url) {
    void vscode.window.showErrorMessage(vscode.l10n.t('"{0}" is not an http:// or https:// address.', urlText));
    return false;
  }
  const key =
    args.key ??
    (await vscode.window.showInputBox({
      title: vscode.l10n.t('Use a Team Gateway (2/2)'),
      prompt: vscode.l10n.t("Your client key for {0} (the gateway's admin creates it in the dashboard's API Proxy view)", url),
      placeHolder: 'sk-agate-…',
      password: true,
      ignoreFocusOut: true,
      validateInput: (text) => (text.trim() ? undefined : vscode.l10n.t('The key cannot be empty')),
    }));
  if (key === undefined) return false;
  let models: number;
  try {
    models = (await fetchPoolQuota(url, key.trim())).models.length;
  } catch (err) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Agate cannot use the team gateway: {0}', (err as Error).message));
    return false;
  }
  await context.secrets.store(REMOTE_GATEWAY_KEY_SECRET, key.trim());
  await vscode.workspace.getConfiguration(SECTION).update(REMOTE_GATEWAY_SETTING, url, vscode.ConfigurationTarget.Global);
  // Applied now rather than on the change event, so that the command's caller sees it in force.
  await applyRemoteGateway(service, remote);
  void vscode.window.showInformationMessage(
    vscode.l10n.t("Agate now uses the team gateway {0} ({1} models with quota reported). This editor's own gateway stays stopped.", url, models),
  );
  return true;
}

/** "Agate: Stop Using the Team Gateway": clears the setting and the key; this editor's own gateway starts again (autoStart). */
export async function stopUsingTeamGateway(service: GatewayService, remote: RemoteGateway, context: vscode.ExtensionContext): Promise<void> {
  await vscode.workspace.getConfiguration(SECTION).update(REMOTE_GATEWAY_SETTING, undefined, vscode.ConfigurationTarget.Global);
  await context.secrets.delete(REMOTE_GATEWAY_KEY_SECRET);
  await applyRemoteGateway(service, remote);
  void vscode.window.showInformationMessage(vscode.l10n.t('Agate no longer uses a team gateway.'));
}

/**
 * Brings the editor in line with the setting: with a team gateway, this editor's own stops (its clients go to
 * the team's); without, it starts again when `agate.autoStart` is on.
 */
export async function applyRemoteGateway(service: GatewayService, remote: RemoteGateway): Promise<void> {
  await remote.reload();
  if (remote.active) {
    if (service.state.kind === 'running' || service.state.kind === 'starting') await service.stop();
  } else if (readHostSettings().autoStart && service.state.kind !== 'running') {
    await service.start();
  }
}
