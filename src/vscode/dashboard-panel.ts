import * as vscode from 'vscode';
import { dashboardHtml, DASHBOARD_SCRIPT, DASHBOARD_STYLES, newNonce, type AdminHostMessage, type AdminMethod } from '../core/admin';
import type { Agate } from '../core/agate';
import { GatewayError } from '../core/errors';
import type { WebviewToHost } from '../../webview-ui/webview-messages';
import { COMMANDS } from './command-ids';

const VIEW_TYPE = 'agate.dashboard';

/**
 * The dashboard webview: the bundle from dist/webview under a nonce CSP, its
 * admin calls relayed to the core in-process, live events pushed to it. One
 * panel per window; it follows the core when the gateway is rebuilt.
 */
class DashboardPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private unsubscribe: (() => void) | undefined;
  private subscribed = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private agate: Agate,
    private readonly root: vscode.Uri,
    onDidBuildCore: vscode.Event<Agate> | undefined,
    private readonly onDispose: () => void,
  ) {
    panel.webview.html = this.html();
    this.disposables.push(
      panel.webview.onDidReceiveMessage((message: WebviewToHost) => void this.receive(message)),
      panel.onDidDispose(() => this.dispose()),
    );
    if (onDidBuildCore) this.disposables.push(onDidBuildCore((agate) => this.follow(agate)));
  }

  reveal(agate: Agate): void {
    this.follow(agate);
    this.panel.reveal();
  }

  dispose(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    this.onDispose();
  }

  /** A rebuilt core has a new pool and monitor: the live feed moves to them and the page reloads its lists. */
  private follow(agate: Agate): void {
    if (agate === this.agate) return;
    this.agate = agate;
    if (this.subscribed) {
      this.unsubscribe?.();
      this.subscribe();
      void agate.admin.call('gateway', {}).then((gateway) => this.post({ kind: 'admin-event', event: { type: 'gateway', gateway } }));
    }
  }

  private subscribe(): void {
    this.subscribed = true;
    this.unsubscribe = this.agate.admin.subscribe((event) => this.post({ kind: 'admin-event', event }));
  }

  private post(message: AdminHostMessage): void {
    void this.panel.webview.postMessage(message);
  }

  private async receive(message: WebviewToHost): Promise<void> {
    switch (message?.kind) {
      case 'admin-call':
        return this.relay(message.id, message.method, message.params);
      case 'subscribe':
        if (!this.subscribed) this.subscribe();
        return;
      case 'add-account-google':
        await vscode.commands.executeCommand(COMMANDS.addAccountGoogle);
        return;
      case 'save-file': {
        const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(message.fileName), filters: { CSV: ['csv'] } });
        if (target) await vscode.workspace.fs.writeFile(target, Buffer.from(message.text, 'utf8'));
        return;
      }
    }
  }

  private async relay(id: number, method: AdminMethod, params: unknown): Promise<void> {
    try {
      this.post({ kind: 'admin-result', id, ok: true, result: await this.agate.admin.call(method, params) });
    } catch (err) {
      const status = err instanceof GatewayError ? err.status : 500;
      this.post({ kind: 'admin-result', id, ok: false, status, error: err instanceof Error ? err.message : String(err) });
    }
  }

  private html(): string {
    const webview = this.panel.webview;
    const nonce = newNonce();
    const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(this.root, name)).toString();
    const csp = [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      `style-src ${webview.cspSource} 'nonce-${nonce}'`,
      `img-src ${webview.cspSource} data:`,
      `font-src ${webview.cspSource}`,
    ].join('; ');
    return dashboardHtml({
      csp,
      head: `<link rel="stylesheet" nonce="${nonce}" href="${asset(DASHBOARD_STYLES)}">`,
      scripts: `<script type="module" nonce="${nonce}" src="${asset(DASHBOARD_SCRIPT)}"></script>`,
      transport: 'vscode',
    });
  }
}

let current: DashboardPanel | undefined;

/**
 * Opens the dashboard, or brings the open one forward. `onDidBuildCore`
 * (GatewayService's) lets the panel follow a rebuilt core.
 */
export function showDashboard(context: vscode.ExtensionContext, agate: Agate, onDidBuildCore?: vscode.Event<Agate>): void {
  if (current) return current.reveal(agate);
  const root = vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview');
  const panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'Agate Dashboard', vscode.ViewColumn.Active, {
    enableScripts: true,
    localResourceRoots: [root],
  });
  panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
  current = new DashboardPanel(panel, agate, root, onDidBuildCore, () => (current = undefined));
  context.subscriptions.push(current);
}
