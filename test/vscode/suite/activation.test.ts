// The extension as the editor starts it: activated on startup, the gateway listening on the configured port
// (agate.autoStart is on by default; no test runs Start before this file, and settings changes restart the server
// only when it was wanted), every contributed command registered.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, extensionApi, settings } from './support/fixture';

describe('activation (smoke)', () => {
  it('activates on startup and starts the gateway on agate.port', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    const api = await extensionApi();
    assert.equal(extension.isActive, true);
    const port = settings().get<number>('port');
    assert.deepEqual(api.state.kind === 'running' && { port: api.state.port }, { port });
    console.log(`      activation took ${api.activationMs} ms`);

    const response = await fetch(`${api.baseUrl()}/healthz`);
    assert.equal(response.status, 200);
    const health = (await response.json()) as { version: string; accounts: { total: number } };
    assert.equal(health.version, extension.packageJSON.version);
  });

  it('registers every command the package contributes', async () => {
    const contributed = extension().packageJSON.contributes.commands as Array<{ command: string; category: string }>;
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.ok(contributed.length >= 15);
    for (const { command, category } of contributed) {
      assert.equal(category, 'Agate', command);
      assert.ok(registered.has(command), `${command} is contributed but not registered`);
    }
  });
});

function extension(): vscode.Extension<unknown> {
  return vscode.extensions.getExtension(EXTENSION_ID)!;
}
