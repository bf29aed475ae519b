// Upstream connections are kept alive in the editor too. In the extension host VS Code's proxy support
// (`http.proxySupport` at its default, "override") replaces the agent of every `http`/`https` request to a host
// other than `localhost`/`127.0.0.1` with its own proxy-resolving agent, and with no proxy configured that agent
// sends the request through Node's global agent: the gateway's own keep-alive pool is bypassed there. This checks
// that connections are still reused: the upstream is given as 127.0.0.2 (loopback to the kernel, not "localhost"
// to VS Code), where a relay counts the TCP connections it accepts on the simulator's behalf.
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import { ADA, agateFixture, askThroughGateway, settings, useUpstreamHosts, type Fixture } from './support/fixture';

/** A TCP relay on 127.0.0.2 to the simulator, counting the connections it accepts. */
async function startCountingRelay(simulatorUrl: string): Promise<{ url: string; accepted: () => number; close(): Promise<void> }> {
  const simulator = new URL(simulatorUrl);
  let accepted = 0;
  const sockets = new Set<net.Socket>();
  const relay = net.createServer((client) => {
    accepted++;
    const onward = net.connect(Number(simulator.port), simulator.hostname);
    for (const socket of [client, onward]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(onward);
    onward.pipe(client);
    client.on('close', () => onward.destroy());
    onward.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.2', resolve));
  return {
    url: `http://127.0.0.2:${(relay.address() as AddressInfo).port}`,
    accepted: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => relay.close(resolve));
    },
  };
}

describe('upstream keep-alive in the editor', () => {
  let fixture: Fixture;
  let relay: Awaited<ReturnType<typeof startCountingRelay>>;
  let hostsBefore: string[];

  before(async () => {
    fixture = await agateFixture();
    await vscode.commands.executeCommand('agate.addAccountRefreshToken', ADA.refreshToken);
    relay = await startCountingRelay(fixture.sim.url);
    hostsBefore = settings().get<string[]>('upstream.hosts') ?? [];
  });
  after(async () => {
    await useUpstreamHosts(fixture.testing, hostsBefore, 'the simulator again');
    await relay.close();
  });

  it('reuses its upstream connections to a host VS Code does not treat as local', async () => {
    await useUpstreamHosts(fixture.testing, [`${relay.url}/daily`], 'the relay');
    const requests = 12;
    for (let i = 0; i < requests; i++)
      assert.match(await askThroughGateway(fixture.api.baseUrl()!, `kept alive ${i}`), new RegExp(`You said: kept alive ${i}`));
    console.log(`[keep-alive] ${requests} requests, ${relay.accepted()} upstream connections`);
    assert.ok(relay.accepted() <= 3, `${relay.accepted()} upstream connections for ${requests} requests one after another`);
  });
});
