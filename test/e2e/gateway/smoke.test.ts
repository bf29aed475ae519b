import assert from 'node:assert/strict';
import { startStack, type Stack } from '../../helpers/stack';

describe('gateway stack', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  it('reports health with the pool size', async () => {
    const res = await fetch(`${stack.url}/healthz`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { status: string; accounts: { total: number; usable: number } };
    assert.equal(body.status, 'ok');
    assert.deepEqual(body.accounts, { total: 1, usable: 1 });
  });

  it('answers an Anthropic message through the simulator', async () => {
    const res = await fetch(`${stack.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 64, messages: [{ role: 'user', content: 'ping' }] }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { content: Array<{ type: string; text: string }> };
    assert.match(body.content[0].text, /You said: ping/);
    assert.ok(stack.sim.log.some((entry) => entry.method === 'streamGenerateContent' && entry.model === 'claude-sonnet-4-6'));
  });
});
