import type { AdminRequestMessage } from '../src/core/admin/types';

/** Everything the webview posts to the extension host (src/vscode/dashboard-panel.ts). */
export type WebviewToHost =
  | AdminRequestMessage
  /** Start the live feed. */
  | { kind: 'subscribe' }
  /** Run the Google sign-in command (VS Code opens the browser and waits for it). */
  | { kind: 'add-account-google' }
  /** Ask where to save, then write the file. */
  | { kind: 'save-file'; fileName: string; text: string }
  /** Run "Agate: Switch Antigravity IDE Account…" for this account (it asks before closing the IDE). */
  | { kind: 'switch-ide-account'; accountId: string };
