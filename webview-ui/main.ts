// The dashboard bundle: one UI for the VS Code webview and the browser (`GET /dashboard`); the page says which.
import './styles.css';
import { startApp } from './app';
import { adoptKeyFromUrl, HttpTransport } from './http-transport';
import type { Transport } from './transport';
import { VsCodeTransport } from './vscode-transport';

const root = document.getElementById('app');
if (root) {
  const transport: Transport =
    document.body.dataset.transport === 'vscode' ? new VsCodeTransport() : new HttpTransport(adoptKeyFromUrl(location, history, sessionStorage));
  startApp(root, transport);
}
