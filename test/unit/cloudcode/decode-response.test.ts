import assert from 'node:assert/strict';
import type { ChatEvent } from '../../../src/core/ir';
import type { ArgumentRepairs } from '../../../src/core/upstream/cloudcode/argument-repair';
import { EACH_ITEM } from '../../../src/core/upstream/cloudcode/schema';
import { ResponseDecoder } from '../../../src/core/upstream/cloudcode/decode-response';
import { SignatureCache } from '../../../src/core/upstream/cloudcode/signatures';
import type { GeminiPart } from '../../../src/core/upstream/cloudcode/wire';

const SIG = 's'.repeat(64);

function frame(parts: GeminiPart[], extra: Record<string, unknown> = {}) {
  return { response: { candidates: [{ content: { role: 'model', parts }, ...extra }] } };
}

function decodeAll(frames: unknown[], model = 'gemini-3-flash', signatures = new SignatureCache(), argumentRepairs?: ArgumentRepairs) {
  const decoder = new ResponseDecoder({ model, signatures, argumentRepairs });
  const events: ChatEvent[] = frames.flatMap((f) => decoder.decode(f));
  events.push(decoder.finish());
  return events;
}

describe('cloudcode response decoding', () => {
  it('streams text deltas and finishes with stop and the final usage', () => {
    const events = decodeAll([
      frame([{ text: 'Hel' }]),
      frame([{ text: 'lo' }]),
      {
        response: {
          candidates: [{ content: { parts: [{ text: '!' }] }, finishReason: 'STOP' }],
          usageMetadata: { promptTokenCount: 120, cachedContentTokenCount: 100, candidatesTokenCount: 3, thoughtsTokenCount: 0, totalTokenCount: 123 },
        },
      },
    ]);
    const usage = { inputTokens: 120, cachedInputTokens: 100, outputTokens: 3, thinkingTokens: 0 };
    assert.deepEqual(events, [
      { type: 'text', text: 'Hel' },
      { type: 'text', text: 'lo' },
      { type: 'text', text: '!' },
      { type: 'usage', usage },
      { type: 'finish', reason: 'stop', usage },
    ]);
  });

  it('reads a bare GenerateContentResponse as well as the envelope', () => {
    const events = decodeAll([{ candidates: [{ content: { parts: [{ text: 'plain' }] }, finishReason: 'STOP' }] }]);
    assert.deepEqual(events[0], { type: 'text', text: 'plain' });
  });

  it('emits thoughts, then their signature, and remembers it by thought text', () => {
    const signatures = new SignatureCache();
    const events = decodeAll(
      [
        frame([{ thought: true, text: 'Let me ' }]),
        frame([{ thought: true, text: 'think.', thoughtSignature: SIG }]),
        frame([{ text: 'Done' }], { finishReason: 'STOP' }),
      ],
      'claude-opus-4-6-thinking',
      signatures,
    );
    assert.deepEqual(events.slice(0, 4), [
      { type: 'thinking', text: 'Let me ' },
      { type: 'thinking', text: 'think.' },
      { type: 'thinking_signature', signature: SIG },
      { type: 'text', text: 'Done' },
    ]);
    assert.equal(signatures.thinkingSignature('claude', 'Let me think.'), SIG);
    assert.equal(signatures.thinkingSignature('gemini', 'Let me think.'), undefined);
    assert.equal(signatures.familyOf(SIG), 'claude');
  });

  it('takes a signature on the first part after unsigned thoughts as theirs', () => {
    const events = decodeAll([frame([{ thought: true, text: 'plan' }]), frame([{ text: 'Answer', thoughtSignature: SIG }], { finishReason: 'STOP' })]);
    assert.deepEqual(events.slice(0, 3), [
      { type: 'thinking', text: 'plan' },
      { type: 'thinking_signature', signature: SIG },
      { type: 'text', text: 'Answer' },
    ]);
  });

  it('turns function calls into tool calls, keeping safe ids and their signatures', () => {
    const signatures = new SignatureCache();
    const events = decodeAll(
      [
        frame(
          [
            { functionCall: { name: 'Bash', args: { command: 'ls' }, id: 'toolu_01A' }, thoughtSignature: SIG },
            { functionCall: { name: 'Read', args: { file_path: '/a' } } },
          ],
          { finishReason: 'STOP' },
        ),
      ],
      'gemini-3-flash',
      signatures,
    );
    assert.deepEqual(events[0], { type: 'tool_call', call: { type: 'tool_call', id: 'toolu_01A', name: 'Bash', args: { command: 'ls' }, signature: SIG } });
    const second = events[1] as Extract<ChatEvent, { type: 'tool_call' }>;
    assert.match(second.call.id, /^call_[A-Za-z0-9_-]{16}$/);
    assert.equal(second.call.signature, undefined);
    assert.equal(signatures.toolCallSignature('gemini', 'toolu_01A'), SIG);
    assert.deepEqual(events.at(-1), {
      type: 'finish',
      reason: 'tool_calls',
      usage: { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, thinkingTokens: 0 },
    });
  });

  it('replaces ids a client could not carry, and duplicates', () => {
    const events = decodeAll([
      frame([
        { functionCall: { name: 'A', args: {}, id: 'tool/1 x' } },
        { functionCall: { name: 'B', args: {}, id: 'same' } },
        { functionCall: { name: 'C', args: {}, id: 'same' } },
      ]),
    ]);
    const ids = events.flatMap((e) => (e.type === 'tool_call' ? [e.call.id] : []));
    assert.match(ids[0], /^call_/);
    assert.equal(ids[1], 'same');
    assert.notEqual(ids[2], 'same');
  });

  it('strips the Claude placeholder argument from parameterless tools only', () => {
    const events = decodeAll(
      [frame([{ functionCall: { name: 'TaskList', args: { reason: 'to see tasks' } } }, { functionCall: { name: 'Ask', args: { reason: 'kept' } } }])],
      'claude-sonnet-4-6',
      new SignatureCache(),
      new Map([['TaskList', { placeholder: 'reason', jsonTextPaths: [] }]]),
    );
    const calls = events.flatMap((e) => (e.type === 'tool_call' ? [e.call.args] : []));
    assert.deepEqual(calls, [{}, { reason: 'kept' }]);
  });

  it('parses open values the schema declared as JSON text back into JSON', () => {
    const repairs: ArgumentRepairs = new Map([['TaskCreate', { jsonTextPaths: [['metadata'], ['rows', EACH_ITEM, 'data'], ['args']] }]]);
    const args = {
      subject: 'Ship it',
      metadata: '{"priority":"high","tags":["a"]}',
      rows: [{ data: '{"x":1}' }, { data: 'not json' }, {}],
      args: 'plain words',
    };
    const [event] = decodeAll([frame([{ functionCall: { name: 'TaskCreate', args } }])], 'gemini-3-flash', new SignatureCache(), repairs);
    assert.deepEqual(event.type === 'tool_call' && event.call.args, {
      subject: 'Ship it',
      metadata: { priority: 'high', tags: ['a'] },
      rows: [{ data: { x: 1 } }, { data: 'not json' }, {}],
      args: 'plain words',
    });
  });

  it('passes images and grounding through, skipping draft images among thoughts', () => {
    const grounding = { webSearchQueries: ['agate'], groundingChunks: [{ web: { uri: 'https://example.com' } }] };
    const events = decodeAll([
      frame([{ thought: true, inlineData: { mimeType: 'image/png', data: 'draft' } }]),
      frame([{ inlineData: { mimeType: 'image/png', data: 'final' } }], { finishReason: 'STOP', groundingMetadata: grounding }),
    ]);
    assert.deepEqual(events.slice(0, 2), [
      { type: 'media', mimeType: 'image/png', data: 'final' },
      { type: 'grounding', metadata: grounding },
    ]);
  });

  it('maps finish reasons', () => {
    const reason = (finishReason: string) => (decodeAll([frame([{ text: 'x' }], { finishReason })]).at(-1) as { reason: string }).reason;
    assert.equal(reason('MAX_TOKENS'), 'length');
    assert.equal(reason('SAFETY'), 'content_filter');
    assert.equal(reason('RECITATION'), 'content_filter');
    assert.equal(reason('PROHIBITED_CONTENT'), 'content_filter');
    assert.equal(reason('OTHER'), 'stop');
    const blocked = decodeAll([{ response: { promptFeedback: { blockReason: 'SAFETY' } } }]);
    assert.equal((blocked.at(-1) as { reason: string }).reason, 'content_filter');
  });

  it('reports usage only when it changes, and finishes exactly once', () => {
    const decoder = new ResponseDecoder({ model: 'gemini-3-flash', signatures: new SignatureCache() });
    const usage = { promptTokenCount: 5, candidatesTokenCount: 1, thoughtsTokenCount: 7 };
    assert.equal(decoder.decode({ response: { usageMetadata: usage } }).length, 1);
    assert.equal(decoder.decode({ response: { usageMetadata: usage } }).length, 0);
    assert.equal(decoder.sawFinishReason, false);
    assert.deepEqual(decoder.finish(), {
      type: 'finish',
      reason: 'stop',
      usage: { inputTokens: 5, cachedInputTokens: 0, outputTokens: 1, thinkingTokens: 7 },
    });
    assert.throws(() => decoder.finish(), /finish twice/);
    assert.throws(() => decoder.decode(frame([{ text: 'late' }])), /after finish/);
  });
});
