/**
 * Providers in the assembled gateway: real client SDKs through Agate to the
 * simulated paid APIs, by `provider:model`, by an alias, and by pool-first
 * spill-over when every account is exhausted.
 */
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startStack, type Stack } from '../../helpers/stack';

describe('providers: through the gateway', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      configure: (config) => {
        config.models.aliases = { ...config.models.aliases, 'paid-sonnet': 'claude-paid:claude-sonnet-4-6' };
        config.models.providerPolicy = { 'gpt-4o*': 'pool-first' };
      },
    });
    stack.sim.addProviderKey({ provider: 'anthropic', key: 'sk-ant-gw-0001', name: 'claude-key' });
    stack.sim.addProviderKey({ provider: 'openai', key: 'sk-oai-gw-0002', name: 'openai-key' });
    await stack.agate.admin.call('addProvider', { name: 'claude-paid', kind: 'anthropic', key: 'sk-ant-gw-0001', baseUrl: `${stack.sim.url}/anthropic` });
    await stack.agate.admin.call('addProvider', { name: 'openai', kind: 'openai-compatible', key: 'sk-oai-gw-0002', baseUrl: `${stack.sim.url}/openai/v1` });
  });
  after(() => stack.close());
  beforeEach(() => stack.sim.reset());

  const openai = () => new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'unused', maxRetries: 0 });

  it('the openai SDK reaches an Anthropic provider by provider:model and by an alias, streamed', async () => {
    const whole = await openai().chat.completions.create({ model: 'claude-paid:claude-sonnet-4-6', messages: [{ role: 'user', content: 'Hi' }] });
    assert.equal(whole.choices[0].message.content, 'Hello from claude-sonnet-4-6. You said: Hi');
    const stream = await openai().chat.completions.create({ model: 'paid-sonnet', stream: true, messages: [{ role: 'user', content: '[[sim:words 12]]' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    assert.equal(text.split(' ').length, 12);
    assert.ok(
      stack.sim.log.every((entry) => entry.label === 'anthropic'),
      'no Cloud Code request',
    );
    // The admin API (the dashboard, `agate providers list`) shows today's use and spend.
    const [paid] = (await stack.agate.admin.call('providers', {})).filter((p) => p.name === 'claude-paid');
    assert.equal(paid.today?.requests, 2);
    assert.ok(paid.today!.tokens > 0);
    assert.equal(paid.today!.spendUsd, 0, 'claude-sonnet-4-6 has no default price: tokens counted, no spend');
    assert.equal(paid.today!.unpricedTokens, paid.today!.tokens);
  });

  it('the Anthropic SDK reaches an OpenAI-compatible provider', async () => {
    const client = new Anthropic({ baseURL: stack.url, apiKey: 'unused', maxRetries: 0 });
    const message = await client.messages.create({ model: 'openai:gpt-4o-mini', max_tokens: 200, messages: [{ role: 'user', content: 'Hello there' }] });
    assert.equal(message.content[0].type === 'text' && message.content[0].text, 'Hello from gpt-4o-mini. You said: Hello there');
    assert.equal(stack.sim.log.at(-1)!.account, 'openai-key');
  });

  it('pool-first: the accounts serve while they can; exhausted, the request spills over to the provider', async () => {
    // gpt-4o is a built-in alias onto the pool's models; the pool serves it first.
    await openai().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] });
    assert.ok(stack.sim.log.some((entry) => entry.method === 'generateContent' || entry.method === 'streamGenerateContent'));
    stack.sim.reset();
    stack.sim.injectFault({ kind: 'quota_exhausted', times: Infinity, resetInMs: 3_600_000, account: 'ada@example.com' });
    const spilled = await openai().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Spill please' }] });
    assert.equal(spilled.choices[0].message.content, 'Hello from gpt-4o. You said: Spill please');
    assert.equal(stack.sim.log.at(-1)!.label, 'openai');
    stack.sim.clearFaults();
  });

  it('a client key allowed a provider model uses it, and no other', async () => {
    const { key } = await stack.agate.admin.call('createClientKey', { name: 'paid-only', allowedModels: ['claude-paid:*'] });
    const previous = stack.config.authMode;
    stack.config.authMode = 'strict';
    try {
      const client = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: key, maxRetries: 0 });
      const ok = await client.chat.completions.create({ model: 'claude-paid:claude-sonnet-4-6', messages: [{ role: 'user', content: 'Hi' }] });
      assert.match(ok.choices[0].message.content!, /Hello from claude-sonnet-4-6/);
      await assert.rejects(
        client.chat.completions.create({ model: 'openai:gpt-4o', messages: [{ role: 'user', content: 'Hi' }] }),
        (err: unknown) => err instanceof OpenAI.APIError && err.status === 403,
      );
    } finally {
      stack.config.authMode = previous;
    }
  });

  it('a model no account or provider serves is a clear error in the client protocol', async () => {
    await assert.rejects(
      openai().chat.completions.create({ model: 'claude-paid:no-such-model', messages: [{ role: 'user', content: 'x' }] }),
      (err: unknown) => {
        assert.ok(err instanceof OpenAI.APIError);
        assert.ok(err.status === 503 || err.status === 429, String(err.status));
        assert.match(err.message, /claude-paid: does not serve no-such-model/);
        return true;
      },
    );
  });
});
