// Checks the extension-host test harness itself: that the tests run inside a live VS Code with a workspace
// open, that commands round-trip through the command service, and that screenshots reach disk.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { saveScreenshot } from './screenshot';

describe('extension-host harness', () => {
  it('runs inside VS Code with the test workspace open', () => {
    assert.match(vscode.version, /^\d+\.\d+\.\d+/);
    assert.equal(vscode.workspace.workspaceFolders?.length, 1);
  });

  it('executes a registered command and returns its result', async () => {
    const registration = vscode.commands.registerCommand('agateTest.echo', (value: string) => `echo:${value}`);
    try {
      assert.equal(await vscode.commands.executeCommand('agateTest.echo', 'ping'), 'echo:ping');
    } finally {
      registration.dispose();
    }
  });

  it('opens a document in an editor and captures the workbench', async function () {
    const document = await vscode.workspace.openTextDocument({ content: 'harness screenshot', language: 'plaintext' });
    await vscode.window.showTextDocument(document);
    assert.equal(vscode.window.activeTextEditor?.document, document);

    const screenshot = await saveScreenshot('harness-editor');
    if (screenshot === undefined) this.skip();
    assert.ok(fs.statSync(screenshot).size > 0, `${screenshot} is empty`);
  });
});
