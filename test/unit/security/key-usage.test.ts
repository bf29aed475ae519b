import assert from 'node:assert/strict';
import { GatewayError } from '../../../src/core/errors';
import { silentLogger } from '../../../src/core/ports';
import { KeyUsage } from '../../../src/core/security/key-usage';
import { ManualClock, MemoryDocuments } from './memory-documents';

const key = (limits: Record<string, number>) => ({ id: 'k1', name: 'team', limits });

function refusal(run: () => unknown): GatewayError {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof GatewayError);
    return err;
  }
  assert.fail('expected a refusal');
}

describe('security: per-key usage limits', () => {
  let usage: KeyUsage | undefined;
  afterEach(() => usage?.close());

  it('counts requests per calendar minute and says when the window ends', async () => {
    const clock = new ManualClock(Date.UTC(2025, 0, 15, 10, 0, 45));
    usage = await KeyUsage.open({ documents: new MemoryDocuments(), clock, logger: silentLogger });
    const limited = key({ requestsPerMinute: 2 });
    usage.admit(limited)();
    usage.admit(limited)();
    const refused = refusal(() => usage!.admit(limited));
    assert.equal(refused.kind, 'rate_limit');
    assert.equal(refused.retryAfterSeconds, 15);
    clock.advance(15_000);
    assert.doesNotThrow(() => usage!.admit(limited)());
  });

  it('refuses once the tokens of the window reached the limit', async () => {
    const clock = new ManualClock();
    usage = await KeyUsage.open({ documents: new MemoryDocuments(), clock, logger: silentLogger });
    const limited = key({ tokensPerMinute: 100 });
    usage.admit(limited)();
    usage.addTokens('k1', 99);
    usage.admit(limited)();
    usage.addTokens('k1', 5);
    assert.match(refusal(() => usage!.admit(limited)).message, /100 tokens per minute/);
  });

  it('holds a concurrency slot until the request ends', async () => {
    usage = await KeyUsage.open({ documents: new MemoryDocuments(), clock: new ManualClock(), logger: silentLogger });
    const limited = key({ maxConcurrent: 2 });
    const first = usage.admit(limited);
    const second = usage.admit(limited);
    assert.match(refusal(() => usage!.admit(limited)).message, /2 concurrent requests/);
    first();
    first(); // ending twice frees one slot only
    const third = usage.admit(limited);
    assert.throws(() => usage!.admit(limited));
    second();
    third();
  });

  it('keeps the day totals across a restart, and starts afresh the next UTC day', async () => {
    const documents = new MemoryDocuments();
    const clock = new ManualClock(Date.UTC(2025, 0, 15, 23, 0, 0));
    const first = await KeyUsage.open({ documents, clock, logger: silentLogger });
    const limited = key({ requestsPerDay: 1 });
    first.admit(limited)();
    await first.close();

    usage = await KeyUsage.open({ documents, clock, logger: silentLogger });
    assert.equal(usage.today('k1').requests, 1);
    assert.equal(refusal(() => usage!.admit(limited)).retryAfterSeconds, 3600);
    clock.advance(3_600_000);
    assert.doesNotThrow(() => usage!.admit(limited)());
  });
});
