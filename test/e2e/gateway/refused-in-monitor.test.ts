/** A request the gateway refuses (a 400 from the codec) still shows in the monitor, with the message the client got. */
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../../helpers/stack';

describe('monitor: refused requests', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  it('records a request the codec refuses, with its status, model and message', async () => {
    const res = await fetch(`${stack.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-6.1-sol', stream: true, input: [{ type: 'item_reference', id: 'msg_1' }] }),
    });
    assert.equal(res.status, 400);
    const { error } = (await res.json()) as { error: { message: string } };
    const record = stack.agate.observability!.monitor.list().find((r) => r.path === '/v1/responses');
    assert.ok(record);
    assert.deepEqual([record.status, record.clientModel, record.stream, record.error], [400, 'gpt-6.1-sol', true, error.message]);
    assert.ok(!stack.sim.log.some((e) => /generateContent/i.test(e.method)), 'nothing reached the upstream');
  });
});
