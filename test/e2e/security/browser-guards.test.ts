import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { startStack, type Stack } from '../../helpers/stack';
import { assertProtocolError, PROTOCOL_CALLS } from './protocol-calls';
import { rawRequest } from './raw-http';

const CHROMIUM = '/usr/bin/chromium';

describe('security: browser guards', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());
  afterEach(() => {
    stack.config.allowedHosts = [];
    stack.config.allowedOrigins = [];
  });

  const post = (path: string, headers: Record<string, string>, body: unknown) =>
    rawRequest(stack.url, { method: 'POST', path, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  describe('DNS rebinding', () => {
    for (const call of PROTOCOL_CALLS) {
      it(`${call.protocol}: a request for a foreign host name is refused before it reaches an account`, async () => {
        const before = stack.sim.log.length;
        const res = await post(call.path, { host: `rebind.attacker.example:${new URL(stack.url).port}` }, call.body);
        assert.equal(res.status, 403);
        assert.match(assertProtocolError(call.protocol, 403, JSON.parse(res.text)), /DNS-rebinding/);
        assert.equal(stack.sim.log.length, before);
      });
    }

    it('accepts loopback names, IP literals and the configured names', async () => {
      const port = new URL(stack.url).port;
      for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `192.168.1.20:${port}`]) {
        assert.equal((await rawRequest(stack.url, { path: '/healthz', headers: { host } })).status, 200, host);
      }
      assert.equal((await rawRequest(stack.url, { path: '/healthz', headers: { host: `agate.lan:${port}` } })).status, 403);
      stack.config.allowedHosts = ['agate.lan'];
      assert.equal((await rawRequest(stack.url, { path: '/healthz', headers: { host: `agate.lan:${port}` } })).status, 200);
    });
  });

  describe('origins', () => {
    const [, openai] = PROTOCOL_CALLS;

    it('refuses a request from a foreign origin, and answers its preflight without CORS headers', async () => {
      const before = stack.sim.log.length;
      const res = await post(openai.path, { origin: 'https://evil.example' }, openai.body);
      assert.equal(res.status, 403);
      assert.match(assertProtocolError('openai', 403, JSON.parse(res.text)), /allowedOrigins/);
      assert.equal(stack.sim.log.length, before);
      const preflight = await rawRequest(stack.url, {
        method: 'OPTIONS',
        path: openai.path,
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      assert.equal(preflight.status, 403);
      assert.equal(preflight.headers['access-control-allow-origin'], undefined);
    });

    it('answers the preflight of an allowed origin with the CORS headers', async () => {
      stack.config.allowedOrigins = ['http://app.example:3000'];
      const preflight = await rawRequest(stack.url, {
        method: 'OPTIONS',
        path: openai.path,
        headers: {
          origin: 'http://app.example:3000',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
          'access-control-request-private-network': 'true',
        },
      });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers['access-control-allow-origin'], 'http://app.example:3000');
      assert.match(String(preflight.headers['access-control-allow-methods']), /POST/);
      assert.equal(preflight.headers['access-control-allow-headers'], 'authorization, content-type');
      assert.equal(preflight.headers['access-control-allow-private-network'], 'true');
      assert.match(String(preflight.headers.vary), /Origin/i);
    });

    it("lets the gateway's own pages call it (same origin)", async () => {
      const res = await post(openai.path, { origin: stack.url }, openai.body);
      assert.equal(res.status, 200);
    });
  });

  describe('a page served on another port, in Chromium', () => {
    let browser: Browser;
    let page: http.Server;
    let pageOrigin: string;
    before(async function () {
      this.timeout(30_000);
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      page = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>web client</title>'));
      await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
      pageOrigin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
    });
    after(async () => {
      await browser?.close();
      page?.close();
    });

    /** Runs a cross-origin chat completion from the page; returns the answer text or the fetch failure. */
    async function callFromPage(): Promise<{ ok: boolean; text: string }> {
      const tab = await browser.newPage();
      try {
        await tab.goto(pageOrigin);
        return await tab.evaluate(async (gateway) => {
          try {
            const res = await fetch(`${gateway}/v1/chat/completions`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: 'Bearer sk-web-client' },
              body: JSON.stringify({ model: 'gemini-3-flash', messages: [{ role: 'user', content: 'from the page' }] }),
            });
            return { ok: res.ok, text: await res.text() };
          } catch (err) {
            return { ok: false, text: String(err) };
          }
        }, stack.url);
      } finally {
        await tab.close();
      }
    }

    it('cannot call the gateway until its origin is allowed', async function () {
      this.timeout(30_000);
      const before = stack.sim.log.length;
      const refused = await callFromPage();
      assert.equal(refused.ok, false);
      assert.match(refused.text, /Failed to fetch/);
      assert.equal(stack.sim.log.length, before, 'nothing reached the upstream');

      stack.config.allowedOrigins = [pageOrigin];
      const allowed = await callFromPage();
      assert.equal(allowed.ok, true, allowed.text);
      assert.match(JSON.parse(allowed.text).choices[0].message.content, /You said: from the page/);
    });
  });
});
