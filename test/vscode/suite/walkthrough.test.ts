// What a user sees: the status bar item and the walkthrough, rendered by code-server in Chromium, captured as
// screenshots (.test-artifacts/) and read back as text.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AccountView } from '../../../src/core/accounts';
import { canSeeWorkbench, saveScreenshot, workbenchTexts } from './screenshot';
import { ADA, agateFixture, waitFor } from './support/fixture';

describe('workbench rendering', () => {
  before(async function () {
    if (!canSeeWorkbench()) this.skip();
    await agateFixture();
    await vscode.commands.executeCommand<AccountView>('agate.addAccountRefreshToken', ADA.refreshToken);
  });

  it('shows the Agate status bar item with the quota left', async () => {
    const item = await waitFor('the Agate status bar item', async () => (await workbenchTexts('.statusbar-item')).find((text) => /Agate \d+%/.test(text)));
    assert.match(item, /Agate \d+%/);
    assert.ok(await saveScreenshot('vscode-status-bar'));
  });

  it('renders the walkthrough with its four steps', async () => {
    await vscode.commands.executeCommand('agate.openWalkthrough');
    const page = await waitFor('the walkthrough', async () =>
      (await workbenchTexts('.gettingStartedContainer')).find((text) => text.includes('Get started with Agate')),
    );
    for (const step of ['Add a Google account', 'Start the gateway', 'Open the Claude Code terminal', 'Open the dashboard']) {
      assert.ok(page.includes(step), `the walkthrough lacks "${step}":\n${page}`);
    }
    assert.ok(await saveScreenshot('vscode-walkthrough'));
  });
});
