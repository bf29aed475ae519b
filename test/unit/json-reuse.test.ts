import assert from 'node:assert/strict';
import { MAX_JSON_DEPTH } from '../../src/core/json-depth';
import { parseReusing, parseReusingInSlices } from '../../src/core/json-reuse';

/** A body past the size from which members are split: its padding member is big and differs each time. */
let serial = 0;
const big = (members: Record<string, unknown>): Record<string, unknown> => ({ ...members, padding: `${serial++} ${'p'.repeat(40_000)}` });
const bytesOf = (value: unknown, space?: number) => Buffer.from(JSON.stringify(value, null, space));
const parse = (bytes: Buffer) => {
  const parsed = parseReusing(bytes, MAX_JSON_DEPTH);
  assert.equal(parsed.tooDeep, undefined);
  return parsed.value as Record<string, unknown>;
};

const tools = Array.from({ length: 30 }, (_, i) => ({
  name: `tool_${i}`,
  description: `Does thing ${i}: ${'détails '.repeat(40)}`,
  input_schema: { type: 'object', properties: { path: { type: 'string', description: 'x'.repeat(200) } }, required: ['path'] },
}));
const turn = (i: number) => ({ role: i % 2 ? 'assistant' : 'user', content: [{ type: 'text', text: `turn ${i} ${'words 😀 '.repeat(400)}` }] });

