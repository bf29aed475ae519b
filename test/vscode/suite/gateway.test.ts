// The gateway's life cycle through the commands a user runs: a request through it, Stop releasing the port,
// Start and Toggle, a port change moving the server, and the message when the port is taken.
import assert from 'node:assert/strict';
import net from 'node:net';
import * as vscode from 'vscode';
import { workbenchTexts, canSeeWorkbench } from './screenshot';
import { ADA, agateFixture, askThroughGateway, freePort, setSetting, waitFor, waitForRunning, type Fixture } from './support/fixture';

interface GatewaySummary {
  state: string;
  url?: string;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('gateway commands', () => {
  let fixture: Fixture;
  before(async () => {
    fixture = await agateFixture();
  });

  it('adds an account by refresh token and answers a request through the simulator (smoke)', async () => {
    const account = await vscode.commands.executeCommand<{ email: string; plan: string }>('agate.addAccountRefreshToken', ADA.refreshToken);
    assert.equal(account?.email, ADA.email);
    assert.equal(account?.plan, 'pro');

    const answer = await askThroughGateway(fixture.api.baseUrl()!, 'hello from the extension host');
    assert.match(answer, /You said: hello from the extension host/);
    assert.ok(fixture.sim.log.some((entry) => /^(stream)?[gG]enerateContent$/.test(entry.method) && entry.account === ADA.email));
  });

  it('Stop releases the port, Start and Toggle bring the server back', async () => {
    const running = await vscode.commands.executeCommand<GatewaySummary>('agate.start');
    const port = Number(new URL(running.url!).port);
    assert.equal(await canConnect(port), true);

    assert.deepEqual(await vscode.commands.executeCommand('agate.stop'), { state: 'stopped' });
    assert.equal(await canConnect(port), false, 'the port still accepts connections after Stop');

    assert.deepEqual(await vscode.commands.executeCommand('agate.toggle'), { state: 'running', url: running.url });
    assert.equal(await canConnect(port), true);
    assert.deepEqual(await vscode.commands.executeCommand('agate.toggle'), { state: 'stopped' });
    assert.deepEqual(await vscode.commands.executeCommand('agate.start'), running);
  });

  it('moves the server when agate.port changes', async () => {
    const before = Number(new URL(fixture.api.baseUrl()!).port);
    const port = await freePort();
    await setSetting('port', port);
    const url = await waitForRunning(fixture.testing, port);
    assert.equal(url, `http://127.0.0.1:${port}`);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    assert.equal(await canConnect(before), false, `port ${before} is still served`);
  });

  it('copies the base URL', async () => {
    const url = await vscode.commands.executeCommand<string>('agate.copyBaseUrl');
    assert.equal(url, fixture.api.baseUrl());
    assert.equal(await vscode.env.clipboard.readText(), url);
  });

  it('says so when the port is taken, and keeps the settings', async function () {
    const blocker = net.createServer();
    const taken = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as net.AddressInfo).port)));
    try {
      await setSetting('port', taken);
      await waitFor('the start to fail', () => fixture.testing.gateway.state.kind === 'failed');
      const state = fixture.testing.gateway.state;
      assert.match(state.kind === 'failed' ? state.error.message : '', new RegExp(`Port ${taken} .* already in use`));
      if (canSeeWorkbench()) {
        const toast = await waitFor('the port-in-use notification', async () =>
          (await workbenchTexts('.notifications-toasts')).find((text) => text.includes(`port ${taken}`)),
        );
        assert.match(toast, /already in use/);
        assert.match(toast, /Use Another Port/);
        assert.match(toast, /Show What Listens/);
      }
    } finally {
      blocker.close();
      await setSetting('port', await freePort());
    }
    await waitForRunning(fixture.testing);
  });
});
