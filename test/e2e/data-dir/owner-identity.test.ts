/**
 * A command that read a lock reaches the owner at the lock's URL; if the owner died and another gateway took its port,
 * the call must neither land there nor count as acknowledged. The lock's pid travels with every cross-process call.
 */
import assert from 'node:assert/strict';
import { OwnerUnreachableError, RemoteAdmin } from '../../../src/core/admin/admin-client';
import { startStack, type Stack } from '../../helpers/stack';

describe('data dir: cross-process admin calls reach only the lock’s owner', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack?.close();
  });

  it('a gateway in another process than the lock names refuses the call before doing it', async () => {
    const stranger = new RemoteAdmin({ baseUrl: stack.url, ownerPid: process.pid + 1 });
    await assert.rejects(stranger.call('createClientKey', { name: 'landed-in-the-wrong-gateway' }), OwnerUnreachableError);
    const keys = await stack.agate.admin.call('proxy', {});
    assert.ok(!keys.keys.some((key) => key.name === 'landed-in-the-wrong-gateway'));
    const events = stranger.subscribe(() => undefined);
    await assert.rejects(events.ended, OwnerUnreachableError);
  });

  it('the lock’s owner answers with its pid, and the call is done', async () => {
    const owner = new RemoteAdmin({ baseUrl: stack.url, ownerPid: process.pid });
    const { id } = await owner.call('createClientKey', { name: 'landed-in-the-owner' });
    const keys = await stack.agate.admin.call('proxy', {});
    assert.ok(keys.keys.some((key) => key.id === id));
  });
});
