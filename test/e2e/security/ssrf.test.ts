import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startStack, type Stack } from '../../helpers/stack';
import { assertProtocolError } from './protocol-calls';

/** Image URLs a client may name that must never be fetched: metadata service, LAN, loopback, other schemes. */
describe('security: image URLs cannot reach private addresses (SSRF)', () => {
  let stack: Stack;
  let redirector: http.Server;
  let redirectorUrl: string;
  let redirectorHits = 0;
  before(async () => {
    stack = await startStack();
    // A loopback server that redirects to the metadata service: refused before the first hop already.
    redirector = http.createServer((_req, res) => {
      redirectorHits++;
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    redirectorUrl = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/image.png`;
  });
  after(async () => {
    redirector.close();
    await stack.close();
  });

  const targets = () => [
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/image.png',
    'http://[::ffff:10.0.0.1]/image.png',
    'http://2130706433/image.png',
    'file:///etc/passwd',
    redirectorUrl,
  ];

  it('Anthropic image blocks: 400 naming the URL, nothing sent upstream', async () => {
    for (const url of targets()) {
      const before = stack.sim.log.length;
      const res = await fetch(`${stack.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({
          model: 'claude-sonnet-4-6',
          max_tokens: 32,
          messages: [
            {
              role: 'user',
              content: [
                { type: 'image', source: { type: 'url', url } },
                { type: 'text', text: 'describe' },
              ],
            },
          ],
        }),
      });
      assert.equal(res.status, 400, url);
      assert.match(assertProtocolError('anthropic', 400, await res.json()), /Could not fetch media|scheme should be http/);
      assert.equal(stack.sim.log.length, before, url);
    }
    assert.equal(redirectorHits, 0, 'a loopback address is refused before connecting');
  });

  it('OpenAI image_url parts: 400 in the OpenAI shape', async () => {
    for (const url of targets()) {
      const res = await fetch(`${stack.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gemini-3-flash', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }] }),
      });
      assert.equal(res.status, 400, url);
      assertProtocolError('openai', 400, await res.json());
    }
  });
});
