/**
 * What a client's error may not tell it: the Google account's email, models outside its key's allowance,
 * what DNS answered for a media URL. The owner finds the details in the log.
 */
import assert from 'node:assert/strict';
import { maskEmail } from '../../../src/core/monitor/mask';
import { DEFAULT_ACCOUNT, startStack, type Stack } from '../../helpers/stack';
import { assertProtocolError, PROTOCOL_CALLS, send } from './protocol-calls';

describe('security: client errors disclose nothing of the owner', () => {
  let stack: Stack;
  let clientKey: string;
  before(async () => {
    stack = await startStack({ flags: { authMode: 'strict' } });
    ({ key: clientKey } = await stack.agate.security.keys.create({ name: 'guest', allowedModels: ['gemini-3-flash', 'claude-sonnet-4-6'] }));
  });
  after(() => stack.close());

  it('a 503 for an unusable pool names no account email, in every protocol', async () => {
    const [account] = stack.agate.pool.list();
    await stack.agate.pool.disable(account.id);
    try {
      for (const call of PROTOCOL_CALLS) {
        const res = await send(stack.url, call, clientKey, call.protocol === 'gemini' ? 'x-goog-api-key' : 'bearer');
        assert.equal(res.status, 503, call.protocol);
        const text = await res.text();
        const message = assertProtocolError(call.protocol, 503, JSON.parse(text));
        assert.match(message, /No usable Google account/);
        assert.ok(!text.includes(DEFAULT_ACCOUNT.email) && !text.includes(maskEmail(DEFAULT_ACCOUNT.email)), `${call.protocol}: ${text}`);
      }
      assert.ok(
        stack.logs.some((line) => line.includes('no usable account') && line.includes(maskEmail(DEFAULT_ACCOUNT.email))),
        'the log names it, masked',
      );
    } finally {
      await stack.agate.pool.enable(account.id);
    }
  });

  it("a restricted key's 404 lists only its own models", async () => {
    const { key } = await stack.agate.security.keys.create({ name: 'prefix', allowedModels: ['gemini-3-flash', 'zz-*'] });
    const missing = await send(stack.url, { ...PROTOCOL_CALLS[1], body: { model: 'zz-none', messages: [{ role: 'user', content: 'hi' }] } }, key);
    assert.equal(missing.status, 404);
    const message = assertProtocolError('openai', 404, await missing.json());
    assert.match(message, /available: gemini-3-flash$/);
  });

  it('a media URL whose name resolves to a loopback address: no DNS answer in the error', async () => {
    const res = await send(
      stack.url,
      {
        protocol: 'anthropic',
        path: '/v1/messages',
        body: {
          model: 'claude-sonnet-4-6',
          max_tokens: 16,
          messages: [
            {
              role: 'user',
              content: [
                { type: 'image', source: { type: 'url', url: 'http://localhost/secret.png' } },
                { type: 'text', text: 'hi' },
              ],
            },
          ],
        },
      },
      clientKey,
      'x-api-key',
    );
    assert.equal(res.status, 400);
    const message = assertProtocolError('anthropic', 400, await res.json());
    assert.match(message, /the host 'localhost' does not resolve to a public address/);
    assert.doesNotMatch(message, /127\.0\.0\.1|::1|loopback/);
    assert.ok(
      stack.logs.some((line) => line.includes('media URL refused') && line.includes('loopback')),
      'the log keeps the reason',
    );
  });
});
