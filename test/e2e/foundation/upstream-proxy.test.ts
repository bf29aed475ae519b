/**
 * The CLI's upstream calls (generation and the OAuth refresh) go through an
 * HTTP proxy: `upstream.proxy`, or HTTP_PROXY / HTTPS_PROXY from the
 * environment, with NO_PROXY honoured. The proxy is a local CONNECT proxy that
 * records every tunnel it opens.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { CliServer, cleanEnv, ensureCliBuilt } from './cli-process';

const URL_LINE = /listening on (http:\/\/127\.0\.0\.1:\d+)/;

interface RecordingProxy {
  url: string;
  tunnels: string[];
  close(): Promise<void>;
}

async function startConnectProxy(): Promise<RecordingProxy> {
  const tunnels: string[] = [];
  const proxy = http.createServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    tunnels,
    close: () => {
      proxy.closeAllConnections();
      return new Promise((resolve) => proxy.close(() => resolve()));
    },
  };
}

const ask = (baseUrl: string) =>
  fetch(`${baseUrl}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'any' },
    body: JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 64, messages: [{ role: 'user', content: 'via the proxy' }] }),
  });

describe('foundation: the CLI reaches the upstream through a proxy', function () {
  this.timeout(60_000);
  let simulator: CliServer;
  let simUrl: string;
  let proxy: RecordingProxy;
  const gateways: CliServer[] = [];

  before(async function () {
    this.timeout(120_000);
    ensureCliBuilt();
    simulator = CliServer.start(['simulate', '--port', '0']);
    [, simUrl] = await simulator.waitFor(/Upstream simulator at (http:\/\/127\.0\.0\.1:\d+)/);
  });
  beforeEach(async () => (proxy = await startConnectProxy()));
  afterEach(async () => {
    for (const gateway of gateways.splice(0)) await gateway.stop();
    await proxy.close();
  });
  after(async () => simulator && (await simulator.stop()));

  async function gateway(args: string[], env: Record<string, string>): Promise<string> {
    const server = CliServer.start(['demo', '--port', '0', '--simulator', simUrl, ...args], cleanEnv(env));
    gateways.push(server);
    const [, baseUrl] = await server.waitFor(URL_LINE);
    return baseUrl;
  }

  it('HTTP_PROXY: generation and the token refresh are tunnelled through it', async () => {
    const baseUrl = await gateway([], { HTTP_PROXY: proxy.url });
    const answer = await ask(baseUrl);
    assert.equal(answer.status, 200, await answer.clone().text());
    assert.match(JSON.stringify(await answer.json()), /You said: via the proxy/);
    const simHost = new URL(simUrl).host;
    assert.ok(proxy.tunnels.length >= 1, 'the proxy opened a tunnel');
    assert.ok(
      proxy.tunnels.every((tunnel) => tunnel === simHost),
      proxy.tunnels.join(', '),
    );
  });

  it('NO_PROXY naming the upstream host: direct', async () => {
    const baseUrl = await gateway([], { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' });
    const answer = await ask(baseUrl);
    assert.equal(answer.status, 200, await answer.clone().text());
    await answer.arrayBuffer();
    assert.deepEqual(proxy.tunnels, []);
  });

  it('upstream.proxy: used without any environment variable', async () => {
    const baseUrl = await gateway(['--set', `upstream.proxy=${proxy.url}`], {});
    const answer = await ask(baseUrl);
    assert.equal(answer.status, 200, await answer.clone().text());
    await answer.arrayBuffer();
    assert.ok(proxy.tunnels.includes(new URL(simUrl).host), proxy.tunnels.join(', '));
  });
});
