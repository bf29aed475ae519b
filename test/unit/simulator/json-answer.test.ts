import assert from 'node:assert/strict';
import Ajv2020 from 'ajv/dist/2020';
import { jsonModeAnswer } from '../../../src/simulator/json-answer';
import { schemaBomb } from '../../helpers/schema-bomb';

/** Gemini's OpenAPI subset writes types in upper case; JSON Schema validators want lower case. */
const lowerTypes = (schema: unknown): unknown =>
  Array.isArray(schema)
    ? schema.map(lowerTypes)
    : typeof schema === 'object' && schema !== null
      ? Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, k === 'type' && typeof v === 'string' ? v.toLowerCase() : lowerTypes(v)]))
      : schema;

function assertMatches(schema: Record<string, unknown>, text: string | undefined): unknown {
  assert.ok(text !== undefined, 'a JSON answer');
  const value = JSON.parse(text);
  const validate = new Ajv2020({ strict: false }).compile(lowerTypes(schema) as object);
  assert.ok(validate(value), `${text} does not match: ${JSON.stringify(validate.errors)}`);
  return value;
}

describe('simulator: JSON mode answers', () => {
  it("answers gemini-cli's router classifier (responseJsonSchema, upper-case types) with a matching object", () => {
    const schema = {
      type: 'OBJECT',
      properties: {
        complexity_reasoning: { type: 'STRING', description: 'Brief explanation for the score.' },
        complexity_score: { type: 'INTEGER', description: 'Complexity score from 1-100.' },
      },
      required: ['complexity_reasoning', 'complexity_score'],
    };
    const value = assertMatches(schema, jsonModeAnswer({ responseMimeType: 'application/json', responseJsonSchema: schema }, 'hi')) as Record<string, unknown>;
    assert.equal(typeof value.complexity_score, 'number');
  });

  it('honours enums, ranges, arrays, formats, nullable unions, $ref and allOf (responseSchema or responseJsonSchema)', () => {
    const schema = {
      type: 'object',
      $defs: { step: { type: 'object', properties: { n: { type: 'integer', minimum: 3, maximum: 9 } }, required: ['n'] } },
      properties: {
        route: { type: 'string', enum: ['flash', 'pro'] },
        score: { type: 'number', exclusiveMinimum: 10 },
        steps: { type: 'array', items: { $ref: '#/$defs/step' }, minItems: 2 },
        when: { type: 'string', format: 'date-time' },
        note: { anyOf: [{ type: 'null' }, { type: 'string', minLength: 40 }] },
        merged: { allOf: [{ type: 'object', properties: { a: { type: 'boolean' } }, required: ['a'] }] },
        fixed: { const: 7 },
        either: { type: ['null', 'integer'] },
      },
      required: ['route', 'score', 'steps', 'when', 'note', 'merged', 'fixed', 'either'],
      additionalProperties: false,
    };
    for (const key of ['responseSchema', 'responseJsonSchema']) {
      const value = assertMatches(schema, jsonModeAnswer({ responseMimeType: 'application/json', [key]: schema }, 'x')) as Record<string, unknown>;
      assert.equal(value.route, 'flash');
      assert.equal((value.steps as unknown[]).length, 2);
    }
  });

  it('gives JSON without a schema, and nothing outside JSON mode', () => {
    assert.deepEqual(Object.keys(JSON.parse(jsonModeAnswer({ responseMimeType: 'application/json' }, 'hi')!)), ['answer']);
    assert.equal(jsonModeAnswer({ responseMimeType: 'text/plain', responseSchema: { type: 'OBJECT' } }, 'hi'), undefined);
    assert.equal(jsonModeAnswer(undefined, 'hi'), undefined);
  });

  it('stops at a recursive $ref instead of looping', () => {
    const schema = { $defs: { node: { type: 'object', properties: { next: { $ref: '#/$defs/node' } } } }, $ref: '#/$defs/node' };
    const text = jsonModeAnswer({ responseMimeType: 'application/json', responseJsonSchema: schema }, 'x')!;
    assert.match(text, /null/);
  });
});

describe('simulator: JSON-mode answers stay small for hostile schemas', () => {
  it('stops a $ref fan-out and a huge minItems at its budgets instead of expanding them', () => {
    const text = jsonModeAnswer({ responseMimeType: 'application/json', responseJsonSchema: schemaBomb(10, 5) }, 'x')!; // 5^10 leaves as written
    assert.ok((text.match(/Simulated/g) ?? []).length <= 10_000, `${text.length} characters`);
    const items = JSON.parse(
      jsonModeAnswer({ responseMimeType: 'application/json', responseJsonSchema: { type: 'array', minItems: 1e9, items: { type: 'integer' } } }, 'x')!,
    );
    assert.equal(items.length, 100);
  });
});
