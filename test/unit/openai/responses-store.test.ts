import assert from 'node:assert/strict';
import type { Message } from '../../../src/core/ir';
import { ResponsesStore } from '../../../src/core/protocols/openai/responses/store';

const text = (role: Message['role'], chars: number): Message => ({ role, parts: [{ type: 'text', text: 'x'.repeat(chars) }] });

describe('openai: the Responses store', () => {
  it('keeps a chain whose responses share their messages, and counts each response in full', () => {
    const store = new ResponsesStore({ maxBytes: 10_000 });
    const first = [text('user', 1000), text('assistant', 1000)];
    store.save('resp_1', first);
    store.save('resp_2', [...first, text('user', 500), text('assistant', 500)]);
    assert.equal(store.size, 2);
    assert.equal(store.load('resp_2')?.length, 4);
    assert.equal(store.load('resp_1')?.[0], store.load('resp_2')?.[0], 'messages are shared, not copied');
  });

  it('drops the least recently used responses once the bytes bound is reached', () => {
    const store = new ResponsesStore({ maxBytes: 10_000 });
    store.save('resp_old', [text('user', 2000)]);
    store.save('resp_mid', [text('user', 2000)]);
    store.load('resp_old');
    store.save('resp_new', [text('user', 2000)]);
    assert.equal(store.load('resp_mid'), undefined, 'the least recently used went first');
    assert.ok(store.load('resp_old'));
    assert.ok(store.load('resp_new'));
  });

  it('counts images, tool calls and results, not just text', () => {
    const store = new ResponsesStore({ maxBytes: 10_000 });
    store.save('resp_image', [{ role: 'user', parts: [{ type: 'media', mimeType: 'image/png', source: { kind: 'base64', data: 'A'.repeat(6000) } }] }]);
    assert.equal(store.size, 0, 'an image over the bound is not kept');
    const call: Message = { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'f', args: { text: 'y'.repeat(6000) } }] };
    store.save('resp_call', [call]);
    assert.equal(store.size, 0, 'a call whose arguments exceed the bound is not kept');
    store.save('resp_small', [{ role: 'user', parts: [{ type: 'tool_result', callId: 'c1', name: 'f', content: [{ type: 'text', text: 'ok' }] }] }]);
    assert.equal(store.size, 1);
  });
});
