import assert from 'node:assert/strict';
import { goDuration, isoSeconds, protoDuration } from '../../../src/simulator/durations';

describe('simulator durations', () => {
  it('writes RetryInfo delays as protobuf durations', () => {
    assert.equal(protoDuration(479.417207), '0.479417207s');
    assert.equal(protoDuration(60_000), '60s');
    assert.equal(protoDuration(1500), '1.5s');
    assert.equal(protoDuration(0), '0s');
  });

  it('writes quotaResetDelay the way Go prints a duration', () => {
    assert.equal(goDuration(479.417207), '479.417207ms');
    assert.equal(goDuration(0), '0s');
    assert.equal(goDuration(1500), '1.5s');
    assert.equal(goDuration(61_500), '1m1.5s');
    assert.equal(goDuration(3_723_000), '1h2m3s');
    assert.equal(goDuration(3_600_000), '1h0m0s');
  });

  it('writes timestamps to the second', () => {
    assert.equal(isoSeconds(Date.parse('2026-04-20T09:19:49.731Z')), '2026-04-20T09:19:49Z');
  });
});
