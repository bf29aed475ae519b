import assert from 'node:assert/strict';
import { GatewayError } from '../../../src/core/errors';
import type { Usage } from '../../../src/core/ir';
import { silentLogger } from '../../../src/core/ports';
import { PROVIDER_USAGE_DOCUMENT, ProviderPool, ProviderRegistry, candidateStages, type ProviderInput } from '../../../src/core/providers';
import { UpstreamFailure } from '../../../src/core/upstream/failure';
import type { MinimalFetch } from '../../../src/core/upstream/transport';
import { FakeClock, MemoryDocuments, MemorySecrets } from '../accounts/fakes';

/** A models endpoint that lists what each test wants, so the registry needs no network. */
const modelsOf =
  (ids: string[]): MinimalFetch =>
  async () => ({ status: 200, text: async () => JSON.stringify({ data: ids.map((id) => ({ id })) }) });
const usage = (inputTokens: number, outputTokens: number, cachedInputTokens = 0): Usage => ({
  inputTokens,
  cachedInputTokens,
  outputTokens,
  thinkingTokens: 0,
});

describe('providers: the provider pool (candidates, caps, spend, failures)', () => {
  let clock: FakeClock;
  let documents: MemoryDocuments;
  let registry: ProviderRegistry;
  let pool: ProviderPool;

  const add = (input: Partial<ProviderInput> & { name: string }) =>
    registry.add({ kind: 'openai-compatible', key: `sk-${input.name}-0000`, baseUrl: 'http://127.0.0.1:9/v1', ...input });

  beforeEach(async () => {
    clock = new FakeClock({ start: Date.parse('2026-12-07T10:00:00Z') });
    documents = new MemoryDocuments();
    registry = await ProviderRegistry.open({
      documents,
      secrets: new MemorySecrets(),
      fetch: modelsOf(['gpt-4o', 'gpt-4o-mini']),
      clock,
      logger: silentLogger,
    });
    pool = await ProviderPool.open({ registry, documents, clock, logger: silentLogger });
  });

  it('lists the enabled providers serving a model in priority order, and says why the others cannot', async () => {
    await add({ name: 'second', priority: 5 });
    const first = await add({ name: 'first', priority: 1 });
    await add({ name: 'off', enabled: false });
    assert.deepEqual(
      pool.candidates('gpt-4o').usable.map((c) => c.provider.name),
      ['first', 'second'],
    );
    assert.deepEqual(pool.candidates('gpt-4o').skipped, [{ provider: 'off', reason: 'disabled' }]);
    assert.deepEqual(pool.candidates('claude-x').usable, []);
    // `name:model` names one provider and one model.
    assert.deepEqual(
      pool.candidates('first:gpt-4o-mini').usable.map((c) => [c.provider.id, c.model]),
      [[first.id, 'gpt-4o-mini']],
    );
    assert.match(pool.candidates('first:llama').skipped[0].reason, /does not serve llama/);
  });

  it('refuses past the requests/min cap, naming it, and frees up a minute later', async () => {
    await add({ name: 'limited', limits: { requestsPerMinute: 2 } });
    const [candidate] = pool.candidates('gpt-4o').usable;
    pool.admit(candidate, 10);
    pool.admit(candidate, 10);
    assert.throws(
      () => pool.admit(candidate, 10),
      (err: unknown) =>
        err instanceof GatewayError && err.kind === 'rate_limit' && /limited: requests\/min cap of 2 reached/.test(err.message) && err.retryAfterSeconds === 60,
    );
    assert.match(pool.candidates('gpt-4o').skipped[0].reason, /requests\/min cap/);
    await clock.advance(60_001);
    assert.equal(pool.candidates('gpt-4o').usable.length, 1);
  });

  it('prices usage with the defaults or the user table, stops at the daily spend cap mid-run, and starts again the next UTC day', async () => {
    await add({ name: 'paid', limits: { dailySpendCapUsd: 0.05 }, prices: { 'gpt-4o-mini': { input: 1, output: 1 } } });
    const [candidate] = pool.candidates('gpt-4o').usable;
    // gpt-4o defaults to $2.50 in / $10 out per million: 10k in + 2k out = $0.045.
    pool.admit(candidate, 10_000);
    pool.record(candidate, usage(10_000, 2_000));
    assert.ok(Math.abs(pool.usageToday(candidate.provider.id).spendUsd - 0.045) < 1e-9);
    pool.admit(candidate, 1_000);
    pool.record(candidate, usage(1_000, 1_000));
    const refusal = pool.capRefusal(candidate, 100);
    assert.equal(refusal?.cap, 'dailySpendCapUsd');
    assert.match(refusal!.message, /paid: daily spend cap of \$0.05 reached \(\$0.0575 spent today, UTC\)/);
    assert.throws(() => pool.admit(candidate, 100), /daily spend cap/);
    assert.deepEqual(pool.candidates('gpt-4o').usable, []);
    await pool.flush();
    const stored = await documents.read<{ day: string; providers: Record<string, { tokens: number }> }>(PROVIDER_USAGE_DOCUMENT);
    assert.equal(stored?.day, '2026-12-07');
    assert.equal(stored?.providers[candidate.provider.id].tokens, 14_000);
    // Spend survives a restart the same day …
    const reopened = await ProviderPool.open({ registry, documents, clock, logger: silentLogger });
    assert.equal(reopened.capRefusal(candidate, 0)?.cap, 'dailySpendCapUsd');
    // … and a new UTC day starts from zero.
    await clock.advance(14 * 3600_000);
    assert.equal(pool.capRefusal(candidate, 0), undefined);
    assert.equal(pool.usageToday(candidate.provider.id).spendUsd, 0);
  });

  it('counts tokens/day and refuses a spend cap on a model with no price', async () => {
    const local = await registry.add({
      name: 'local',
      kind: 'openai-compatible',
      key: 'k-local-0000',
      baseUrl: 'http://127.0.0.1:9/v1',
      models: ['llama3.1:8b'],
      limits: { tokensPerDay: 1000 },
    });
    const [candidate] = pool.candidates('llama3.1:8b').usable;
    assert.equal(candidate.provider.id, local.id);
    pool.record(candidate, usage(900, 50));
    assert.equal(pool.usageToday(local.id).unpricedTokens, 950);
    assert.equal(pool.capRefusal(candidate, 100)?.cap, 'tokensPerDay');
    await registry.update(local.id, { limits: { dailySpendCapUsd: 1 } });
    assert.match(pool.capRefusal(pool.candidates('llama3.1:8b').usable[0] ?? candidate, 0)!.message, /has no price/);
  });

  it('applies the failure policy: 429 cools down for the wait asked, 401/403 marks the key rejected, 5xx retries with backoff then moves on, 400 fails', async () => {
    await add({ name: 'p' });
    const [candidate] = pool.candidates('gpt-4o').usable;
    const limited = pool.onFailure(candidate, new UpstreamFailure('rate_limited', 'slow down', { retryAfterMs: 20_000 }), 0);
    assert.equal(limited.action, 'next');
    assert.match(pool.candidates('gpt-4o').skipped[0].reason, /cooling down for 20 s/);
    await clock.advance(20_001);
    assert.equal(pool.candidates('gpt-4o').usable.length, 1);

    assert.deepEqual(pool.onFailure(candidate, new UpstreamFailure('server', 'boom', { status: 500 }), 0), { action: 'retry', delayMs: 500 });
    assert.deepEqual(pool.onFailure(candidate, new UpstreamFailure('capacity', 'overloaded', { status: 529 }), 1), { action: 'retry', delayMs: 1000 });
    assert.equal(pool.onFailure(candidate, new UpstreamFailure('server', 'boom', { status: 500 }), 2).action, 'next');
    assert.deepEqual(pool.onFailure(candidate, new UpstreamFailure('bad_request', 'bad', { status: 400 }), 0), { action: 'fail' });

    const rejected = pool.onFailure(
      candidate,
      new UpstreamFailure('forbidden', 'key rejected: Incorrect API key provided', { status: 401, reason: 'KEY_REJECTED' }),
      0,
    );
    assert.equal(rejected.action, 'next');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(registry.list()[0].state, 'key_rejected');
    assert.equal(registry.list()[0].stateReason, 'Incorrect API key provided');
    assert.match(pool.candidates('gpt-4o').skipped[0].reason, /key rejected: Incorrect API key provided/);
  });

  it('orders the stages by policy; provider:model always goes to that provider', () => {
    assert.deepEqual(candidateStages('pool-only', 'gpt-4o'), [{ kind: 'pool' }]);
    assert.deepEqual(candidateStages('pool-first', 'gpt-4o'), [{ kind: 'pool' }, { kind: 'providers', model: 'gpt-4o' }]);
    assert.deepEqual(candidateStages('provider-only', 'gpt-4o'), [{ kind: 'providers', model: 'gpt-4o' }]);
    assert.deepEqual(candidateStages(['work', 'pool', 'home:gpt-4o-mini'], 'gpt-4o'), [
      { kind: 'providers', model: 'work:gpt-4o' },
      { kind: 'pool' },
      { kind: 'providers', model: 'home:gpt-4o-mini' },
    ]);
    assert.deepEqual(candidateStages('pool-only', 'work:gpt-4o'), [{ kind: 'providers', model: 'work:gpt-4o' }]);
  });
});
