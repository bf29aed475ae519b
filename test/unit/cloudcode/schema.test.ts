import assert from 'node:assert/strict';
import claudeCodeTools from '../../fixtures/claude-code-tools.json';
import claudeCodeRequest from '../../fixtures/claude-code-request.json';
import { GatewayError } from '../../../src/core/errors';
import {
  cleanSchema,
  cleanSchemaWithPaths,
  EACH_ITEM,
  newSchemaBudget,
  SCHEMA_NODE_BUDGET,
  SCHEMA_SIZE_BUDGET,
} from '../../../src/core/upstream/cloudcode/schema';
import { schemaBomb } from '../../helpers/schema-bomb';
import { violations } from './schema-rules';

interface AnthropicTool {
  name: string;
  input_schema: Record<string, unknown>;
}

describe('cloudcode schema cleaning', () => {
  const tools = claudeCodeTools as AnthropicTool[];

  it('leaves no unsupported keyword in any Claude Code tool schema', () => {
    for (const tool of tools) {
      const cleaned = cleanSchema(tool.input_schema);
      // Parameterless tools (CronList, TaskList) are declared without parameters; see encode-tools.
      if (cleaned.type === 'object') assert.deepEqual(violations(cleaned), [], tool.name);
      else assert.ok(['CronList', 'TaskList'].includes(tool.name), tool.name);
    }
  });

  it('does not modify the schema it is given', () => {
    const original = JSON.stringify(tools);
    for (const tool of tools) cleanSchema(tool.input_schema);
    assert.equal(JSON.stringify(tools), original);
  });

  it('keeps properties whose names look like keywords', () => {
    const workflow = tools.find((t) => t.name === 'Workflow')!;
    const cleaned = cleanSchema(workflow.input_schema);
    assert.equal(cleaned.properties?.description?.type, 'string');
    assert.equal(cleaned.properties?.title?.type, 'string');
    // `args` is untyped ("any JSON value"): declared as JSON text, parsed back on the way out.
    assert.equal(cleaned.properties?.args?.type, 'string');
    assert.match(cleaned.properties?.args?.description ?? '', /^Optional input value.*\(any JSON value, as JSON text\)$/s);
    const grep = cleanSchema(tools.find((t) => t.name === 'Grep')!.input_schema);
    assert.equal(grep.properties?.type?.type, 'string');
    assert.equal(grep.properties?.['-n']?.type, 'boolean');
  });

  it('moves value constraints into the description instead of losing them', () => {
    const cleaned = cleanSchema({
      type: 'object',
      properties: {
        id: { type: 'string', pattern: '^wf_[a-z0-9-]{6,}$', description: 'Run id' },
        count: { type: 'integer', minimum: 1, maximum: 10, exclusiveMaximum: 11, multipleOf: 1 },
        tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 5, uniqueItems: true },
        name: { type: 'string', minLength: 3, maxLength: 64 },
      },
    });
    assert.equal(cleaned.properties?.id?.description, 'Run id (pattern: ^wf_[a-z0-9-]{6,}$)');
    assert.equal(cleaned.properties?.count?.description, 'minimum: 1; maximum: 10; exclusiveMaximum: 11; multipleOf: 1');
    assert.equal(cleaned.properties?.tags?.description, 'minItems: 1; maxItems: 5; uniqueItems: true');
    assert.equal(cleaned.properties?.name?.description, 'minLength: 3; maxLength: 64');
  });

  it('drops bounds that restrict nothing', () => {
    const read = cleanSchema(tools.find((t) => t.name === 'Read')!.input_schema);
    assert.doesNotMatch(read.properties?.offset?.description ?? '', /9007199254740991/);
    assert.match(read.properties?.offset?.description ?? '', /minimum: 0/);
    assert.equal(cleanSchema({ type: 'array', items: { type: 'string' }, minItems: 0 }).description, undefined);
  });

  it('drops annotations and object-shape keywords the upstream refuses', () => {
    const cleaned = cleanSchema({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'x',
      $comment: 'y',
      type: 'object',
      additionalProperties: false,
      properties: {
        env: { type: 'object', additionalProperties: { type: 'string' }, propertyNames: { pattern: '^[A-Z_]+$' } },
        mode: { type: 'string', default: 'fast', examples: ['fast'], 'x-order': 1, deprecated: true },
      },
    });
    assert.deepEqual(cleaned, {
      type: 'object',
      properties: { env: { type: 'string', description: 'a JSON object, as JSON text' }, mode: { type: 'string' } },
    });
  });

  it('turns const into a one-value enum and keeps only string enums', () => {
    assert.deepEqual(cleanSchema({ const: 'deleted' }), { type: 'string', enum: ['deleted'] });
    assert.deepEqual(cleanSchema({ type: 'integer', enum: [0, 1, 2] }), { type: 'integer', description: 'Allowed: 0, 1, 2' });
    assert.deepEqual(cleanSchema({ type: 'boolean', const: true }), { type: 'boolean', description: 'Must be true' });
  });

  it('flattens a nullable union to its type with nullable set', () => {
    assert.deepEqual(cleanSchema({ anyOf: [{ type: 'string' }, { type: 'null' }], title: 'Body', default: null }), {
      type: 'string',
      title: 'Body',
      nullable: true,
    });
    assert.deepEqual(cleanSchema({ type: ['integer', 'null'], description: 'Limit' }), {
      type: 'integer',
      description: 'Limit',
      nullable: true,
    });
    assert.deepEqual(cleanSchema({ type: ['string', 'null'], enum: ['a', 'b', null] }), {
      type: 'string',
      enum: ['a', 'b'],
      nullable: true,
    });
  });

  it('takes the first alternative of a mixed union and names the others', () => {
    const cleaned = cleanSchema({
      description: 'Files to read',
      anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }, { type: 'null' }],
    });
    assert.deepEqual(cleaned, { type: 'string', description: 'Files to read (Accepts: string | array)', nullable: true });
    assert.deepEqual(cleanSchema({ type: ['string', 'number'] }), { type: 'string', description: 'Accepts: string | number' });
  });

  it('pools a union of literals into one enum', () => {
    const update = cleanSchema(tools.find((t) => t.name === 'TaskUpdate')!.input_schema);
    assert.deepEqual(update.properties?.status, {
      type: 'string',
      enum: ['pending', 'in_progress', 'completed', 'deleted'],
      description: 'New status for the task',
    });
  });

  it('merges tagged object variants into one object', () => {
    const cleaned = cleanSchema({
      oneOf: [
        { type: 'object', properties: { kind: { const: 'selector' }, selector: { type: 'string' } }, required: ['kind', 'selector'] },
        { type: 'object', properties: { kind: { const: 'timeout' }, ms: { type: 'integer' } }, required: ['kind', 'ms'] },
      ],
    });
    assert.deepEqual(cleaned, {
      type: 'object',
      properties: {
        kind: { type: 'string', enum: ['selector', 'timeout'] },
        selector: { type: 'string' },
        ms: { type: 'integer' },
      },
      required: ['kind'],
      description: 'One of the shapes: {kind, selector} | {kind, ms}',
    });
  });

  it('inlines $ref definitions, with sibling keywords refining them', () => {
    const cleaned = cleanSchema({
      type: 'object',
      properties: { size: { $ref: '#/definitions/size', description: 'Viewport' } },
      definitions: { size: { type: 'object', properties: { width: { type: 'integer' } }, required: ['width'], description: 'A size' } },
    });
    assert.deepEqual(cleaned.properties?.size, {
      type: 'object',
      properties: { width: { type: 'integer' } },
      required: ['width'],
      description: 'Viewport',
    });
  });

  it('stops a recursive $ref after one expansion', () => {
    const cleaned = cleanSchema({
      $defs: { Node: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/$defs/Node' } } } } },
      $ref: '#/$defs/Node',
    });
    assert.deepEqual(cleaned, {
      type: 'object',
      properties: { children: { type: 'array', items: { type: 'string', description: 'See: Node (a JSON object, as JSON text)' } } },
    });
  });

  it('stops a recursive $ref reached through nullable unions', () => {
    const node = { type: 'object', properties: { next: { anyOf: [{ $ref: '#/$defs/Node' }, { type: 'null' }] } } };
    const cleaned = cleanSchema({ $defs: { Node: node }, ...node });
    assert.equal(cleaned.properties?.next?.nullable, true);
    assert.deepEqual(cleaned.properties?.next?.properties?.next, {
      type: 'string',
      description: 'See: Node (a JSON object, as JSON text)',
      nullable: true,
    });
  });

  it('describes a reference it cannot resolve', () => {
    assert.deepEqual(cleanSchema({ $ref: 'https://example.com/schema.json#/Thing' }), {
      type: 'string',
      description: 'See: Thing (a JSON object, as JSON text)',
    });
  });

  it('merges allOf into one schema, the parent winning', () => {
    const cleaned = cleanSchema({
      description: 'Options',
      allOf: [
        { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], description: 'ignored' },
        { properties: { b: { type: 'number' } }, required: ['b', 'ghost'] },
      ],
    });
    assert.deepEqual(cleaned, {
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: 'number' } },
      required: ['a', 'b'],
      description: 'Options',
    });
  });

  it('keeps only the string formats the upstream honours', () => {
    assert.deepEqual(cleanSchema({ type: 'string', format: 'date-time' }), { type: 'string', format: 'date-time' });
    assert.deepEqual(cleanSchema({ type: 'string', format: 'uri', description: 'Link' }), {
      type: 'string',
      description: 'Link (format: uri)',
    });
  });

  it('declares open values as JSON text and reports where they are', () => {
    const taskCreate = cleanSchemaWithPaths(tools.find((t) => t.name === 'TaskCreate')!.input_schema);
    assert.deepEqual(taskCreate.schema.properties?.metadata, {
      type: 'string',
      description: 'Arbitrary metadata to attach to the task (a JSON object, as JSON text)',
    });
    assert.deepEqual(taskCreate.jsonTextPaths, [['metadata']]);
    const nested = cleanSchemaWithPaths({
      type: 'object',
      properties: {
        rows: { type: 'array', items: { type: 'object', properties: { data: { type: 'object' }, note: { type: 'string' } } } },
        any: {},
        typed: { type: 'object', properties: { x: { type: 'number' } } },
      },
    });
    assert.deepEqual(nested.jsonTextPaths, [['rows', EACH_ITEM, 'data'], ['any']]);
    assert.deepEqual(cleanSchemaWithPaths(tools.find((t) => t.name === 'Bash')!.input_schema).jsonTextPaths, []);
  });

  it('declares an object without properties as JSON text', () => {
    assert.deepEqual(cleanSchema({ type: 'object', properties: {}, additionalProperties: false, required: [] }), {
      type: 'string',
      description: 'a JSON object, as JSON text',
    });
  });

  it('gives arrays an item type and tuples their first element', () => {
    assert.deepEqual(cleanSchema({ type: 'array' }), { type: 'array', items: { type: 'string', description: 'any JSON value, as JSON text' } });
    assert.deepEqual(cleanSchema({ type: 'array', prefixItems: [{ type: 'number' }, { type: 'string' }] }), {
      type: 'array',
      items: { type: 'number' },
      description: 'Tuple of number, string',
    });
  });

  it('infers the type a schema leaves implicit', () => {
    assert.equal(cleanSchema({ properties: { a: {} } }).type, 'object');
    assert.equal(cleanSchema({ items: { type: 'string' } }).type, 'array');
    assert.equal(cleanSchema({ enum: [1, 2] }).type, 'integer');
  });

  it('survives a schema nested beyond reason', () => {
    let deep: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 200; i++) deep = { type: 'object', properties: { next: deep } };
    assert.deepEqual(violations(cleanSchema(deep)), []);
  });
});

