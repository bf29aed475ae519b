// The dashboard webview: Open Dashboard shows one panel, and the bundle inside it gets the accounts through the
// postMessage relay to the core (a round trip), rendered as a card.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AccountView } from '../../../src/core/accounts';
import { canSeeWorkbench, saveScreenshot, workbenchTexts } from './screenshot';
import { ADA, agateFixture, setSetting, settings, waitFor, type Fixture } from './support/fixture';

const dashboardTabs = () =>
  vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('agate.dashboard'));

describe('dashboard webview', () => {
  let fixture: Fixture;
  before(async () => {
    fixture = await agateFixture();
    await vscode.commands.executeCommand<AccountView>('agate.addAccountRefreshToken', ADA.refreshToken);
  });
  after(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('opens one panel, however often the command runs', async () => {
    await vscode.commands.executeCommand('agate.openDashboard');
    await vscode.commands.executeCommand('agate.openDashboard');
    await waitFor('the dashboard tab', () => dashboardTabs().length > 0 || undefined);
    assert.equal(dashboardTabs().length, 1);
    assert.equal(dashboardTabs()[0].label, 'Agate Dashboard');
  });

  it('shows the account card the core sent through the relay', async function () {
    if (!canSeeWorkbench()) this.skip();
    const card = await waitFor('the account card in the webview', async () => (await workbenchTexts('.account-card')).find((text) => text.includes(ADA.email)));
    assert.match(card, /Refresh quota/);
    assert.ok(await saveScreenshot('vscode-dashboard'));
  });

  it("saves the API Proxy panel's edits as user settings, which the gateway applies", async () => {
    const agate = await fixture.testing.gateway.core();
    try {
      const proxy = await agate.admin.call('updateSettings', {
        changes: { 'scheduling.mode': 'balance', 'models.aliases': { 'team-model': 'gemini-3-flash' } },
      });
      assert.equal(settings().get('scheduling.mode'), 'balance');
      assert.deepEqual(settings().get('models.aliases'), { 'team-model': 'gemini-3-flash' });
      assert.equal(proxy.settings['scheduling.mode'], 'balance', 'in force in the answer');
      assert.deepEqual(proxy.pendingRestart, {});
      assert.match(proxy.settingsLocation, /agate\.\*/);
      await assert.rejects(agate.admin.call('updateSettings', { changes: { 'scheduling.mode': 'fastest' } }), /scheduling\.mode/);
      assert.equal(settings().get('scheduling.mode'), 'balance', 'a refused edit is not written');
    } finally {
      await setSetting('scheduling.mode', undefined);
      await setSetting('models.aliases', undefined);
    }
  });
});
