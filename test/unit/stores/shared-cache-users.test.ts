/**
 * The stores on the request path beside a team's shared cache (a map in memory stands in for Redis): what
 * they write there, that a lookup is one call asking only for what is missing locally, and that a miss or a
 * value that is not theirs changes nothing.
 */
import assert from 'node:assert/strict';
import type { AccountRecord } from '../../../src/core/accounts/types';
import type { ChatRequest, Message } from '../../../src/core/ir';
import { ResponsesStore } from '../../../src/core/protocols/openai/responses/store';
import { createAccountSelector } from '../../../src/core/scheduler/selector';
import type { SharedCache } from '../../../src/core/stores/shared-cache';
import { SignatureCache } from '../../../src/core/upstream/cloudcode/signatures';

class MemoryShared implements SharedCache {
  readonly values = new Map<string, { value: string; ttlMs: number }>();
  readonly lookups: string[][] = [];
  async getMany(keys: readonly string[]) {
    this.lookups.push([...keys]);
    return keys.map((key) => this.values.get(key)?.value);
  }
  set(key: string, value: string, ttlMs: number) {
    this.values.set(key, { value, ttlMs });
  }
}

const history = (parts: Message['parts']): ChatRequest =>
  ({
    protocol: 'openai-chat',
    model: 'gemini-3-flash',
    messages: [
      { role: 'user', parts: [{ type: 'text', text: 'hi' }] },
      { role: 'assistant', parts },
    ],
  }) as ChatRequest;

describe('stores beside a shared cache (team mode)', () => {
  it('signatures: written with their TTL; another instance prefetches them in one lookup of only what it lacks', async () => {
    const shared = new MemoryShared();
    const issuing = new SignatureCache({ shared, ttlMs: 60_000 });
    issuing.rememberToolCall('gemini', 'call_1', 'SIG-CALL');
    issuing.rememberThinking('gemini', 'pondering', 'SIG-THOUGHT');
    assert.ok([...shared.values.values()].every((entry) => entry.ttlMs === 60_000));

    const other = new SignatureCache({ shared });
    const request = history([
      { type: 'thinking', text: 'pondering' },
      { type: 'tool_call', id: 'call_1', name: 'f', args: {} },
    ]);
    assert.equal(other.toolCallSignature('gemini', 'call_1'), undefined);
    await other.prefetch(request, 'gemini-3-flash');
    assert.equal(shared.lookups.length, 1);
    assert.equal(other.toolCallSignature('gemini', 'call_1'), 'SIG-CALL');
    assert.equal(other.thinkingSignature('gemini', 'pondering'), 'SIG-THOUGHT');
    // Now local: the next turn asks for nothing.
    await other.prefetch(request, 'gemini-3-flash');
    assert.equal(shared.lookups.length, 1);
  });

  it('signatures: a lookup never crosses model families', async () => {
    const shared = new MemoryShared();
    new SignatureCache({ shared }).rememberToolCall('gemini', 'call_9', 'SIG-GEMINI');
    const other = new SignatureCache({ shared });
    await other.prefetch(history([{ type: 'tool_call', id: 'call_9', name: 'f', args: {} }]), 'claude-sonnet-4-6');
    assert.equal(other.toolCallSignature('claude', 'call_9'), undefined);
  });

  it('Responses: a response saved on one instance is loaded on another after preload; junk under the key is ignored', async () => {
    const shared = new MemoryShared();
    const conversation: Message[] = [
      { role: 'user', parts: [{ type: 'text', text: 'first' }] },
      { role: 'assistant', parts: [{ type: 'text', text: 'answer' }] },
    ];
    new ResponsesStore({ shared, ttlMs: 5_000 }).save('resp_a', conversation);
    assert.equal(shared.values.get('resp:resp_a')?.ttlMs, 5_000);

    const other = new ResponsesStore({ shared });
    assert.equal(other.load('resp_a'), undefined);
    await other.preload('resp_a');
    assert.deepEqual(other.load('resp_a'), conversation);

    shared.set('resp:resp_junk', '{"not":"a conversation"}', 1_000);
    await other.preload('resp_junk');
    await other.preload('resp_unknown');
    assert.equal(other.load('resp_junk'), undefined);
    assert.equal(other.load('resp_unknown'), undefined);
  });

  it('bindings: shared by email, so an instance whose account ids differ still finds the account', async () => {
    const shared = new MemoryShared();
    const account = (id: string, email: string) => ({ id, email, tier: 'g1-pro-tier', priority: 0, status: 'active', limits: {} }) as unknown as AccountRecord;
    const onA = createAccountSelector({ inFlight: () => 0, shared });
    onA.bind('session:s1', account('acct_a1', 'ann@example.com'));
    assert.equal(shared.values.get('bind:session:s1')?.value, 'ann@example.com');

    const onB = createAccountSelector({ inFlight: () => 0, shared });
    await onB.refresh('session:s1');
    const accounts = [account('acct_b0', 'ben@example.com'), account('acct_b1', 'ann@example.com')];
    const selection = onB.select(accounts, { model: 'gemini-3-flash', conversation: 'session:s1', mode: 'cache-first', stickyWaitMs: 0, now: Date.now() });
    assert.equal(selection.kind, 'candidates');
    assert.equal(selection.kind === 'candidates' && selection.accounts[0].id, 'acct_b1');
  });
});
