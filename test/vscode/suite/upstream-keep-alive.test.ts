// Upstream connections are kept alive in the editor too. In the extension host VS Code's proxy support
// (`http.proxySupport` at its default, "override") replaces the agent of every `http`/`https` request to a host
// other than `localhost`/`127.0.0.1` with its own proxy-resolving agent, and with no proxy configured that agent
// sends the request through Node's global agent: the gateway's own keep-alive pool is bypassed there. This checks
// that connections are still reused, over HTTP and over HTTPS as Google is reached: the upstream is given as
// 127.0.0.2 (loopback to the kernel, not "localhost" to VS Code), where a relay counts the connections it
// accepts on the simulator's behalf. The HTTPS relay presents a certificate for 127.0.0.2 from the test CA that
// the runner has the extension host trust (harness-env.ts).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import * as vscode from 'vscode';
import { TLS_FIXTURES_ENV } from '../harness-env';
import { ADA, agateFixture, askThroughGateway, settings, useUpstreamHosts, type Fixture } from './support/fixture';

interface CountingRelay {
  url: string;
  accepted(): number;
  close(): Promise<void>;
}

/** A relay on 127.0.0.2 to the simulator (plain TCP, or TLS ended here), counting the connections it accepts. */
async function startCountingRelay(simulatorUrl: string, secure: boolean): Promise<CountingRelay> {
  const simulator = new URL(simulatorUrl);
  let accepted = 0;
  const sockets = new Set<net.Socket>();
  const relayTo = (client: net.Socket) => {
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
  };
  const tlsDir = process.env[TLS_FIXTURES_ENV];
  if (secure && !tlsDir) throw new Error(`${TLS_FIXTURES_ENV} is not set: run the suite through test/vscode/run-in-code-server.ts`);
  const relay = secure
    ? tls.createServer({ cert: fs.readFileSync(path.join(tlsDir!, 'server.pem')), key: fs.readFileSync(path.join(tlsDir!, 'server-key.pem')) }, relayTo)
    : net.createServer(relayTo);
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.2', resolve));
  return {
    url: `${secure ? 'https' : 'http'}://127.0.0.2:${(relay.address() as AddressInfo).port}`,
    accepted: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => relay.close(resolve));
    },
  };
}

async function setHttpSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('http').update(key, value, vscode.ConfigurationTarget.Global);
}

describe('upstream keep-alive in the editor', () => {
  let fixture: Fixture;
  let hostsBefore: string[];

  before(async () => {
    fixture = await agateFixture();
    await vscode.commands.executeCommand('agate.addAccountRefreshToken', ADA.refreshToken);
    hostsBefore = settings().get<string[]>('upstream.hosts') ?? [];
  });
  after(async () => {
    await useUpstreamHosts(fixture.testing, hostsBefore, 'the simulator again');
  });

  for (const secure of [false, true]) {
    it(`reuses its upstream connections to a host VS Code does not treat as local, over ${secure ? 'HTTPS' : 'HTTP'}`, async () => {
      const relay = await startCountingRelay(fixture.sim.url, secure);
      // VS Code's own certificate loading ("http.systemCertificates") gives TLS the OS's roots in place of Node's,
      // and with them NODE_EXTRA_CA_CERTS, where the test CA is; off for this case only.
      if (secure) await setHttpSetting('systemCertificates', false);
      try {
        await useUpstreamHosts(fixture.testing, [`${relay.url}/daily`], 'the relay');
        const requests = 12;
        for (let i = 0; i < requests; i++) {
          assert.match(await askThroughGateway(fixture.api.baseUrl()!, `kept alive ${i}`), new RegExp(`You said: kept alive ${i}`));
        }
        console.log(`[keep-alive] ${secure ? 'HTTPS' : 'HTTP'}: ${requests} requests, ${relay.accepted()} upstream connections`);
        assert.ok(relay.accepted() <= 3, `${relay.accepted()} upstream connections for ${requests} requests one after another`);
      } finally {
        if (secure) await setHttpSetting('systemCertificates', undefined);
        await relay.close();
      }
    });
  }
});
