import net from 'node:net';
import * as vscode from 'vscode';
import { defaultDataDir } from '../core/config/defaults';
import { envNameOf } from '../core/config/load';
import { UnsafeListenError } from '../core/security';
import { describeOwner, readOwner, type OwnerRecord } from '../core/stores/data-dir-lock';
import { coreText, errorText } from './core-messages';
import { PortInUseError } from '../core/server/listener';
import { COMMANDS } from './command-ids';
import { SECTION, SettingsError, updateGatewaySetting } from './settings';

const USE_ANOTHER_PORT = (): string => vscode.l10n.t('Use Another Port');
const SHOW_WHAT_LISTENS = (): string => vscode.l10n.t('Show What Listens');
const OPEN_SETTINGS = (): string => vscode.l10n.t('Open Settings');
const SHOW_LOGS = (): string => vscode.l10n.t('Show Logs');
const USE_IT = (): string => vscode.l10n.t('Use It');

/** What the window can do about another Agate on its port: use that gateway instead of its own. */
export interface StartFailureActions {
  useOtherAgate(owner: OwnerRecord & { url: string }): Promise<unknown>;
}

/** The CLI's gateway (`agate serve`, `agate demo`) on `port`, found by the lock in the CLI's data dir. */
function cliAgateOn(port: number): (OwnerRecord & { url: string }) | undefined {
  const dataDir = process.env[envNameOf('dataDir')] || defaultDataDir();
  const owner = readOwner(dataDir);
  return owner?.url && owner.port === port ? (owner as OwnerRecord & { url: string }) : undefined;
}

/** Whether the process on the port is an Agate (another window, or `agate serve`): its `GET /` names itself. */
async function isAgateAt(host: string, port: number): Promise<boolean> {
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  try {
    const response = await fetch(`http://${reachable}:${port}/`, { signal: AbortSignal.timeout(2_000) });
    const body = (await response.json()) as { name?: unknown };
    return body.name === 'agate';
  } catch {
    return false;
  }
}

function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

/** The first free port after `port`, for the "Use Another Port" action. */
export async function nextFreePort(host: string, port: number): Promise<number | undefined> {
  for (let candidate = port + 1; candidate <= Math.min(port + 50, 65535); candidate++) {
    if (await canListen(host, candidate)) return candidate;
  }
  return undefined;
}

/** A shell command that names the process listening on `port`, for this platform. */
function whatListensCommand(port: number): string {
  switch (process.platform) {
    case 'win32':
      return `netstat -ano | findstr :${port}`;
    case 'darwin':
      return `lsof -nP -iTCP:${port} -sTCP:LISTEN`;
    default:
      return `ss -ltnp 'sport = :${port}' 2>/dev/null || lsof -nP -iTCP:${port} -sTCP:LISTEN`;
  }
}

async function useAnotherPort(error: PortInUseError): Promise<void> {
  const port = await nextFreePort(error.host, error.port);
  if (port === undefined) {
    void vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.port`);
    return;
  }
  // The settings listener restarts the gateway on the new port.
  await updateGatewaySetting('port', port);
  void vscode.window.showInformationMessage(vscode.l10n.t('Agate now uses port {0} (setting {1}).', port, `${SECTION}.port`));
}

async function explainPortInUse(error: PortInUseError, actions?: StartFailureActions): Promise<void> {
  const cli = cliAgateOn(error.port);
  if (cli) {
    // The CLI keeps its own data dir (its own accounts and keys): say plainly whose gateway it is.
    const choice = await vscode.window.showInformationMessage(
      vscode.l10n.t(
        "Another Agate serves port {0}: {1} with the data dir {2}. Use that gateway in this window, or give this window's gateway another port?",
        error.port,
        coreText(describeOwner(cli)),
        cli.dataDir,
      ),
      ...(actions ? [USE_IT()] : []),
      USE_ANOTHER_PORT(),
    );
    if (choice === USE_IT()) await actions?.useOtherAgate(cli);
    if (choice === USE_ANOTHER_PORT()) await useAnotherPort(error);
    return;
  }
  const anotherAgate = await isAgateAt(error.host, error.port);
  const message = anotherAgate
    ? vscode.l10n.t(
        'Another Agate already serves port {0} (another window, or "agate serve"), so this window\'s gateway is stopped. Clients can keep using that one.',
        error.port,
      )
    : vscode.l10n.t('Agate cannot start: port {0} on {1} is already in use by another program.', error.port, error.host);
  const show = anotherAgate ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  const choice = await show(message, USE_ANOTHER_PORT(), SHOW_WHAT_LISTENS());
  if (choice === USE_ANOTHER_PORT()) await useAnotherPort(error);
  if (choice === SHOW_WHAT_LISTENS()) {
    const terminal = vscode.window.createTerminal({ name: vscode.l10n.t('Port {0}', error.port), isTransient: true });
    terminal.show();
    terminal.sendText(whatListensCommand(error.port));
  }
}

async function explainWithSettings(message: string, setting: string): Promise<void> {
  if ((await vscode.window.showErrorMessage(message, OPEN_SETTINGS())) === OPEN_SETTINGS()) {
    await vscode.commands.executeCommand('workbench.action.openSettings', setting);
  }
}

/** Tells the user why the gateway did not start, with the actions that fix it. */
export async function explainStartFailure(error: Error, actions?: StartFailureActions): Promise<void> {
  if (error instanceof PortInUseError) return explainPortInUse(error, actions);
  if (error instanceof UnsafeListenError) return explainWithSettings(vscode.l10n.t('Agate did not start. {0}', error.message), `${SECTION}.allowLanAccess`);
  if (error instanceof SettingsError) return explainWithSettings(vscode.l10n.t('Agate did not start: {0}', error.message), SECTION);
  if ((await vscode.window.showErrorMessage(vscode.l10n.t('Agate did not start: {0}', errorText(error)), SHOW_LOGS())) === SHOW_LOGS()) {
    await vscode.commands.executeCommand(COMMANDS.showLogs);
  }
}

/** Changed settings that do not validate: the gateway keeps running with the previous ones. */
export function explainInvalidSettings(error: Error): Promise<void> {
  return explainWithSettings(vscode.l10n.t('Agate kept its previous settings: {0}', errorText(error)), SECTION);
}
