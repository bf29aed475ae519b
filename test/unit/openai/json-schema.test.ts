import assert from 'node:assert/strict';
import { assertValidJsonSchema } from '../../../src/core/protocols/openai/shared/json-schema';
import { throwsGateway } from './helpers';

describe('openai: client JSON Schemas are checked before they reach the cleaner', () => {
  const check = (schema: Record<string, unknown>) => () => assertValidJsonSchema(schema, 'tools[0].function.parameters', "function 'f'");

  it('accepts what real clients send: draft-07 and 2020-12 markers, $defs, refs, unions, unknown keywords', () => {
    check({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {
        kind: { anyOf: [{ type: 'string', enum: ['a', 'b'] }, { type: 'null' }] },
        tags: { type: ['array', 'null'], items: { $ref: '#/$defs/tag' } },
      },
      required: ['kind'],
      additionalProperties: false,
      $defs: { tag: { type: 'string', minLength: 1 } },
      'x-vendor': true,
    })();
    check({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: {} })();
  });

  it('names the spot of a misspelt type', () => {
    const err = throwsGateway(check({ type: 'object', properties: { city: { type: 'strin' } } }), 'invalid_request', 'tools[0].function.parameters');
    assert.match(err.message, /^Invalid schema for function 'f': '\/properties\/city\/type' must be equal to one of the allowed values \(array, boolean/);
  });

  it('refuses keywords of the wrong shape', () => {
    assert.match(
      throwsGateway(check({ type: 'object', required: 'city' }), 'invalid_request', 'tools[0].function.parameters').message,
      /'\/required' must be array/,
    );
    assert.match(
      throwsGateway(check({ type: 'object', properties: 5 }), 'invalid_request', 'tools[0].function.parameters').message,
      /'\/properties' must be object/,
    );
    assert.match(throwsGateway(check({ anyOf: {} }), 'invalid_request', 'tools[0].function.parameters').message, /'\/anyOf' must be array/);
  });

  it('does not compare enum values or types pairwise: repeats are accepted, not searched for', () => {
    // ajv checks uniqueItems pair by pair on untyped items: a 50,000-value enum took 23 s of event loop.
    check({ type: 'object', properties: { size: { enum: ['s', 'm', 's', { l: 1 }, { l: 1 }] }, n: { type: ['integer', 'integer', 'null'] } } })();
    check({ type: 'string', enum: Array.from({ length: 50_000 }, (_, i) => `v${i % 25_000}`) })();
    assert.match(throwsGateway(check({ enum: [] }), 'invalid_request', 'tools[0].function.parameters').message, /'\/enum' must NOT have fewer than 1 items/);
  });

  it('refuses a schema nested deeper than the stack allows with a 400, not a crash', () => {
    let schema: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 100_000; i++) schema = { type: 'object', properties: { a: schema } };
    assert.match(throwsGateway(check(schema), 'invalid_request', 'tools[0].function.parameters').message, /nested too deeply/);
  });
});
