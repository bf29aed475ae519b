// Two windows on one editor (two workbench pages on different folders, so two extension hosts): one gateway, owned
// by one window; the other attaches — its status bar shows the same quota live, its commands go to the owner —
// and takes over on the same port when the owner's window closes. Runs last: it hands this window's gateway to
// the second window and takes it back.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { AccountSpec } from '../../../src/simulator';
import { DataDirLock, readOwner } from '../../../src/core/stores/data-dir-lock';
import { canSeeWorkbench, closeWindow, openSecondWindow, workbenchTexts } from './screenshot';
import { ADA, agateFixture, askThroughGateway, freePort, setSetting, waitFor, waitForRunning, type Fixture } from './support/fixture';

const FULL: AccountSpec = {
  email: 'full@example.com',
  refreshToken: '1//vscode-test-refresh-full-0123456789',
  tier: 'g1-pro-tier',
  quota: { 'claude-opus-4-6-thinking': 1, 'claude-sonnet-4-6': 1 },
};

const QUOTA_TEXT = /Agate (\d+)%/;

/** The Agate status bar item of a window, as the page renders it. */
async function statusBarText(window?: number): Promise<string | undefined> {
  return (await workbenchTexts('.statusbar-item', window)).find((text) => QUOTA_TEXT.test(text) || /\bAgate\b/.test(text));
}

