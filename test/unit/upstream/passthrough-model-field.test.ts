import assert from 'node:assert/strict';
import { modelValueSpan, withModel } from '../../../src/core/upstream/passthrough/model-field';

const joined = (pieces: Buffer[]) => Buffer.concat(pieces).toString('utf8');

describe('passthrough: the model id of a body, changed without a parse', () => {
  it('finds the top-level model wherever it sits, and leaves every other byte alone', () => {
    const body =
      '{ "max_tokens" : 10,\n "messages":[{"role":"user","content":"say \\"model\\": \\"x\\"","model":"inner"}],\t"model" :  "anthropic:claude-sonnet-4-6" , "metadata":{"model":"m"}}';
    const span = modelValueSpan(Buffer.from(body))!;
    assert.equal(body.slice(span.start, span.end), '"anthropic:claude-sonnet-4-6"');
    assert.equal(joined(withModel(Buffer.from(body), 'claude-sonnet-4-6')), body.replace('"anthropic:claude-sonnet-4-6"', '"claude-sonnet-4-6"'));
  });

  it("keeps the very buffer when the model is already the provider's", () => {
    const body = Buffer.from('{"model":"gpt-4o","messages":[]}');
    const pieces = withModel(body, 'gpt-4o');
    assert.equal(pieces.length, 1);
    assert.equal(pieces[0], body);
  });

  it('multi-byte text and escaped quotes before the model do not throw the scan off', () => {
    const body = '{"messages":[{"content":"\u00e9\u2603 \\\\\\" \\\\"}],"model":"a"}';
    assert.equal(joined(withModel(Buffer.from(body), 'b')), body.replace('"model":"a"', '"model":"b"'));
  });

  it('takes the exact slow way for what the scan cannot vouch for: a repeated key, an escaped one', () => {
    const repeated = Buffer.from('{"model":"a","x":1,"model":"b"}');
    assert.equal(modelValueSpan(repeated), undefined);
    assert.deepEqual(JSON.parse(joined(withModel(repeated, 'c'))), { model: 'c', x: 1 });
    const escaped = Buffer.from('{"mod\\u0065l":"a"}');
    assert.equal(modelValueSpan(escaped), undefined);
    assert.deepEqual(JSON.parse(joined(withModel(escaped, 'c'))), { model: 'c' });
  });
});
