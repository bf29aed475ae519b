import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { UpstreamFailure } from '../../../src/core/upstream/failure';
import { CloudCodeClient, SimulatorRefused, type CloudCodeClientOptions, type HostAttempt } from '../../../src/core/upstream/cloudcode/client';
import type { Logger } from '../../../src/core/ports';
import { json, signal, sseFrame, sseHead, startServer, within, type Handler, type TestServer } from './http-harness';

const TOKEN = 'ya29.secret-access-token';

function options(hosts: string[], extra: Partial<CloudCodeClientOptions> = {}): CloudCodeClientOptions {
  return { hosts, userAgent: 'antigravity/1.15.8 linux/x64', connectTimeoutMs: 2000, firstByteTimeoutMs: 5000, idleTimeoutMs: 5000, ...extra };
}

async function collect(iterable: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function failureOf(promise: Promise<unknown>): Promise<UpstreamFailure> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof UpstreamFailure, `expected an UpstreamFailure, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a failure');
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

describe('cloudcode HTTP client', () => {
  let server: TestServer | undefined;
  const serve = async (handler: Handler) => (server = await startServer(handler));
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('POSTs the body to {host}/v1internal:{method} with the bearer token and user agent', async () => {
    const s = await serve((_req, res) => json(res, 200, { ok: true }));
    const client = new CloudCodeClient(options([`${s.url}/daily/`]));
    const answer = await client.call({ method: 'loadCodeAssist', accessToken: TOKEN, body: { metadata: { ideType: 'ANTIGRAVITY' } } });
    assert.deepEqual(answer, { ok: true });
    const [seen] = s.requests;
    assert.equal(seen.url, '/daily/v1internal:loadCodeAssist');
    assert.equal(seen.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(seen.headers['content-type'], 'application/json');
    assert.equal(seen.headers['user-agent'], 'antigravity/1.15.8 linux/x64');
    assert.deepEqual(seen.body, { metadata: { ideType: 'ANTIGRAVITY' } });
  });

  it('falls back through hosts in order on 5xx, 404 and 408, and reports each host', async () => {
    const s = await serve((req, res) => {
      if (req.url?.startsWith('/a/')) return json(res, 503, { error: { code: 503, message: 'backend down', status: 'UNAVAILABLE' } });
      if (req.url?.startsWith('/b/')) return json(res, 404, { error: { code: 404, message: 'no such method', status: 'NOT_FOUND' } });
      if (req.url?.startsWith('/c/')) return json(res, 408, {});
      sseHead(res);
      sseFrame(res, { response: { candidates: [] } });
      res.end();
    });
    const attempts: HostAttempt[] = [];
    const client = new CloudCodeClient(options(['a', 'b', 'c', 'd'].map((h) => `${s.url}/${h}`)));
    const frames = await collect(client.stream({ method: 'streamGenerateContent', accessToken: TOKEN, body: {}, onAttempt: (a) => attempts.push(a) }));
    assert.equal(frames.length, 1);
    assert.deepEqual(
      attempts.map((a) => [a.host.slice(s.url.length), a.status, a.outcome, a.fellBack]),
      [
        ['/a', 503, 'server', true],
        ['/b', 404, 'not_found', true],
        ['/c', 408, 'timeout', true],
        ['/d', 200, 'ok', false],
      ],
    );
    assert.equal(s.requests[3].url, '/d/v1internal:streamGenerateContent?alt=sse');
  });

  it('falls back when a host cannot be reached', async () => {
    const s = await serve((_req, res) => json(res, 200, { totalTokens: 12 }));
    const attempts: HostAttempt[] = [];
    const client = new CloudCodeClient(options([`http://127.0.0.1:${await closedPort()}`, s.url]));
    assert.deepEqual(await client.call({ method: 'countTokens', accessToken: TOKEN, body: {}, onAttempt: (a) => attempts.push(a) }), {
      totalTokens: 12,
    });
    assert.deepEqual(
      attempts.map((a) => [a.status, a.outcome, a.fellBack]),
      [
        [undefined, 'network', true],
        [200, 'ok', false],
      ],
    );
  });

  for (const [status, kind] of [
    [400, 'bad_request'],
    [401, 'auth_expired'],
    [403, 'forbidden'],
    [429, 'rate_limited'],
  ] as const) {
    it(`does not fall back on ${status}`, async () => {
      const s = await serve((_req, res) => json(res, status, { error: { code: status, message: `status ${status}`, status: 'X' } }));
      const client = new CloudCodeClient(options([`${s.url}/first`, `${s.url}/second`]));
      const failure = await failureOf(client.call({ method: 'generateContent', accessToken: TOKEN, body: {}, model: 'gemini-3-flash' }));
      assert.equal(failure.kind, kind);
      assert.equal(failure.status, status);
      assert.equal(failure.model, 'gemini-3-flash');
      assert.deepEqual(
        s.requests.map((r) => r.url),
        ['/first/v1internal:generateContent'],
      );
    });
  }

  it('gives up with the last host failure when every host fails', async () => {
    const s = await serve((req, res) => json(res, req.url?.startsWith('/a/') ? 500 : 502, { error: { code: 502, message: 'bad gateway' } }));
    const client = new CloudCodeClient(options([`${s.url}/a`, `${s.url}/b`]));
    const failure = await failureOf(client.call({ method: 'fetchAvailableModels', accessToken: TOKEN, body: {} }));
    assert.equal(failure.kind, 'server');
    assert.equal(failure.status, 502);
  });

  it('times out a host that never answers, without repeating the request elsewhere', async () => {
    const s = await serve(() => undefined);
    const client = new CloudCodeClient(options([`${s.url}/slow`, `${s.url}/other`], { firstByteTimeoutMs: 150 }));
    const failure = await failureOf(client.call({ method: 'loadCodeAssist', accessToken: TOKEN, body: {} }));
    assert.equal(failure.kind, 'timeout');
    assert.match(failure.message, /first byte/);
    assert.equal(s.requests.length, 1);
    await within(s.clientHungUp(), 2000, 'the timed-out request to be closed');
  });

  it('waits answerTimeoutMs, not firstByteTimeoutMs, for a unary generation, whose first byte comes with its end', async () => {
    const s = await serve((_req, res) => void setTimeout(() => json(res, 200, { response: { candidates: [] } }), 300));
    const patient = new CloudCodeClient(options([s.url], { firstByteTimeoutMs: 100, answerTimeoutMs: 5000 }));
    assert.deepEqual(await patient.call({ method: 'generateContent', accessToken: TOKEN, body: {} }), { response: { candidates: [] } });
    const hurried = new CloudCodeClient(options([s.url], { firstByteTimeoutMs: 5000, answerTimeoutMs: 100 }));
    const failure = await failureOf(hurried.call({ method: 'generateContent', accessToken: TOKEN, body: {} }));
    assert.equal(failure.kind, 'timeout');
    assert.match(failure.message, /whole answer/);
  });

  it('counts the first-byte timeout until the body starts, not just the headers', async () => {
    const s = await serve((_req, res) => sseHead(res));
    const client = new CloudCodeClient(options([s.url], { firstByteTimeoutMs: 150 }));
    const failure = await failureOf(collect(client.stream({ method: 'streamGenerateContent', accessToken: TOKEN, body: {} })));
    assert.equal(failure.kind, 'timeout');
  });

  it('times out a stream that goes quiet, after delivering what came', async () => {
    const s = await serve((_req, res) => {
      sseHead(res);
      sseFrame(res, { n: 1 });
    });
    const client = new CloudCodeClient(options([s.url], { idleTimeoutMs: 150 }));
    const received: unknown[] = [];
    const failure = await failureOf(
      (async () => {
        for await (const frame of client.stream({ method: 'streamGenerateContent', accessToken: TOKEN, body: {} })) received.push(frame);
      })(),
    );
    assert.deepEqual(received, [{ n: 1 }]);
    assert.equal(failure.kind, 'timeout');
    assert.match(failure.message, /idle/);
  });

  it('yields each SSE frame as it arrives', async () => {
    const firstSeen = signal();
    const s = await serve(async (_req, res) => {
      sseHead(res);
      sseFrame(res, { n: 1 });
      // The second frame is only sent once the client holds the first: a
      // client that buffered the stream would never get here.
      await within(firstSeen.promise, 5000, 'the client to receive frame 1');
      sseFrame(res, { n: 2 });
      res.end();
    });
    const client = new CloudCodeClient(options([s.url]));
    const frames: unknown[] = [];
    for await (const frame of client.stream({ method: 'streamGenerateContent', accessToken: TOKEN, body: {} })) {
      frames.push(frame);
      if (frames.length === 1) firstSeen.resolve();
    }
    assert.deepEqual(frames, [{ n: 1 }, { n: 2 }]);
  });

  it('parses frames split across chunks, packed into one, or unterminated at the end', async () => {
    const s = await serve(async (_req, res) => {
      sseHead(res);
      res.write('data: {"a":');
      await new Promise((r) => setTimeout(r, 20));
      res.write('1}\n\ndata: {"b":2}\n\n: keep-alive comment\n\ndata: {"c":"é"}');
      res.end();
    });
    const client = new CloudCodeClient(options([s.url]));
    assert.deepEqual(await collect(client.stream({ method: 'streamGenerateContent', accessToken: TOKEN, body: {} })), [{ a: 1 }, { b: 2 }, { c: 'é' }]);
  });

  it('raises an error frame sent after the 200 as a classified failure', async () => {
    const s = await serve((_req, res) => {
      sseHead(res);
      sseFrame(res, { response: { candidates: [] } });
      sseFrame(res, { error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'slow down' } });
      res.end();
    });
    const client = new CloudCodeClient(options([s.url]));
    const failure = await failureOf(collect(client.stream({ method: 'streamGenerateContent', accessToken: TOKEN, body: {} })));
    assert.equal(failure.kind, 'rate_limited');
  });

  it("cancels the upstream request when the caller's signal aborts mid-stream", async () => {
    const s = await serve((_req, res) => {
      sseHead(res);
      sseFrame(res, { n: 1 });
    });
    const client = new CloudCodeClient(options([s.url]));
    const controller = new AbortController();
    const reading = (async () => {
      for await (const _frame of client.stream({ method: 'streamGenerateContent', accessToken: TOKEN, body: {}, signal: controller.signal })) {
        controller.abort();
      }
    })();
    await assert.rejects(reading, (err: unknown) => err instanceof Error && err.name === 'AbortError');
    await within(s.clientHungUp(), 2000, 'the server to see the connection close');
  });

  it('cancels the upstream request when aborted before the answer starts', async () => {
    const s = await serve(() => undefined);
    const client = new CloudCodeClient(options([s.url, `${s.url}/second`]));
    const controller = new AbortController();
    const pending = client.call({ method: 'generateContent', accessToken: TOKEN, body: {}, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(pending, (err: unknown) => err instanceof Error && err.name === 'AbortError');
    await within(s.clientHungUp(), 2000, 'the server to see the connection close');
    assert.equal(s.requests.length, 1);
  });

  it('closes the upstream connection when the consumer stops reading', async () => {
    const s = await serve((_req, res) => {
      sseHead(res);
      sseFrame(res, { n: 1 });
    });
    const client = new CloudCodeClient(options([s.url]));
    for await (const _frame of client.stream({ method: 'streamGenerateContent', accessToken: TOKEN, body: {} })) break;
    await within(s.clientHungUp(), 2000, 'the server to see the connection close');
  });

  it('refuses the simulator unless built for it', async () => {
    const s = await serve((_req, res) => json(res, 200, { ok: true }, { 'x-agate-simulator': '1' }));
    const strict = new CloudCodeClient(options([s.url, `${s.url}/second`]));
    await assert.rejects(strict.call({ method: 'loadCodeAssist', accessToken: TOKEN, body: {} }), SimulatorRefused);
    assert.equal(s.requests.length, 1);
    const allowed = new CloudCodeClient(options([s.url], { allowSimulator: true }));
    assert.deepEqual(await allowed.call({ method: 'loadCodeAssist', accessToken: TOKEN, body: {} }), { ok: true });
  });

  it('never logs the access token', async () => {
    const s = await serve((req, res) => (req.url?.startsWith('/a/') ? json(res, 500, {}) : json(res, 200, {})));
    const lines: string[] = [];
    const record = (message: string, fields?: Record<string, unknown>) => void lines.push(message + JSON.stringify(fields ?? {}));
    const logger: Logger = { trace: record, debug: record, info: record, warn: record, error: record };
    const client = new CloudCodeClient(options([`${s.url}/a`, `${s.url}/b`], { logger }));
    await client.call({ method: 'loadCodeAssist', accessToken: TOKEN, body: {} });
    assert.ok(lines.length >= 2);
    assert.ok(lines.every((l) => !l.includes(TOKEN)));
  });

  it('goes through the configured proxy', async () => {
    const s = await serve((_req, res) => json(res, 200, { viaProxy: true }));
    const tunnels: string[] = [];
    const proxy = http.createServer();
    proxy.on('connect', (req, clientSocket, head) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = net.connect(Number(port), host, () => {
        clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(clientSocket);
        clientSocket.pipe(upstream);
      });
      upstream.on('error', () => clientSocket.destroy());
      clientSocket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const client = new CloudCodeClient(options([s.url], { proxy: proxyUrl }));
    try {
      assert.deepEqual(await client.call({ method: 'loadCodeAssist', accessToken: TOKEN, body: {} }), { viaProxy: true });
      assert.deepEqual(tunnels, [new URL(s.url).host]);
    } finally {
      await client.close();
      proxy.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });
});