describe('cloudcode schema expansion budget', () => {
  const refusal = (owner: string) => (err: unknown) => {
    assert.ok(err instanceof GatewayError, String(err));
    assert.equal(err.kind, 'invalid_request');
    assert.ok(err.message.includes(owner), err.message);
    assert.match(err.message, /takes this request's tool and response schemas past .* once every \$ref and allOf is written out in full/);
    return true;
  };

  it('refuses a $ref fan-out bomb, naming its owner, after a bounded number of nodes', () => {
    const budget = newSchemaBudget();
    // 3^13 = 1.6 million leaves from 1.8 KB.
    assert.ok(JSON.stringify(schemaBomb(13, 3)).length < 2_000);
    assert.throws(() => cleanSchemaWithPaths(schemaBomb(13, 3), "tool 'bomb'", budget), refusal("tool 'bomb'"));
    assert.equal(budget.nodes, SCHEMA_NODE_BUDGET + 1);
  });

  it('refuses a fan-out through allOf', () => {
    const defs: Record<string, unknown> = { a0: { type: 'object', properties: { x: { type: 'string' } } } };
    for (let level = 1; level <= 20; level++) {
      const ref = { $ref: `#/$defs/a${level - 1}` };
      defs[`a${level}`] = { allOf: [ref, ref, ref, { type: 'object', properties: { [`p${level}`]: ref } }] };
    }
    assert.throws(() => cleanSchema({ $defs: defs, $ref: '#/$defs/a20' }, 'the response format'), refusal('the response format'));
  });

  it('refuses a large definition copied many times, by its size', () => {
    const big = { type: 'string', enum: Array.from({ length: 50_000 }, (_, i) => `v${i}`) };
    const properties = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`p${i}`, { $ref: '#/$defs/big' }]));
    const budget = newSchemaBudget();
    assert.throws(() => cleanSchema({ type: 'object', properties, $defs: { big } }, "tool 'wide'", budget), refusal("tool 'wide'"));
    assert.ok(budget.nodes < 100, `${budget.nodes} nodes`);
    assert.ok(budget.size > SCHEMA_SIZE_BUDGET);
  });

  it("counts a request's schemas together, naming the one that crossed the line", () => {
    const budget = newSchemaBudget();
    let refused: string | undefined;
    for (let i = 0; i < 100 && refused === undefined; i++) {
      try {
        cleanSchema(schemaBomb(6, 3), `tool 't${i}'`, budget); // 3^6 = 729 leaves, well within the budget alone
      } catch (err) {
        assert.ok(err instanceof GatewayError);
        refused = err.message;
      }
    }
    assert.match(refused ?? '', /^The schema of tool 't\d+'/);
    assert.notEqual(refused?.includes("tool 't0'"), true);
  });

  it('still inlines shared definitions of ordinary size', () => {
    const address = { type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } }, required: ['city'] };
    const budget = newSchemaBudget();
    const cleaned = cleanSchema(
      {
        type: 'object',
        properties: {
          home: { $ref: '#/$defs/Address' },
          work: { $ref: '#/$defs/Address', description: 'Office' },
          past: { type: 'array', items: { $ref: '#/$defs/Address' } },
          either: { anyOf: [{ $ref: '#/$defs/Address' }, { type: 'null' }] },
        },
        $defs: { Address: address },
      },
      "tool 'contacts'",
      budget,
    );
    const expected = { type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } }, required: ['city'] };
    assert.deepEqual(cleaned.properties?.home, expected);
    assert.deepEqual(cleaned.properties?.work, { ...expected, description: 'Office' });
    assert.deepEqual(cleaned.properties?.past?.items, expected);
    assert.deepEqual(cleaned.properties?.either, { ...expected, nullable: true });
    assert.ok(budget.nodes < 30, `${budget.nodes} nodes`);
  });

  it("spends little of the budget on Claude Code's whole tool set", () => {
    const budget = newSchemaBudget();
    for (const tool of (claudeCodeRequest as { tools: AnthropicTool[] }).tools) cleanSchema(tool.input_schema, `tool '${tool.name}'`, budget);
    assert.ok(budget.nodes < SCHEMA_NODE_BUDGET / 10, `${budget.nodes} nodes`);
    assert.ok(budget.size < SCHEMA_SIZE_BUDGET / 10, `${budget.size} units`);
  });

  it('ends allOf cycles that no $ref expansion guards', () => {
    const cleaned = cleanSchema({
      allOf: [{ $ref: '#/$defs/b' }],
      $defs: { b: { allOf: [{ $ref: '#/$defs/c' }], properties: { x: { type: 'string' } } }, c: { allOf: [{ $ref: '#/$defs/b' }] } },
    });
    assert.deepEqual(cleaned.properties?.x, { type: 'string' });
  });
});
