import assert from 'node:assert/strict';
import Ajv from 'ajv';
import { configSchema } from '../../../src/core/config/schema';

// loadConfig compiles the schema without the meta-schema check (it would cost every start ≈ 4 MB): it is made here.
describe('config schema', () => {
  it('is a valid JSON Schema', () => {
    const ajv = new Ajv({ strict: false });
    assert.equal(ajv.validateSchema(configSchema), true, JSON.stringify(ajv.errors));
  });

  it('fails the meta-schema check when broken, so the check above can fail', () => {
    const ajv = new Ajv({ strict: false });
    assert.equal(ajv.validateSchema({ ...configSchema, required: 'port' }), false);
  });
});
