// The status bar re-renders only when `statusBarContentKey` changes: a real pool serving requests through a real
// SDK must leave the key alone while quota and account state stay put, and a quota change must move it.
import assert from 'node:assert/strict';
import { toAdminAccount } from '../../../src/core/admin/admin-api';
import type { GatewayState } from '../../../src/vscode/gateway-service';
import { poolQuotaOf } from '../../../src/core/server/pool-quota';
import { statusBarContentKey } from '../../../src/vscode/status-bar-content';
import { startStack, type Stack } from '../../helpers/stack';
import { ADA, ask } from '../../e2e/pool/clients';

const RUNNING: GatewayState = { kind: 'running', url: 'http://127.0.0.1:4000', host: '127.0.0.1', port: 4000 };

describe('status bar content key', () => {
  let stack: Stack;
  afterEach(() => stack?.close());

  const keyOf = (state: GatewayState = RUNNING) => statusBarContentKey(state, stack.agate.pool.list().map(toAdminAccount), '');

  it('stays the same over requests that change no quota, though the pool reports each one', async () => {
    stack = await startStack({ accounts: [ADA] });
    const before = keyOf();
    let updates = 0;
    stack.agate.pool.on('updated', () => updates++);
    const keys = new Set<string>();
    stack.agate.pool.on('updated', () => keys.add(keyOf()));
    for (let i = 0; i < 5; i++) assert.equal((await ask('anthropic', stack, { text: `request ${i}` })).error, undefined);
    assert.ok(updates >= 5, `the pool reported ${updates} updates for 5 requests`);
    assert.deepEqual([...keys], [before]);
  });

  it('changes with quota, account state and gateway state', async () => {
    stack = await startStack({ accounts: [ADA], simulator: { quotaCostPerRequest: 0.25 } });
    const before = keyOf();
    await ask('anthropic', stack, { text: 'spend a quarter' });
    await stack.agate.pool.refreshQuota();
    const spent = keyOf();
    assert.notEqual(spent, before);
    const [account] = stack.agate.pool.list();
    await stack.agate.pool.disable(account.id);
    assert.notEqual(keyOf(), spent);
    assert.notEqual(keyOf({ kind: 'stopped' }), keyOf());
    assert.notEqual(keyOf({ kind: 'failed', error: new Error('port in use') }), keyOf({ kind: 'failed', error: new Error('bad settings') }));
  });

  it('with a team gateway, changes with its pool quota as polled and stays put when a poll finds the same', async () => {
    stack = await startStack({ accounts: [ADA], simulator: { quotaCostPerRequest: 0.25 } });
    const url = 'https://agate.example.com';
    const remoteKey = () =>
      statusBarContentKey({ kind: 'stopped' }, [], '', { kind: 'reachable', url, quota: poolQuotaOf(stack.agate.pool.list(), stack.agate.pool.stats()) });
    const first = remoteKey();
    assert.equal(remoteKey(), first);
    assert.notEqual(statusBarContentKey({ kind: 'stopped' }, [], ''), first, 'no team gateway is another content');
    await ask('anthropic', stack, { text: 'spend a quarter' });
    await stack.agate.pool.refreshQuota();
    assert.notEqual(remoteKey(), first);
    assert.notEqual(statusBarContentKey({ kind: 'stopped' }, [], '', { kind: 'unreachable', url, reason: 'ECONNREFUSED' }), first);
  });
});
