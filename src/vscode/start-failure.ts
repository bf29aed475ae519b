import net from 'node:net';
import * as vscode from 'vscode';
import { defaultDataDir } from '../core/config/defaults';
import { envNameOf } from '../core/config/load';
import { UnsafeListenError } from '../core/security';
import { describeOwner, readOwner, type OwnerRecord } from '../core/stores/data-dir-lock';
import { PortInUseError } from '../core/server/listener';
import { COMMANDS } from './command-ids';
import { SECTION, SettingsError, updateGatewaySetting } from './settings';

const USE_ANOTHER_PORT = 'Use Another Port';
const SHOW_WHAT_LISTENS = 'Show What Listens';
const OPEN_SETTINGS = 'Open Settings';
const SHOW_LOGS = 'Show Logs';
const USE_IT = 'Use It';

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
  void vscode.window.showInformationMessage(`Agate now uses port ${port} (setting ${SECTION}.port).`);
}

async function explainPortInUse(error: PortInUseError, actions?: StartFailureActions): Promise<void> {
  const cli = cliAgateOn(error.port);
  if (cli) {
    // The CLI keeps its own data dir (its own accounts and keys): say plainly whose gateway it is.
    const choice = await vscode.window.showInformationMessage(
      `Another Agate serves port ${error.port}: ${describeOwner(cli)} with the data dir ${cli.dataDir}. ` +
        'Use that gateway in this window, or give this window\'s gateway another port?',
      ...(actions ? [USE_IT] : []),
      USE_ANOTHER_PORT,
    );
    if (choice === USE_IT) await actions?.useOtherAgate(cli);
    if (choice === USE_ANOTHER_PORT) await useAnotherPort(error);
    return;
  }
  const anotherAgate = await isAgateAt(error.host, error.port);
  const message = anotherAgate
    ? `Another Agate already serves port ${error.port} (another window, or "agate serve"), so this window's gateway is stopped. Clients can keep using that one.`
    : `Agate cannot start: port ${error.port} on ${error.host} is already in use by another program.`;
  const show = anotherAgate ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  const choice = await show(message, USE_ANOTHER_PORT, SHOW_WHAT_LISTENS);
  if (choice === USE_ANOTHER_PORT) await useAnotherPort(error);
  if (choice === SHOW_WHAT_LISTENS) {
    const terminal = vscode.window.createTerminal({ name: `Port ${error.port}`, isTransient: true });
    terminal.show();
    terminal.sendText(whatListensCommand(error.port));
  }
}

async function explainWithSettings(message: string, setting: string): Promise<void> {
  if ((await vscode.window.showErrorMessage(message, OPEN_SETTINGS)) === OPEN_SETTINGS) {
    await vscode.commands.executeCommand('workbench.action.openSettings', setting);
  }
}

/** Tells the user why the gateway did not start, with the actions that fix it. */
export async function explainStartFailure(error: Error, actions?: StartFailureActions): Promise<void> {
  if (error instanceof PortInUseError) return explainPortInUse(error, actions);
  if (error instanceof UnsafeListenError) return explainWithSettings(`Agate did not start. ${error.message}`, `${SECTION}.allowLanAccess`);
  if (error instanceof SettingsError) return explainWithSettings(`Agate did not start: ${error.message}`, SECTION);
  if ((await vscode.window.showErrorMessage(`Agate did not start: ${error.message}`, SHOW_LOGS)) === SHOW_LOGS) {
    await vscode.commands.executeCommand(COMMANDS.showLogs);
  }
}

/** Changed settings that do not validate: the gateway keeps running with the previous ones. */
export function explainInvalidSettings(error: Error): Promise<void> {
  return explainWithSettings(`Agate kept its previous settings: ${error.message}`, SECTION);
}
