import * as vscode from 'vscode';
import type { Agate } from '../core/agate';

/** Interim until the dashboard webview lands: points the user at the gateway they can query. */
export function showDashboard(_context: vscode.ExtensionContext, agate: Agate): void {
  void vscode.window.showInformationMessage(`Agate gateway at ${agate.server?.url ?? 'not running'}: the dashboard is not built yet.`);
}
