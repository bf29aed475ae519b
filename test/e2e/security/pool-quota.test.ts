// GET /v1/agate/quota: what a client key (a team member's editor) may read about the pool's quota — per model,
// its own models only, no account identity — under the auth modes that matter for a team gateway.
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../../helpers/stack';
import type { PoolQuota } from '../../../src/core/server/pool-quota';

const ADA = { email: 'ada@example.com', refreshToken: '1//pool-quota-ada', tier: 'g1-pro-tier', quota: { 'claude-sonnet-4-6': 0.6, 'gemini-3-flash': 0.9 } };
const BOB = { email: 'bob@example.com', refreshToken: '1//pool-quota-bob', tier: 'g1-pro-tier', quota: { 'claude-sonnet-4-6': 0.3, 'gemini-3-flash': 0 } };

const get = (stack: Stack, key?: string) => fetch(`${stack.url}/v1/agate/quota`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

describe('security: the pool quota a client key may read', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ accounts: [ADA, BOB], flags: { authMode: 'all_except_health' } });
  });
  after(() => stack.close());

  it('needs a key: none gets 401, a wrong one too', async () => {
    assert.equal((await get(stack)).status, 401);
    assert.equal((await get(stack, 'sk-agate-0000000000000000_' + '0'.repeat(48))).status, 401);
  });

  it('gives a client key the best left per model across the accounts, without emails or account ids', async () => {
    const { key } = await stack.agate.security.keys.create({ name: 'team-member' });
    const response = await get(stack, key);
    assert.equal(response.status, 200);
    const text = await response.text();
    const quota = JSON.parse(text) as PoolQuota;
    assert.equal(quota.object, 'agate.quota');
    assert.deepEqual(quota.accounts, { total: 2, usable: 2 });
    const sonnet = quota.models.find((model) => model.model === 'claude-sonnet-4-6');
    assert.ok(sonnet, text);
    assert.equal(sonnet.remainingFraction, 0.6);
    assert.equal(sonnet.accountsWithQuota, 2);
    const flash = quota.models.find((model) => model.model === 'gemini-3-flash');
    assert.equal(flash?.accountsWithQuota, 1, 'an account with nothing left does not count');
    for (const account of stack.agate.pool.list()) {
      for (const secret of [account.email, account.id, account.projectId, account.email.split('@')[0]]) {
        assert.ok(!text.includes(secret), `the answer names ${secret}`);
      }
    }
    assert.deepEqual(
      Object.keys(sonnet).sort(),
      ['accountsWithQuota', 'model', 'remainingFraction', ...(sonnet.resetAt === undefined ? [] : ['resetAt'])].sort(),
    );
  });

  it('shows a key limited to some models only those models', async () => {
    const { key } = await stack.agate.security.keys.create({ name: 'gemini-only-quota', allowedModels: ['gemini-3*'] });
    const quota = (await (await get(stack, key)).json()) as PoolQuota;
    assert.ok(quota.models.length > 0);
    assert.deepEqual(
      quota.models.filter((model) => !model.model.startsWith('gemini-3')).map((model) => model.model),
      [],
    );
  });

  it('counts a disabled account out', async () => {
    const { key } = await stack.agate.security.keys.create({ name: 'after-disable' });
    const ada = stack.agate.pool.list().find((account) => account.email === ADA.email)!;
    await stack.agate.pool.disable(ada.id);
    try {
      const quota = (await (await get(stack, key)).json()) as PoolQuota;
      assert.equal(quota.models.find((model) => model.model === 'claude-sonnet-4-6')?.remainingFraction, 0.3);
      assert.equal(quota.accounts.usable, 1);
    } finally {
      await stack.agate.pool.enable(ada.id);
    }
  });
});
