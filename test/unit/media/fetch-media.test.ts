import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { GatewayError } from '../../../src/core/errors';
import { createDownloadSlots } from '../../../src/core/media/download-slots';
import type { ChatRequest, MediaPart } from '../../../src/core/ir';
import { type LookupAll, type MediaFetch, type MediaFetchInit, pinnedLookup, resolveMediaUrls } from '../../../src/core/media/fetch-media';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]);

const urlPart = (url: string, mimeType = 'image/*'): MediaPart => ({ type: 'media', mimeType, source: { kind: 'url', url } });

const requestWith = (...parts: MediaPart[]): ChatRequest => ({
  protocol: 'openai-chat',
  model: 'm',
  system: [],
  messages: [{ role: 'user', parts: [{ type: 'text', text: 'look' }, ...parts] }],
  tools: [],
  stream: false,
});

/** A fake DNS: names map to address lists. */
const dns =
  (table: Record<string, string[]>): LookupAll =>
  async (host) => {
    const addresses = table[host];
    if (!addresses) throw Object.assign(new Error(`ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

/** A fake web: URL → response; records every URL fetched. */
function web(routes: Record<string, () => Response>) {
  const fetched: string[] = [];
  const fetch: MediaFetch = async (url: string, init: MediaFetchInit) => {
    fetched.push(url);
    assert.equal(init.redirect, 'manual');
    const route = routes[url];
    if (!route) return new Response('not found', { status: 404 });
    return route();
  };
  return { fetch, fetched };
}

const image =
  (body: Uint8Array<ArrayBuffer> = PNG, type = 'image/png') =>
  () =>
    new Response(body, { headers: { 'content-type': type } });
const redirect = (location: string) => () => new Response(null, { status: 302, headers: { location } });

const PUBLIC = dns({ 'img.example': ['93.184.216.34'], 'cdn.example': ['2606:2800:220:1::1'] });
const options = { maxBytes: 1024, maxTotalBytes: 1 << 20, maxUrls: 32, concurrency: 4, timeoutMs: 5_000 };

async function refusal(request: ChatRequest, opts: Parameters<typeof resolveMediaUrls>[1]): Promise<GatewayError> {
  try {
    await resolveMediaUrls(request, opts);
  } catch (err) {
    assert.ok(err instanceof GatewayError, String(err));
    assert.equal(err.status, 400);
    return err;
  }
  assert.fail('expected the fetch to be refused');
}

describe('media: fetching client image URLs under the SSRF guard', () => {
  it('replaces url sources, tool-result images included, by the fetched bytes with the served type', async () => {
    const { fetch } = web({ 'https://img.example/a.png': image(), 'https://cdn.example/b.jpg': image(PNG, 'image/jpeg; charset=binary') });
    const request = requestWith(urlPart('https://img.example/a.png'));
    request.messages.push({
      role: 'user',
      parts: [{ type: 'tool_result', callId: 'c', name: 'shot', content: [urlPart('https://cdn.example/b.jpg')] }],
    });
    const sent = structuredClone(request);
    const resolved = await resolveMediaUrls(request, { ...options, fetch, lookup: PUBLIC });
    assert.deepEqual(request, sent, 'the decoded request stays as the client sent it');
    assert.deepEqual(resolved.messages[0].parts[1], { type: 'media', mimeType: 'image/png', source: { kind: 'base64', data: PNG.toString('base64') } });
    const result = resolved.messages[1].parts[0];
    assert.ok(result.type === 'tool_result');
    assert.deepEqual(result.content[0], { type: 'media', mimeType: 'image/jpeg', source: { kind: 'base64', data: PNG.toString('base64') } });
  });

  it('follows up to three redirects between public hosts', async () => {
    const { fetch, fetched } = web({
      'http://img.example/1': redirect('/2'),
      'http://img.example/2': redirect('https://cdn.example/3'),
      'https://cdn.example/3': redirect('https://img.example/final.png'),
      'https://img.example/final.png': image(),
    });
    const request = requestWith(urlPart('http://img.example/1'));
    const resolved = await resolveMediaUrls(request, { ...options, fetch, lookup: PUBLIC });
    assert.equal(fetched.length, 4);
    assert.equal((resolved.messages[0].parts[1] as MediaPart).source.kind, 'base64');
  });

  describe('refuses, naming the part', () => {
    it('hosts that resolve to a private address, when any of their addresses is private; the DNS answer only in the log', async () => {
      const lookup = dns({ 'mixed.example': ['93.184.216.34', '10.0.0.5'] });
      const { fetch, fetched } = web({});
      const logged: Array<{ message: string; fields?: Record<string, unknown> }> = [];
      const logger = { info: (message: string, fields?: Record<string, unknown>) => void logged.push({ message, fields }) };
      const err = await refusal(requestWith(urlPart('https://mixed.example/a.png')), { ...options, fetch, lookup, logger });
      assert.equal(err.param, 'messages[0].parts[1]');
      assert.match(err.message, /the host 'mixed\.example' does not resolve to a public address/);
      assert.doesNotMatch(err.message, /10\.0\.0\.5|93\.184|private/, 'the client is not told the DNS answer');
      assert.deepEqual(fetched, [], 'nothing was fetched');
      assert.deepEqual(logged, [{ message: 'media URL refused', fields: { host: 'mixed.example', address: '10.0.0.5', reason: 'private' } }]);
    });

    it('a name that does not resolve and a name that resolves to a private address get the same answer', async () => {
      const lookup = dns({ 'intranet.example': ['192.168.1.20'] });
      const { fetch } = web({});
      const internal = await refusal(requestWith(urlPart('https://intranet.example/a.png')), { ...options, fetch, lookup });
      const missing = await refusal(requestWith(urlPart('https://nowhere.example/a.png')), { ...options, fetch, lookup });
      assert.equal(internal.message.replaceAll('intranet', 'X'), missing.message.replaceAll('nowhere', 'X'));
    });

    const literals: Array<[string, RegExp]> = [
      ['http://127.0.0.1/a.png', /loopback/],
      ['http://localhost.example/a.png', /does not resolve to a public address/],
      ['http://169.254.169.254/latest/meta-data/', /link-local/],
      ['http://2130706433/a.png', /loopback/], // decimal 127.0.0.1
      ['http://0x7f.1/a.png', /loopback/], // hex
      ['http://0177.0.0.1/a.png', /loopback/], // octal
      ['http://[::1]/a.png', /loopback/],
      ['http://[::ffff:127.0.0.1]/a.png', /loopback/],
      ['http://[fd00::1]/a.png', /unique-local/],
      ['http://100.100.1.1/a.png', /carrier-grade NAT/],
      ['http://0.0.0.0/a.png', /unspecified/],
    ];
    for (const [url, reason] of literals) {
      it(url, async () => {
        const lookup = dns({ 'localhost.example': ['127.0.0.1'] });
        const { fetch, fetched } = web({});
        const err = await refusal(requestWith(urlPart(url)), { ...options, fetch, lookup });
        assert.match(err.message, reason);
        assert.deepEqual(fetched, []);
      });
    }

    for (const url of ['file:///etc/passwd', 'ftp://img.example/a.png', 'gopher://img.example/', 'https://user:pw@img.example/a.png']) {
      it(url, async () => {
        const { fetch, fetched } = web({});
        const err = await refusal(requestWith(urlPart(url)), { ...options, fetch, lookup: PUBLIC });
        assert.match(err.message, /not allowed/);
        assert.deepEqual(fetched, []);
      });
    }

    it('a redirect to a private host, before following it', async () => {
      const lookup = dns({ 'img.example': ['93.184.216.34'], 'intranet.example': ['192.168.0.10'] });
      const { fetch, fetched } = web({ 'https://img.example/a.png': redirect('http://intranet.example/secret') });
      const err = await refusal(requestWith(urlPart('https://img.example/a.png')), { ...options, fetch, lookup });
      assert.match(err.message, /the host 'intranet\.example' does not resolve to a public address/);
      assert.doesNotMatch(err.message, /192\.168|private/);
      assert.deepEqual(fetched, ['https://img.example/a.png']);
    });

    it('a redirect to the metadata service and to a file: URL', async () => {
      for (const location of ['http://169.254.169.254/', 'file:///etc/passwd']) {
        const { fetch, fetched } = web({ 'https://img.example/a.png': redirect(location) });
        const err = await refusal(requestWith(urlPart('https://img.example/a.png')), { ...options, fetch, lookup: PUBLIC });
        assert.doesNotMatch(err.message, /169\.254|link-local/, 'an address a redirect named is not echoed');
        assert.equal(fetched.length, 1);
      }
    });

    it('a fourth redirect', async () => {
      const { fetch } = web({
        'https://img.example/1': redirect('/2'),
        'https://img.example/2': redirect('/3'),
        'https://img.example/3': redirect('/4'),
        'https://img.example/4': redirect('/5'),
        'https://img.example/5': image(),
      });
      const err = await refusal(requestWith(urlPart('https://img.example/1')), { ...options, fetch, lookup: PUBLIC });
      assert.match(err.message, /more than 3 redirects/);
    });

    it('a non-image answer for an image', async () => {
      const { fetch } = web({ 'https://img.example/a.png': () => new Response('<html>', { headers: { 'content-type': 'text/html' } }) });
      const err = await refusal(requestWith(urlPart('https://img.example/a.png')), { ...options, fetch, lookup: PUBLIC });
      assert.match(err.message, /expected an image, got content type 'text\/html'/);
    });

    it('a body over the size limit, declared or not', async () => {
      const big = new Uint8Array(4096);
      const declared = web({ 'https://img.example/a.png': image(big) });
      assert.match((await refusal(requestWith(urlPart('https://img.example/a.png')), { ...options, ...declared, lookup: PUBLIC })).message, /1024-byte limit/);
      const streamed = web({
        'https://img.example/a.png': () =>
          new Response(
            new ReadableStream({
              start(controller) {
                for (let i = 0; i < 8; i++) controller.enqueue(new Uint8Array(256));
                controller.close();
              },
            }),
            { headers: { 'content-type': 'image/png' } },
          ),
      });
      assert.match((await refusal(requestWith(urlPart('https://img.example/a.png')), { ...options, ...streamed, lookup: PUBLIC })).message, /1024-byte limit/);
    });

    it('an error status, an unresolvable host, and a server that never answers', async () => {
      const { fetch } = web({});
      assert.match((await refusal(requestWith(urlPart('https://img.example/missing.png')), { ...options, fetch, lookup: PUBLIC })).message, /HTTP 404/);
      assert.match((await refusal(requestWith(urlPart('https://nowhere.example/a.png')), { ...options, fetch, lookup: PUBLIC })).message, /does not resolve/);
      const hanging: MediaFetch = (_url, init) => new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason)));
      const err = await refusal(requestWith(urlPart('https://img.example/a.png')), { ...options, timeoutMs: 50, fetch: hanging, lookup: PUBLIC });
      assert.match(err.message, /within 50 ms/);
    });

    it('the first failing part in request order when several fail', async () => {
      const { fetch } = web({ 'https://img.example/ok.png': image() });
      const request = requestWith(urlPart('https://img.example/ok.png'), urlPart('http://127.0.0.1/x.png'), urlPart('http://10.0.0.1/y.png'));
      const err = await refusal(request, { ...options, fetch, lookup: PUBLIC });
      assert.equal(err.param, 'messages[0].parts[2]');
    });
  });

  describe('the default fetch pins connections to the checked addresses', () => {
    let server: Server;
    let port: number;
    before(async () => {
      server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(PNG));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('connects to the vetted address whatever the host name would resolve to', async () => {
      // `pinned.invalid` exists in no DNS; the connection still reaches the address we vetted.
      const agent = new Agent({ connect: { lookup: pinnedLookup([{ address: '127.0.0.1', family: 4 }]) } });
      try {
        const response = await undiciFetch(`http://pinned.invalid:${port}/a.png`, { dispatcher: agent });
        assert.deepEqual(Buffer.from(await response.arrayBuffer()), PNG);
      } finally {
        await agent.destroy();
      }
    });

    it('the real resolver path refuses loopback before connecting', async () => {
      const err = await refusal(requestWith(urlPart(`http://127.0.0.1:${port}/a.png`)), options);
      assert.match(err.message, /loopback/);
    });
  });

  describe('the budget of one request', () => {
    const CHUNK = Buffer.concat([PNG, Buffer.alloc(64 * 1024 - PNG.length, 7)]);
    const MB = 1024 * 1024;
    let server: Server;
    let base: string;
    /** What the loopback media server did, reset before each test. */
    let served: { requests: number; bytes: number; completed: number; active: number; maxActive: number };
    /** When set, requests wait until this many are waiting, then all of them are answered. */
    let answerInGroupsOf: number | undefined;
    let waiting: Array<() => void> = [];

    before(async () => {
      // `/img?size=N` serves N bytes (`&declare` with a Content-Length, `&stall` headers only), reading at the client's pace.
      server = createServer(async (req, res) => {
        const query = new URL(req.url ?? '/', 'http://x').searchParams;
        const size = Number(query.get('size'));
        served.requests++;
        served.active++;
        served.maxActive = Math.max(served.maxActive, served.active);
        res.once('close', () => served.active--);
        if (answerInGroupsOf !== undefined) {
          await new Promise<void>((resolve) => {
            waiting.push(resolve);
            if (waiting.length >= (answerInGroupsOf ?? 0)) waiting.splice(0).forEach((go) => go());
          });
        }
        res.writeHead(200, { 'content-type': 'image/png', ...(query.has('declare') ? { 'content-length': String(size) } : {}) });
        if (query.has('stall')) return void res.flushHeaders();
        for (let sent = 0; sent < size && !res.destroyed;) {
          const n = Math.min(CHUNK.length, size - sent);
          const flowing = res.write(CHUNK.subarray(0, n));
          served.bytes += n;
          sent += n;
          if (!flowing) {
            await new Promise<void>((resolve) => {
              const go = () => (res.off('drain', go), res.off('close', go), resolve());
              res.on('drain', go).on('close', go);
            });
          }
        }
        if (!res.destroyed) res.end(() => served.completed++);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    beforeEach(() => {
      served = { requests: 0, bytes: 0, completed: 0, active: 0, maxActive: 0 };
      answerInGroupsOf = undefined;
      waiting = [];
    });
    after(() => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });

    // The host name passes the address check; the fetch then goes to the loopback server.
    const lookup = dns({ 'media.test': ['93.184.216.34'] });
    const fetch: MediaFetch = (url, init) =>
      globalThis.fetch(url.replace('http://media.test', base), {
        method: init.method,
        redirect: init.redirect,
        signal: init.signal,
        headers: init.headers,
      });
    const budget = { ...options, maxBytes: 64 * MB, maxTotalBytes: 5 * MB, concurrency: 2, fetch, lookup };
    const images = (count: number, query: string) => requestWith(...Array.from({ length: count }, (_, i) => urlPart(`http://media.test/img?n=${i}&${query}`)));

    async function refusedWith(request: ChatRequest, opts: Parameters<typeof resolveMediaUrls>[1], status: number): Promise<GatewayError> {
      try {
        await resolveMediaUrls(request, opts);
      } catch (err) {
        assert.ok(err instanceof GatewayError, String(err));
        assert.equal(err.status, status, err.message);
        return err;
      }
      assert.fail('expected the media to be refused');
    }

    it('refuses many large images once their total crosses the cap, without fetching the rest', async () => {
      const err = await refusedWith(images(20, `size=${2 * MB}`), budget, 413);
      assert.match(err.message, /more than 5242880 bytes.*\(media\.maxTotalBytes\)/);
      assert.ok(served.requests <= 4, `${served.requests} of 20 images requested`);
      assert.ok(served.bytes <= 8 * MB, `${served.bytes} bytes served`);
    });

    it('stops the download that crosses the total while it is being read', async () => {
      const err = await refusedWith(images(1, `size=${48 * MB}`), { ...budget, maxTotalBytes: 1 * MB }, 413);
      assert.match(err.message, /media\.maxTotalBytes/);
      assert.equal(served.completed, 0);
      assert.ok(served.bytes < 48 * MB, `${served.bytes} bytes served`);
    });

    it('refuses when the declared sizes already exceed the total, before any body byte', async () => {
      // The server sends headers only: a fetcher waiting for the bodies would hang until its time limit.
      const err = await refusedWith(images(2, `size=${3 * MB}&declare&stall`), { ...budget, timeoutMs: 60_000 }, 413);
      assert.match(err.message, /media\.maxTotalBytes/);
      assert.equal(err.param, 'messages[0].parts[2]');
      assert.equal(served.bytes, 0);
    });

    it('accepts images within the total', async () => {
      const request = images(4, `size=${1 * MB}&declare`);
      const resolved = await resolveMediaUrls(request, budget);
      for (const part of resolved.messages[0].parts.slice(1)) {
        assert.ok(part.type === 'media' && part.source.kind === 'base64');
        assert.equal(Buffer.from(part.source.data, 'base64').length, 1 * MB);
      }
    });

    it('refuses more URLs than the count cap before fetching any', async () => {
      const err = await refusedWith(images(4, 'size=10'), { ...budget, maxUrls: 3 }, 400);
      assert.match(err.message, /names 4 media URLs; the gateway fetches at most 3 per request \(media\.maxUrls\)/);
      assert.equal(err.param, 'messages[0].parts[4]');
      assert.equal(served.requests, 0);
    });

    it('runs at most `concurrency` downloads of one request at a time', async () => {
      answerInGroupsOf = 3;
      await resolveMediaUrls(images(9, 'size=100'), { ...budget, concurrency: 3 });
      assert.equal(served.requests, 9);
      assert.equal(served.maxActive, 3);
    });

    it('runs at most the shared slots across requests', async () => {
      answerInGroupsOf = 2;
      const slots = createDownloadSlots(() => 2);
      const opts = { ...budget, concurrency: 4, slots };
      await Promise.all([resolveMediaUrls(images(4, 'size=100'), opts), resolveMediaUrls(images(4, 'size=100'), opts)]);
      assert.equal(served.requests, 8);
      assert.equal(served.maxActive, 2);
      assert.equal(slots.inUse, 0, 'every slot is given back');
    });
  });
});
