// The editor's proxy setting applies to the gateway's upstream calls: with VS Code's `http.proxy` pointed at a
// local HTTP proxy started here, a request through the gateway reaches the simulator through that proxy.
//
// What this proves, exactly: the gateway's upstream transport (Node's `http`/`https` with its own keep-alive
// agents, src/core/upstream/transport.ts) is routed by the extension host's proxy support (`http.proxySupport`
// at its default, "override") to the proxy named in `http.proxy`, with no Agate setting involved. The upstream
// host the gateway is given is a `.invalid` name (RFC 6761: never resolves), which only the proxy maps to the
// simulator: an answer can only come back through the proxy, and the proxy's record shows the request.
// VS Code sends `localhost`/`127.0.0.1` direct whatever the settings say, so a loopback upstream URL would
// prove nothing; the simulator's own address does not appear in the gateway's settings during the test.
//
// The proxy's onward leg uses the bundled undici `Client`: VS Code's patches apply to `http`, `https`, `fetch`
// and a `require('undici')` at run time, so a bundled copy connects directly instead of looping through the
// proxy it serves.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Client } from 'undici';
import * as vscode from 'vscode';
import { ADA, agateFixture, askThroughGateway, settings, useUpstreamHosts, type Fixture } from './support/fixture';

const UPSTREAM_NAME = 'cloudcode.agate-proxy-test.invalid';

/** Hop-by-hop headers a proxy does not forward (RFC 9110 section 7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

interface RecordingProxy {
  url: string;
  /** "CONNECT host:port" or "METHOD absolute-url", one per request or tunnel the proxy served. */
  seen: string[];
  close(): Promise<void>;
}

/** An HTTP proxy (absolute-form requests and CONNECT tunnels) that sends everything to the simulator. */
async function startProxyInFrontOf(simulatorUrl: string): Promise<RecordingProxy> {
  const simulator = new URL(simulatorUrl);
  const onward = new Client(simulator.origin);
  const seen: string[] = [];
  const proxy = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('a proxy takes absolute-form requests');
      return;
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    onward
      .request({ method: req.method as 'GET' | 'POST', path: target.pathname + target.search, headers, body: hasBody ? req : undefined })
      .then((answer) => {
        const answerHeaders: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) answerHeaders[name] = value;
        res.writeHead(answer.statusCode, answerHeaders);
        answer.body.pipe(res);
      })
      .catch(() => res.writeHead(502).end());
  });
  proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    const tunnel = net.connect(Number(simulator.port), simulator.hostname, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      tunnel.write(head);
      tunnel.pipe(client);
      client.pipe(tunnel);
    });
    tunnel.on('error', () => client.destroy());
    client.on('error', () => tunnel.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    seen,
    close: async () => {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
      await onward.close();
    },
  };
}

async function setProxySetting(url: string | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('http').update('proxy', url, vscode.ConfigurationTarget.Global);
}

describe('upstream through the editor proxy', () => {
  let fixture: Fixture;
  let proxy: RecordingProxy;
  let hostsBefore: string[];

  before(async () => {
    fixture = await agateFixture();
    await vscode.commands.executeCommand('agate.addAccountRefreshToken', ADA.refreshToken);
    proxy = await startProxyInFrontOf(fixture.sim.url);
    hostsBefore = settings().get<string[]>('upstream.hosts') ?? [];
  });
  after(async () => {
    await setProxySetting(undefined);
    await useUpstreamHosts(fixture.testing, hostsBefore, 'the simulator again');
    await proxy.close();
  });

  it('sends generation to the upstream through the proxy named in http.proxy', async () => {
    const upstream = `http://${UPSTREAM_NAME}:${new URL(fixture.sim.url).port}`;
    await setProxySetting(proxy.url);
    await useUpstreamHosts(fixture.testing, [`${upstream}/daily`], 'the unresolvable upstream');
    const requestsBefore = fixture.sim.log.length;

    const answer = await askThroughGateway(fixture.api.baseUrl()!, 'through the editor proxy');

    assert.match(answer, /You said: through the editor proxy/);
    const generations = proxy.seen.filter((line) => line.startsWith(`POST ${upstream}/daily/`) && /generateContent/i.test(line));
    assert.ok(generations.length >= 1, `the proxy saw no generation request; it saw: ${proxy.seen.join(', ')}`);
    assert.ok(fixture.sim.log.slice(requestsBefore).some((entry) => /^(stream)?[gG]enerateContent$/.test(entry.method) && entry.account === ADA.email));
  });
});
