import assert from 'node:assert/strict';
import { GatewayError } from '../../src/core/errors';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../../src/core/json-depth';
import { geminiSchemaToJsonSchema } from '../../src/core/protocols/gemini/schema';
import { repairArguments } from '../../src/core/upstream/cloudcode/argument-repair';

const nested = (levels: number, open = '{"a":', close = '}') => `${open.repeat(levels)}1${close.repeat(levels)}`;

describe('JSON nesting budget', () => {
  for (const [label, wrap] of [
    ['text', (s: string) => s],
    ['bytes', (s: string) => Buffer.from(s)],
  ] as const) {
    describe(`over ${label}`, () => {
      it('counts arrays and objects, mixed', () => {
        assert.equal(nestsDeeperThan(wrap(nested(MAX_JSON_DEPTH)), MAX_JSON_DEPTH), false);
        assert.equal(nestsDeeperThan(wrap(nested(MAX_JSON_DEPTH + 1)), MAX_JSON_DEPTH), true);
        assert.equal(nestsDeeperThan(wrap(nested(MAX_JSON_DEPTH + 1, '[', ']'))), true);
        assert.equal(nestsDeeperThan(wrap(nested(70, '[{"x":', '}]'))), true);
        assert.equal(nestsDeeperThan(wrap(nested(100_000))), true);
      });

      it('measures depth, not how many containers there are', () => {
        const wide = `[${Array.from({ length: 10_000 }, () => '{"a":[1,{"b":2}]}').join(',')}]`;
        assert.equal(nestsDeeperThan(wrap(wide), 4), false);
        assert.equal(nestsDeeperThan(wrap(wide), 3), true);
      });

      it('ignores brackets inside strings, escaped quotes included', () => {
        const brackets = '['.repeat(1000);
        assert.equal(nestsDeeperThan(wrap(JSON.stringify({ text: brackets, more: `\\"${brackets}"\\` })), 2), false);
        assert.equal(nestsDeeperThan(wrap(`{"a":"\\\\",${'['.repeat(5)}]]]]]}`), 5), true, 'an escaped backslash ends before the quote');
        assert.equal(nestsDeeperThan(wrap(`{"a":"\\"[[[[[[","b":1}`), 1), false);
        assert.equal(nestsDeeperThan(wrap('{"é💥":["[[[", {"ünï":"]]]"}]}'), 3), false);
      });

      it('agrees with the depth of the parsed value for strings full of quotes, backslashes and brackets', () => {
        let seed = 7;
        const random = (n: number) => {
          seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
          return seed % n;
        };
        const text = () => Array.from({ length: random(80) }, () => '\\"[]{}aé💥'[random(10)]).join('');
        const value = (depth: number): unknown => {
          if (depth > 6 || random(3) === 0) return text();
          return random(2) ? Array.from({ length: random(4) }, () => value(depth + 1)) : { [text()]: value(depth + 1), k: value(depth + 1) };
        };
        const depthOf = (v: unknown): number => (typeof v === 'object' && v !== null ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0);
        for (let i = 0; i < 300; i++) {
          const v = value(0);
          const depth = depthOf(v);
          assert.equal(nestsDeeperThan(wrap(JSON.stringify(v)), depth), false, JSON.stringify(v));
          if (depth > 0) assert.equal(nestsDeeperThan(wrap(JSON.stringify(v)), depth - 1), true, JSON.stringify(v));
        }
      });

      it('answers for text that is not JSON, leaving the refusal to the parser', () => {
        assert.equal(nestsDeeperThan(wrap('"unterminated [[[[[[')), false);
        assert.equal(nestsDeeperThan(wrap(']]]]]['), 1), false);
        assert.equal(nestsDeeperThan(wrap('')), false);
      });
    });
  }
});

describe('recursive walks over request data stop at the nesting budget', () => {
  it('Gemini schema conversion refuses a schema nested past it, naming where', () => {
    let schema: Record<string, unknown> = { type: 'STRING' };
    for (let i = 0; i <= MAX_JSON_DEPTH + 1; i++) schema = { type: 'OBJECT', properties: { a: schema } };
    assert.throws(
      () => geminiSchemaToJsonSchema(schema, 'tools[0].functionDeclarations[0].parameters'),
      (err: unknown) => err instanceof GatewayError && err.kind === 'invalid_request' && /tools\[0\]\.functionDeclarations\[0\]\.parameters/.test(err.message),
    );
    let within: Record<string, unknown> = { type: 'STRING' };
    for (let i = 0; i < 40; i++) within = { type: 'OBJECT', properties: { a: within } };
    assert.equal(geminiSchemaToJsonSchema(within, 'p').type, 'object');
  });

  it('JSON text the model wrote for an open value stays text when nested past it', () => {
    const deep = `${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`;
    const repaired = repairArguments({ data: deep, shallow: '[[1]]' }, { jsonTextPaths: [['data'], ['shallow']] });
    assert.deepEqual(repaired, { data: deep, shallow: [[1]] });
  });
});
