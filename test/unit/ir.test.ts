import assert from 'node:assert/strict';
import { emptyUsage } from '../../src/core/ir';

describe('ir', () => {
  it('starts usage at zero', () => {
    assert.deepEqual(emptyUsage(), { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, thinkingTokens: 0 });
  });
});
