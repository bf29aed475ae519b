/**
 * Spend split by kind of token: the arithmetic of a price table, a provider's
 * spend of today, and the token stats' spend (priced as each request
 * finishes, kept across a restart through the journal and the day snapshot).
 */
import assert from 'node:assert/strict';
import { emptyUsage } from '../../../src/core/ir';
import { TokenStats } from '../../../src/core/monitor/token-stats';
import { toAnthropicUsage } from '../../../src/core/protocols/anthropic/usage';
import { silentLogger } from '../../../src/core/ports';
import { ProviderPool, ProviderRegistry, costOf, spendOf, totalSpend, type ModelPrice } from '../../../src/core/providers';
import { FakeClock, finishedRequest, tempDir } from '../monitor/helpers';
import { MemoryDocuments, MemorySecrets } from '../accounts/fakes';
import { AnthropicStreamDecoder } from '../../../src/core/upstream/anthropic';

const SONNET: ModelPrice = { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 };
const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} ≠ ${expected}`);

describe('providers: spend by cached and uncached input', () => {
  it('prices uncached input, cache reads, cache writes and output each at its own rate', () => {
    // 1M input of which 600k read from the cache and 100k written to it; 200k output.
    const spend = spendOf({ inputTokens: 1_000_000, cachedInputTokens: 600_000, cacheWriteTokens: 100_000, outputTokens: 200_000 }, SONNET);
    close(spend.uncachedInputUsd, 0.3 * 3); // 300k plain
    close(spend.cachedInputUsd, 0.6 * 0.3);
    close(spend.cacheWriteUsd, 0.1 * 3.75);
    close(spend.outputUsd, 0.2 * 15);
    close(totalSpend(spend), 0.9 + 0.18 + 0.375 + 3);
    close(costOf({ inputTokens: 1_000_000, cachedInputTokens: 600_000, cacheWriteTokens: 100_000, outputTokens: 200_000 }, SONNET), totalSpend(spend));
  });

  it('a price without cache rates charges cached input as input; counts beyond the input never go negative', () => {
    const plain = spendOf({ inputTokens: 1_000_000, cachedInputTokens: 400_000, outputTokens: 0 }, { input: 2, output: 8 });
    close(plain.uncachedInputUsd, 1.2);
    close(plain.cachedInputUsd, 0.8);
    const odd = spendOf({ inputTokens: 100, cachedInputTokens: 150, cacheWriteTokens: 50, outputTokens: 0 }, SONNET);
    close(odd.uncachedInputUsd, 0);
    close(odd.cacheWriteUsd, 0);
    close(odd.cachedInputUsd, (100 * 0.3) / 1_000_000);
  });

  it("a provider's spend of today splits by kind of token and adds up to its total", async () => {
    const clock = new FakeClock(Date.UTC(2030, 0, 15, 12));
    const documents = new MemoryDocuments();
    const registry = await ProviderRegistry.open({
      documents,
      secrets: new MemorySecrets(),
      fetch: () => Promise.reject(new Error('offline')),
      clock,
      logger: silentLogger,
    });
    const pool = await ProviderPool.open({ registry, documents, clock, logger: silentLogger });
    const provider = await registry.add({ name: 'paid', kind: 'openai-compatible', key: 'sk-test-0001', baseUrl: 'http://127.0.0.1:9/v1', models: ['gpt-4o'] });
    // gpt-4o: $2.50 in, $1.25 cached, $10 out per million.
    pool.record(
      { provider: registry.find('paid')!, model: 'gpt-4o' },
      { inputTokens: 10_000, cachedInputTokens: 8_000, outputTokens: 1_000, thinkingTokens: 500 },
    );
    const today = pool.usageToday(provider.id);
    assert.equal(today.inputTokens, 10_000);
    assert.equal(today.cachedInputTokens, 8_000);
    close(today.spend.uncachedInputUsd, (2_000 * 2.5) / 1e6);
    close(today.spend.cachedInputUsd, (8_000 * 1.25) / 1e6);
    close(today.spend.outputUsd, (1_500 * 10) / 1e6);
    close(today.spendUsd, totalSpend(today.spend));
  });

  it("Anthropic's cache writes (streamed message_start usage) reach the usage record and price at the cache-write rate", async () => {
    const clock = new FakeClock(Date.UTC(2030, 0, 15, 12));
    const documents = new MemoryDocuments();
    const registry = await ProviderRegistry.open({
      documents,
      secrets: new MemorySecrets(),
      fetch: () => Promise.reject(new Error('offline')),
      clock,
      logger: silentLogger,
    });
    const pool = await ProviderPool.open({ registry, documents, clock, logger: silentLogger });
    const provider = await registry.add({
      name: 'claude',
      kind: 'anthropic',
      key: 'sk-ant-test-0001',
      baseUrl: 'http://127.0.0.1:9',
      models: ['claude-sonnet-4-5'],
    });
    // The usage shapes of a streamed Messages answer that wrote a 2,000-token prefix to the cache and read 500 from it.
    const decoder = new AnthropicStreamDecoder('claude-sonnet-4-5');
    const frame = (type: string, data: object) => decoder.decode(type, JSON.stringify({ type, ...data }));
    frame('message_start', { message: { usage: { input_tokens: 30, cache_creation_input_tokens: 2_000, cache_read_input_tokens: 500, output_tokens: 1 } } });
    frame('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 40 } });
    const finish = frame('message_stop', {})[0];
    assert.equal(finish.type, 'finish');
    const usage = finish.type === 'finish' ? finish.usage : emptyUsage();
    assert.deepEqual(usage, { inputTokens: 2_530, cachedInputTokens: 500, cacheWriteTokens: 2_000, outputTokens: 40, thinkingTokens: 0 });
    // What an Anthropic client is told stays Anthropic's split.
    assert.deepEqual(toAnthropicUsage(usage), { input_tokens: 30, cache_creation_input_tokens: 2_000, cache_read_input_tokens: 500, output_tokens: 40 });
    pool.record({ provider: registry.find('claude')!, model: 'claude-sonnet-4-5' }, usage);
    const today = pool.usageToday(provider.id);
    close(today.spend.cacheWriteUsd, (2_000 * 3.75) / 1e6);
    close(today.spend.cachedInputUsd, (500 * 0.3) / 1e6);
    close(today.spend.uncachedInputUsd, (30 * 3) / 1e6);
    close(today.spend.outputUsd, (40 * 15) / 1e6);
  });

  it('token stats carry the spend of priced requests, split, across a restart', async () => {
    const dir = tempDir();
    const clock = new FakeClock(Date.UTC(2030, 0, 15, 12));
    const price = (record: { accountId?: string }) =>
      record.accountId === 'provider:p1' ? spendOf({ inputTokens: 100, cachedInputTokens: 20, outputTokens: 60 }, SONNET) : undefined;
    const settings = { journalFlushMs: 60_000, snapshotIntervalMs: 3_600_000 };
    const open = () => TokenStats.open({ dir, logger: silentLogger, clock, settings, price });
    const query = (stats: TokenStats) => stats.query({ from: Date.UTC(2030, 0, 15), to: Date.UTC(2030, 0, 16), granularity: 'day', groupBy: 'account' }).series;

    const first = await open();
    first.record(finishedRequest({ accountId: 'provider:p1', accountEmail: 'provider paid' }));
    first.record(finishedRequest());
    const expected = spendOf({ inputTokens: 100, cachedInputTokens: 20, outputTokens: 60 }, SONNET);
    const check = (series: ReturnType<typeof query>) => {
      const paid = series.find((s) => s.key === 'provider paid')!;
      assert.deepEqual(paid.total.spend, expected);
      close(paid.total.spendUsd, totalSpend(expected));
      assert.equal(series.find((s) => s.key === 'alice@example.com')!.total.spendUsd, 0, 'the accounts cost nothing');
    };
    check(query(first));
    await first.close(); // journal, then a snapshot
    const reopened = await open();
    check(query(reopened));
    reopened.record(finishedRequest({ accountId: 'provider:p1', accountEmail: 'provider paid' }));
    await reopened.close();
    const third = await open();
    close(query(third).find((s) => s.key === 'provider paid')!.total.spendUsd, 2 * totalSpend(expected));
    await third.close();
  });
});
