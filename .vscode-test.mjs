// Runs the extension-host suite in desktop VS Code, for machines that can download it:
//   node test/vscode/build-tests.mjs && npx vscode-test            (or --label minimum / --label stable)
// CI here cannot download VS Code and runs the same suite in code-server instead:
//   npx tsx test/vscode/run-in-code-server.ts
// @vscode/test-cli 0.0.12 and @vscode/test-electron 2.5.x are the last releases that run on Node 20.
import { defineConfig } from '@vscode/test-cli';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// The suite expects one workspace folder open; it must not be the project itself, which tests may write to.
const workspaceFolder = path.join(os.tmpdir(), 'agate-vscode-test-workspace');
fs.mkdirSync(workspaceFolder, { recursive: true });

const shared = {
  // Bundled, self-contained test files (test/vscode/build-tests.mjs); test-cli loads them with its own mocha.
  files: 'dist/test/vscode/suite/**/*.test.js',
  workspaceFolder,
  mocha: { ui: 'bdd', timeout: 60_000 },
  launchArgs: [
    '--disable-extensions', // only the extension under development
    '--disable-workspace-trust',
    '--password-store=basic', // SecretStorage without the desktop keyring, which CI machines lack
  ],
};

export default defineConfig([
  // The oldest VS Code package.json's engines.vscode accepts, and the current one.
  { ...shared, label: 'minimum', version: '1.95.0' },
  { ...shared, label: 'stable', version: 'stable' },
]);
