import assert from 'node:assert/strict';
import { emptyUsage, type ChatEvent } from '../../src/core/ir';
import { cutAtStopSequences } from '../../src/core/stop-sequences';

const usage = { ...emptyUsage(), inputTokens: 9, outputTokens: 4 };

async function run(events: ChatEvent[], stops: string[]): Promise<{ out: ChatEvent[]; pulled: number }> {
  let pulled = 0;
  async function* source() {
    for (const event of events) {
      pulled++;
      yield event;
    }
  }
  const out: ChatEvent[] = [];
  for await (const event of cutAtStopSequences(source(), stops)) out.push(event);
  return { out, pulled };
}

const text = (value: string): ChatEvent => ({ type: 'text', text: value });
const joined = (events: ChatEvent[]) => events.map((event) => (event.type === 'text' ? event.text : '')).join('');
const finish: ChatEvent = { type: 'finish', reason: 'stop', usage };

describe('stop sequences applied by the gateway', () => {
  it('passes an answer without a match through unchanged, held-back text included', async () => {
    const { out } = await run([text('ab'), text('c EN'), text('d?'), finish], ['END']);
    assert.deepEqual(out, [text('ab'), text('c '), text('ENd?'), finish], '"EN" waits for the next delta, then goes out');
    const unfinished = await run([text('tail E')], ['END']);
    assert.equal(joined(unfinished.out), 'tail E', 'held-back text is flushed when the upstream ends');
  });

  it('cuts before a sequence split over deltas, names it, and stops reading the upstream', async () => {
    const { out, pulled } = await run([{ type: 'usage', usage }, text('one tw'), text('o thr'), text('ee four'), text('five'), finish], ['NOPE', 'three']);
    assert.equal(joined(out), 'one two ');
    assert.deepEqual(out.at(-1), { type: 'finish', reason: 'stop_sequence', stopSequence: 'three', usage });
    assert.equal(pulled, 4, 'nothing after the matching delta was read');
  });

  it('the earliest match wins; at the same place, the one listed first', async () => {
    assert.equal(((await run([text('xx ab cd')], ['cd', 'ab'])).out.at(-1) as { stopSequence: string }).stopSequence, 'ab');
    assert.equal(((await run([text('xx abcd')], ['abc', 'ab'])).out.at(-1) as { stopSequence: string }).stopSequence, 'abc');
  });

  it('never matches across a tool call or in thoughts', async () => {
    const call: ChatEvent = { type: 'tool_call', call: { type: 'tool_call', id: 'c1', name: 'f', args: {} } };
    const { out } = await run([{ type: 'thinking', text: 'STOP' }, text('ST'), call, text('OP'), finish], ['STOP']);
    assert.deepEqual(out, [{ type: 'thinking', text: 'STOP' }, text('ST'), call, text('OP'), finish]);
  });
});