describe('two windows, one gateway', function () {
  let fixture: Fixture;
  let second: number | undefined;
  before(async function () {
    if (!canSeeWorkbench()) this.skip(); // a second window needs the code-server runner
    fixture = await agateFixture();
    await vscode.commands.executeCommand('agate.addAccountRefreshToken', ADA.refreshToken);
  });
  after(async () => {
    if (second !== undefined) await closeWindow(second).catch(() => undefined);
  });

  it('names the CLI Agate that serves the wanted port (PID, data dir) and offers to use it or another port', async () => {
    // A gateway of `agate serve` on the port, as its data dir's lock describes it (the CLI's data dir: AGATE_DATA_DIR).
    const cliDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-cli-owner-'));
    const previous = process.env.AGATE_DATA_DIR;
    process.env.AGATE_DATA_DIR = cliDataDir;
    const blocker = http.createServer((_request, response) => response.end('{}'));
    const taken = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as AddressInfo).port)));
    const lock = await DataDirLock.acquire(cliDataDir, { role: 'serve', version: 'test' });
    lock.publish({ url: `http://127.0.0.1:${taken}`, port: taken });
    try {
      await setSetting('port', taken);
      await waitFor('the start to fail', () => fixture.testing.gateway.state.kind === 'failed');
      const toast = await waitFor('the notification naming the other Agate', async () =>
        (await workbenchTexts('.notifications-toasts')).find((text) => text.includes(`Another Agate serves port ${taken}`)),
      );
      assert.match(toast, new RegExp(`"agate serve" \\(PID ${process.pid}, port ${taken}\\)`));
      assert.ok(toast.includes(cliDataDir), toast);
      assert.match(toast, /Use It/);
      assert.match(toast, /Use Another Port/);
    } finally {
      lock.release();
      blocker.close();
      if (previous === undefined) delete process.env.AGATE_DATA_DIR;
      else process.env.AGATE_DATA_DIR = previous;
      fs.rmSync(cliDataDir, { recursive: true, force: true });
      await setSetting('port', await freePort());
    }
    await waitForRunning(fixture.testing);
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  it('one window owns the gateway, the other attaches, follows it live, and takes over on the same port when it closes', async function () {
    this.timeout(180_000);
    const { testing } = fixture;
    const state = testing.gateway.state;
    assert.equal(state.kind, 'running');
    const port = state.kind === 'running' ? state.port : 0;
    const dataDir = testing.globalStorageDir;

    // This window lets the gateway go, as a closing window does; the second window, opened now, takes it.
    await testing.gateway.relinquish(120_000);
    second = await openSecondWindow();
    const owner = await waitFor(
      'the second window to own and serve the gateway',
      () => {
        const found = readOwner(dataDir);
        return found?.pid !== process.pid && found?.port === port && found.role === 'vscode' && found;
      },
      60_000,
    );
    const attached = await waitFor('this window to attach to it', () => {
      const current = testing.gateway.state;
      return current.kind === 'running' && current.owner?.pid === owner.pid && current;
    });
    assert.equal(attached.port, port, 'the same port');
    assert.equal(testing.gateway.owns, false);
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200, 'one gateway, served by the second window');

    // Both status bars show the quota.
    const mine = await waitFor("the quota in this window's status bar", () => QUOTA_TEXT.exec(testing.statusBar.text)?.[1]);
    const theirs = await waitFor("the quota in the second window's status bar", async () => QUOTA_TEXT.exec((await statusBarText(second)) ?? '')?.[1], 30_000);
    assert.equal(theirs, mine);

    // The key and the Claude Code terminal of this window are the owner's gateway's.
    const ownerKey = ((await (await fetch(`http://127.0.0.1:${port}/admin/api/primary-key`, { method: 'POST' })).json()) as { key: string }).key;
    await vscode.commands.executeCommand('agate.copyApiKey');
    assert.equal(await vscode.env.clipboard.readText(), ownerKey);
    const terminal = await vscode.commands.executeCommand<vscode.Terminal>('agate.openClaudeTerminal');
    try {
      const env = (terminal.creationOptions as vscode.TerminalOptions).env!;
      assert.equal(env.ANTHROPIC_BASE_URL, `http://127.0.0.1:${port}`);
      assert.equal(env.ANTHROPIC_AUTH_TOKEN, ownerKey);
    } finally {
      terminal?.dispose();
    }

    // Commands of this window act on the owner's gateway: Stop stops it, Start asks the owner to start it again.
    assert.deepEqual(await vscode.commands.executeCommand('agate.stop'), { state: 'stopped' });
    await waitFor('the owner to stop serving', () => readOwner(dataDir)?.pid === owner.pid && readOwner(dataDir)?.url === undefined);
    assert.deepEqual(await vscode.commands.executeCommand('agate.start'), { state: 'running', url: `http://127.0.0.1:${port}` });
    assert.equal(readOwner(dataDir)?.pid, owner.pid, 'the second window still owns the gateway');
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);

    // An account added in this (attached) window shows in the owner's window within 2 s.
    fixture.sim.addAccount(FULL);
    const added = await vscode.commands.executeCommand<{ email: string }>('agate.addAccountRefreshToken', FULL.refreshToken);
    assert.equal(added?.email, FULL.email);
    const addedAt = Date.now();
    await waitFor("the new account's quota in the owner's status bar", async () => (await statusBarText(second))?.includes('Agate 100%'), 2_000);
    assert.ok(Date.now() - addedAt <= 2_000);
    await waitFor("the new account in this window's status bar", () => testing.statusBar.tooltip.includes('full@example.com'), 2_000);
    // The dashboard of this window shows the owner's accounts.
    await vscode.commands.executeCommand('agate.openDashboard');
    await waitFor(
      "the new account on this window's dashboard",
      async () => (await workbenchTexts('.account-card')).some((text) => text.includes(FULL.email)),
      30_000,
    );
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    // Neither window complains that the other one owns the port.
    for (const window of [undefined, second]) {
      const toasts = (await workbenchTexts('.notifications-toasts', window)).join('\n');
      assert.doesNotMatch(toasts, new RegExp(`port ${port}\\b|Another Agate|did not start`), `window ${window ?? 'under test'}: ${toasts}`);
    }

    // The owner's window closes: this window serves on the same port within 5 s.
    await closeWindow(second);
    second = undefined;
    const closedAt = Date.now();
    await waitFor(
      'this window to serve on the same port',
      () => {
        const current = testing.gateway.state;
        return current.kind === 'running' && !current.owner && current.port === port;
      },
      5_000,
    );
    assert.ok(Date.now() - closedAt <= 5_000);
    assert.equal(testing.gateway.owns, true);
    assert.equal(readOwner(dataDir)?.pid, process.pid);
    const answer = await askThroughGateway(`http://127.0.0.1:${port}`, 'after the handover');
    assert.match(answer, /You said: after the handover/);
    // The takeover asked nothing of the user.
    const toasts = (await workbenchTexts('.notifications-toasts')).join('\n');
    assert.doesNotMatch(toasts, new RegExp(`port ${port}\\b|Another Agate|did not start`), toasts);
  });
});
