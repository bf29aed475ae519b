// The status bar item follows the pool: the quota left on the best Claude model, a tooltip with each account's
// quota, and the warning background only while no account can serve.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AccountView } from '../../../src/core/accounts';
import { ADA, agateFixture, askThroughGateway, setSetting, waitFor, type Fixture } from './support/fixture';

describe('status bar', () => {
  let fixture: Fixture;
  let ada: AccountView;
  before(async () => {
    fixture = await agateFixture();
    fixture.sim.addAccount(ADA); // the quota this file starts from
    ada = (await vscode.commands.executeCommand<AccountView>('agate.addAccountRefreshToken', ADA.refreshToken))!;
    await (await fixture.testing.gateway.core()).pool.refreshQuota();
  });
  after(async () => {
    fixture.sim.configure({ quotaCostPerRequest: 0 });
    await setSetting('statusBar.model', undefined);
  });

  it('shows the quota left on the best Claude model, with every account in the tooltip', async () => {
    const { statusBar } = fixture.testing;
    await waitFor('80% in the status bar', () => statusBar.text === '$(radio-tower) Agate 80%');
    assert.equal(statusBar.warning, false);
    assert.match(statusBar.tooltip, /running at `http:\/\/127\.0\.0\.1:\d+`/);
    assert.match(statusBar.tooltip, /\*\*ada@example\.com\*\* · Pro · active/);
    assert.match(statusBar.tooltip, /\| claude-opus-4-6-thinking \| 80% \| in \d+ h/);
    assert.match(statusBar.tooltip, /\| claude-sonnet-4-6 \| 60% \|/);
  });

  it('does not re-render for requests that change no quota or account state', async () => {
    const { statusBar, gateway } = fixture.testing;
    await waitFor('80% in the status bar', () => statusBar.text === '$(radio-tower) Agate 80%');
    let renders = 0;
    let accountChanges = 0;
    const counting = [statusBar.onDidRender(() => renders++), gateway.onDidChangeAccounts(() => accountChanges++)];
    try {
      for (let i = 0; i < 5; i++) await askThroughGateway(fixture.api.baseUrl()!, `request ${i}`, 'claude-opus-4-6-thinking');
    } finally {
      for (const subscription of counting) subscription.dispose();
    }
    assert.ok(accountChanges >= 5, `the pool reported ${accountChanges} account changes for 5 requests`);
    assert.equal(renders, 0);
    assert.equal(statusBar.text, '$(radio-tower) Agate 80%');
  });

  it('follows a quota change reported by the pool', async () => {
    const { statusBar } = fixture.testing;
    // Each request now costs a quarter of the model's quota upstream; the next quota fetch reports it.
    fixture.sim.configure({ quotaCostPerRequest: 0.25 });
    await askThroughGateway(fixture.api.baseUrl()!, 'spend some quota', 'claude-opus-4-6-thinking');
    await (await fixture.testing.gateway.core()).pool.refreshQuota(ada.id);
    // Opus falls from 80% to 55%: the headline is now Sonnet's 60%, the best Claude model left.
    await waitFor('60% in the status bar', () => statusBar.text === '$(radio-tower) Agate 60%');
    assert.match(statusBar.tooltip, /\| claude-opus-4-6-thinking \| 55% \|/);
    assert.match(statusBar.tooltip, /^60% left on claude-sonnet-4-6/m);
  });

  it('shows the model chosen in agate.statusBar.model', async () => {
    await setSetting('statusBar.model', 'claude-sonnet-4-6');
    await waitFor('60% in the status bar', () => fixture.testing.statusBar.text === '$(radio-tower) Agate 60%');
  });

  it('warns only while no account is usable', async () => {
    const { statusBar } = fixture.testing;
    const others = (await fixture.testing.gateway.core()).pool.list().filter((account) => account.state === 'active');
    for (const account of others) await vscode.commands.executeCommand('agate.manageAccounts', { account: account.id, action: 'disable' });
    try {
      await waitFor('the warning background', () => statusBar.warning);
      assert.equal(statusBar.text, '$(radio-tower) Agate');
    } finally {
      for (const account of others) await vscode.commands.executeCommand('agate.manageAccounts', { account: account.id, action: 'enable' });
    }
    await waitFor('no warning', () => !statusBar.warning);
  });
});
