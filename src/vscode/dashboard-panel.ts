import * as vscode from 'vscode';
import { dashboardHtml, DASHBOARD_SCRIPT, DASHBOARD_STYLES, newNonce, type AdminHostMessage, type AdminMethod } from '../core/admin';
import { AdminCallError } from '../core/admin/admin-client';
import { GatewayError } from '../core/errors';
import type { WebviewToHost } from '../core/admin/protocol';
import { COMMANDS } from './command-ids';
import type { GatewayAdmin } from './gateway-service';
import { Disposable } from './lifecycle';

const VIEW_TYPE = 'agate.dashboard';

/**
 * The dashboard webview: the bundle from dist/webview under a nonce CSP, its
 * admin calls relayed to the gateway's admin API (this window's core, or the
 * window that owns the gateway), live events pushed to it. One panel per
 * window; it follows the gateway when it is rebuilt or changes hands.
 */
class DashboardPanel extends Disposable {
  private unsubscribe: (() => void) | undefined;
  private subscribed = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private admin: GatewayAdmin,
    private readonly root: vscode.Uri,
    onDidChangeAdmin: vscode.Event<GatewayAdmin> | undefined,
  ) {
    super();
    panel.webview.html = this.html();
    // Closing the tab disposes the panel; disposing this (extension shutdown) closes the tab.
    this.register(panel);
    this.register({ dispose: () => this.unsubscribe?.() });
    this.register(panel.webview.onDidReceiveMessage((message: WebviewToHost) => void this.receive(message)));
    this.register(panel.onDidDispose(() => this.dispose()));
    if (onDidChangeAdmin) this.register(onDidChangeAdmin((admin) => this.follow(admin)));
  }

  reveal(admin: GatewayAdmin): void {
    this.follow(admin);
    this.panel.reveal();
  }

  /** A rebuilt core, or another owner, has another pool and monitor: the live feed moves to them and the page reloads its lists. */
  private follow(admin: GatewayAdmin): void {
    if (admin === this.admin) return;
    this.admin = admin;
    if (this.subscribed) {
      this.unsubscribe?.();
      this.subscribe();
      void admin.call('gateway', {}).then(
        (gateway) => this.post({ kind: 'admin-event', event: { type: 'gateway', gateway } }),
        () => undefined,
      );
    }
  }

  private subscribe(): void {
    this.subscribed = true;
    this.unsubscribe = this.admin.subscribe((event) => this.post({ kind: 'admin-event', event }));
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
      case 'switch-ide-account':
        await vscode.commands.executeCommand(COMMANDS.switchIdeAccount, { accountId: message.accountId });
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
      this.post({ kind: 'admin-result', id, ok: true, result: await this.admin.call(method, params as Record<string, unknown>) });
    } catch (err) {
      const coded = err instanceof GatewayError || err instanceof AdminCallError;
      const status = coded ? err.status : 500;
      // The message's code goes along: the webview words it in the editor's language.
      const detail = coded ? err.detail : undefined;
      this.post({ kind: 'admin-result', id, ok: false, status, error: err instanceof Error ? err.message : String(err), ...(detail ? { detail } : {}) });
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
      // The dashboard speaks the editor's display language.
      language: vscode.env.language,
    });
  }
}

/**
 * The window's dashboard: opens it, or brings the open one forward. Registered
 * once in the extension's subscriptions; a closed panel is dropped, not kept.
 * `onDidChangeAdmin` lets the panel follow a rebuilt core or another owner.
 */
export class Dashboard extends Disposable {
  private current: DashboardPanel | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly onDidChangeAdmin?: vscode.Event<GatewayAdmin>,
  ) {
    super();
    this.register({ dispose: () => this.current?.dispose() });
  }

  show(admin: GatewayAdmin): void {
    if (this.isDisposed) return;
    if (this.current) return this.current.reveal(admin);
    const root = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, vscode.l10n.t('Agate Dashboard'), vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [root],
    });
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.png');
    const opened = new DashboardPanel(panel, admin, root, this.onDidChangeAdmin);
    this.current = opened;
    panel.onDidDispose(() => {
      if (this.current === opened) this.current = undefined;
    });
  }
}