describe('parseReusing: JSON.parse that reuses the repeated parts of agent requests', () => {
  it('parses to what JSON.parse gives, members in the same order, with any spacing', () => {
    for (const space of [undefined, 2]) {
      const value = big({
        model: 'm',
        tools,
        system: 'sys '.repeat(3000),
        messages: [turn(0), turn(1), { role: 'user', content: 'short' }],
        n: -1.5e3,
        t: true,
        z: null,
      });
      const bytes = bytesOf(value, space);
      const parsed = parse(bytes);
      assert.deepEqual(parsed, JSON.parse(bytes.toString()));
      assert.deepEqual(Object.keys(parsed), Object.keys(value));
    }
  });

  it('gives the same frozen value for a member whose bytes came before, from their third coming', () => {
    const ownTools = tools.map((tool) => ({ ...tool, name: `own_${tool.name}` })); // bytes no other test sends
    const values = [1, 2, 3, 4].map(() => parse(bytesOf(big({ tools: ownTools, messages: [turn(0)] }))));
    assert.notEqual(values[0].tools, values[1].tools, 'kept from the second coming, used from the third');
    assert.equal(values[2].tools, values[1].tools);
    assert.equal(values[3].tools, values[1].tools);
    assert.ok(Object.isFrozen(values[2].tools) && Object.isFrozen((values[2].tools as Array<{ input_schema: object }>)[0].input_schema));
    assert.throws(() => (values[3].tools as unknown[]).push(1), TypeError);
    assert.ok(!Object.isFrozen(values[0].tools), 'a first-seen value is the caller’s own');
  });

  it('reuses the earlier turns of a growing conversation while its array is new each time', () => {
    const requests = [3, 4, 5, 6].map((turns) => parse(bytesOf(big({ messages: Array.from({ length: turns }, (_, i) => turn(i)) }))));
    const [, , third, fourth] = requests.map((request) => request.messages as unknown[]);
    assert.equal(fourth[0], third[0]);
    assert.equal(fourth[2], third[2]);
    assert.ok(!Object.isFrozen(fourth), 'the array itself is built per request');
    assert.deepEqual(
      fourth,
      Array.from({ length: 6 }, (_, i) => turn(i)),
    );
  });

  it('splits a conversation past 1 MB into its turns too, and gives the same value parsed in slices', async () => {
    // Turns of many lengths, as a real conversation has (same-length turns alike at every sample share a key).
    const varied = (i: number) => ({ role: 'user', content: `varied ${i} ${'words 😀 '.repeat(300 + (i % 97))}` });
    const long = (turns: number) => bytesOf(big({ messages: Array.from({ length: turns }, (_, i) => varied(i)) }));
    const sliced = [];
    for (const turns of [300, 301, 302]) {
      const bytes = long(turns);
      assert.ok(bytes.length > 1024 * 1024);
      const parsed = await parseReusingInSlices(bytes, MAX_JSON_DEPTH);
      assert.deepEqual(parsed, { value: JSON.parse(bytes.toString()) });
      sliced.push((parsed.value as { messages: unknown[] }).messages);
    }
    assert.equal(sliced[2][0], sliced[1][0], 'the first turn, seen a third time, is the kept value');
  });

  it('keeps what fits its bound: a flood of distinct parts pushes the oldest kept ones out', () => {
    const part = (i: number) => ({ text: `flood ${i} ${`${i}:`.repeat(1200)}` }); // distinct all through
    const body = (from: number) => bytesOf({ parts: Array.from({ length: 16 }, (_, i) => part(from + i)) });
    const first = body(0);
    for (let i = 0; i < 3; i++) parse(first);
    const kept = (parse(first).parts as unknown[])[0];
    assert.equal((parse(first).parts as unknown[])[0], kept);
    // Each body kept whole from its second coming, at three times its bytes or more: past the 12 MB bound.
    for (let from = 16; from < 16 + 16 * 200; from += 16) {
      const next = body(from);
      parse(next);
      parse(next);
    }
    const after = parse(first).parts as unknown[];
    assert.notEqual(after[0], kept);
    assert.deepEqual(after[0], part(0));
  });

  it('parses runs of small turns at once and keeps the big ones; many members or elements are parsed whole', () => {
    const mixed = (n: number) =>
      bytesOf(big({ messages: Array.from({ length: n }, (_, i) => (i % 10 === 0 ? turn(5000 + i) : { role: 'user', content: `small ${i}` })) }));
    const values = [31, 32, 33].map((n) => parse(mixed(n)).messages as unknown[]);
    assert.deepEqual(values[2], JSON.parse(mixed(33).toString()).messages);
    assert.equal(values[2][10], values[1][10], 'a big turn is kept');
    assert.notEqual(values[2][11], values[1][11], 'a small one is parsed each time');
    const manyMembers = Buffer.from(`{${Array.from({ length: 100 }, (_, i) => `"k${i}":${i}`).join(',')},"pad":"${'x'.repeat(40_000)}"}`);
    assert.deepEqual(parse(manyMembers), JSON.parse(manyMembers.toString()));
    const manyElements = bytesOf(big({ list: Array.from({ length: 12_000 }, (_, i) => (i === 5 ? turn(9) : i)) }));
    assert.deepEqual(parse(manyElements), JSON.parse(manyElements.toString()));
  });

  it('never takes a value for bytes that differ, even of the same length and middle', () => {
    const a = { tools: tools.map((tool) => ({ ...tool, name: tool.name.replace('tool', 'aaaa') })) };
    const b = { tools: tools.map((tool) => ({ ...tool, name: tool.name.replace('tool', 'bbbb') })) };
    for (let i = 0; i < 3; i++) parse(bytesOf(big(a)));
    assert.deepEqual(parse(bytesOf(big(b))).tools, b.tools);
    assert.deepEqual(parse(bytesOf(big(a))).tools, a.tools);
  });

  it('parses whole what it cannot split, as JSON.parse does: a repeated name, __proto__, a body that is not an object', () => {
    const repeated = Buffer.from(`{"a":1,"pad":"${'x'.repeat(40_000)}","a":2}`);
    assert.deepEqual(parse(repeated), JSON.parse(repeated.toString()));
    const proto = Buffer.from(`{"__proto__":{"polluted":true},"pad":"${'x'.repeat(40_000)}"}`);
    const parsed = parse(proto);
    assert.deepEqual(Object.getPrototypeOf(parsed), Object.prototype);
    assert.deepEqual(parsed, JSON.parse(proto.toString()));
    const list = Buffer.from(`[${'1,'.repeat(20_000)}1]`);
    assert.deepEqual(parse(list), JSON.parse(list.toString()));
  });

  it('refuses what JSON.parse refuses, whichever part is broken', () => {
    const pad = 'x'.repeat(40_000);
    for (const text of [
      `{"a":1 2,"pad":"${pad}"}`,
      `{"a":tru,"pad":"${pad}"}`,
      `{"a":"é\\x","pad":"${pad}"}`,
      `{"a":[1,],"pad":"${pad}"}`,
      `{"pad":"${pad}"} x`,
      `{"pad":"${pad}",}`,
      `{"pad":"${pad}"`,
      `{"a":1é,"pad":"${pad}"}`,
      `{"pad":"${pad}","big":[${'{"k":"v"},'.repeat(300)}]}`,
    ]) {
      assert.throws(() => parseReusing(Buffer.from(text), MAX_JSON_DEPTH), SyntaxError, text.slice(0, 30));
    }
  });

  it('refuses a body nested past the budget, in any member, before building it', () => {
    const deep = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;
    const pad = 'x'.repeat(40_000);
    assert.deepEqual(parseReusing(Buffer.from(`{"pad":"${pad}","a":${deep(MAX_JSON_DEPTH)}}`), MAX_JSON_DEPTH), { tooDeep: true });
    assert.equal(parseReusing(Buffer.from(`{"pad":"${pad}","a":${deep(MAX_JSON_DEPTH - 1)}}`), MAX_JSON_DEPTH).tooDeep, undefined);
    assert.deepEqual(parseReusing(Buffer.from(`[${deep(MAX_JSON_DEPTH)},"${pad}"]`), MAX_JSON_DEPTH), { tooDeep: true });
  });
});
