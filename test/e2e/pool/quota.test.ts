/**
 * Quota against the simulator: the poller reads fetchAvailableModels per
 * account on its interval, a spent model is never scheduled, a 429 refreshes
 * the account's quota at once, and deprecated ids follow their replacement.
 */
import assert from 'node:assert/strict';
import type { AccountView } from '../../../src/core/accounts/types';
import { startStack, type Stack } from '../../helpers/stack';
import { ADA, ask, BOB, echoOf, generations, logMark, viewOf } from './clients';
import { waitUntil } from '../../helpers/wait-until';

const MODEL = 'claude-sonnet-4-6';
const fraction = (view: AccountView, model = MODEL) => view.models.find((m) => m.id === model)?.remainingFraction;

describe('pool: quota', () => {
  let stack: Stack;
  afterEach(() => stack?.close());

  it('polls fetchAvailableModels per account on the interval and shows what it read', async () => {
    stack = await startStack({
      accounts: [ADA, BOB],
      // Below the 10 s the settings accept: the test sets it behind their back.
      configure: (config) => void (config.quota.refreshIntervalMs = 1200),
      simulator: { quotaCostPerRequest: 0.25 },
    });
    const updates: AccountView[] = [];
    stack.agate.pool.on('updated', (view) => updates.push(view));
    const mark = logMark(stack.sim);
    assert.equal(fraction(viewOf(stack, ADA.email)), 1);
    await ask('anthropic', stack, { text: 'spend a quarter' });
    const fetchedBefore = viewOf(stack, ADA.email).quotaFetchedAt!;

    const polled = await Promise.all(
      [ADA, BOB].map((a) => stack.sim.waitForLog((e) => e.id > mark && e.method === 'fetchAvailableModels' && e.account === a.email, 3_000)),
    );
    assert.ok(polled.every((e) => e.status === 200));
    await waitUntil(() => viewOf(stack, ADA.email).quotaFetchedAt! > fetchedBefore, 'the polled quota in the pool');
    const ada = viewOf(stack, ADA.email);
    assert.equal(fraction(ada), 0.75, 'the poll saw the quarter spent upstream');
    assert.equal(fraction(viewOf(stack, BOB.email)), 1);
    assert.ok(ada.quotaFetchedAt! > fetchedBefore);
    assert.ok(ada.models.find((m) => m.id === MODEL)!.resetAt! > Date.now());
    assert.ok(
      updates.some((v) => v.email === ADA.email && fraction(v) === 0.75),
      'hosts heard of it through an event',
    );
    // One fetch per account per interval, not a burst.
    const fetches = stack.sim.log.filter((e) => e.id > mark && e.method === 'fetchAvailableModels');
    assert.ok(fetches.length <= 4, `${fetches.length} fetches`);
  });

  it('never schedules an account whose quota for the model is spent, and uses it for other models', async () => {
    stack = await startStack({ accounts: [{ ...ADA, quota: { [MODEL]: 0 } }, BOB] });
    const ada = viewOf(stack, ADA.email);
    assert.equal(fraction(ada), 0, 'read from a quota entry with a resetTime and no remainingFraction');
    assert.ok(ada.models.find((m) => m.id === MODEL)!.resetAt! > Date.now());
    for (let i = 0; i < 3; i++) await ask('anthropic', stack, { text: `spent ${i}` });
    assert.deepEqual([...new Set(generations(stack.sim).map((e) => e.account))], [BOB.email]);
    const mark = logMark(stack.sim);
    await ask('openai', stack, { text: 'other model' });
    assert.equal(generations(stack.sim, mark)[0].account, ADA.email);
  });

  it('a quota that runs out upstream: 429, next account, the account’s quota refreshed at once', async () => {
    stack = await startStack({
      accounts: [
        { ...ADA, quota: { [MODEL]: 0.01 } },
        { ...BOB, quota: { [MODEL]: 0.01 } },
      ],
      flags: { 'scheduling.mode': 'balance' },
      simulator: { quotaCostPerRequest: 0.01, quotaWindowMs: 3 * 3600_000 },
    });
    // One conversation: its second turn goes back to ada, whose last bit of quota the first turn spent.
    await ask('anthropic', stack, { text: 'last bit of quota', session: 'spend' });
    const mark = logMark(stack.sim);
    const answer = await ask('anthropic', stack, { text: 'quota is gone now', session: 'spend' });
    assert.equal(answer.text, echoOf(MODEL, 'quota is gone now'));
    assert.deepEqual(
      generations(stack.sim, mark).map((e) => [e.account, e.status]),
      [
        [ADA.email, 429],
        [BOB.email, 200],
      ],
    );
    await stack.sim.waitForLog((e) => e.id > mark && e.method === 'fetchAvailableModels' && e.account === ADA.email, 2_000);
    await stack.agate.pool.refreshQuota(viewOf(stack, ADA.email).id);
    const model = viewOf(stack, ADA.email).models.find((m) => m.id === MODEL)!;
    assert.equal(model.remainingFraction, 0);
    assert.equal(model.limit?.kind, 'exhausted');
    assert.ok(Math.abs(model.limit!.until - model.resetAt!) < 1_000, 'the limit ends when the quota data says it resets');
    assert.ok(model.resetAt! > Date.now() + 2 * 3600_000);
  });

  it('honours deprecatedModelIds: old ids reach the upstream as their replacement and are not listed', async () => {
    stack = await startStack({
      configure: (config) => {
        config.models.groups['old-names'] = { strategy: 'ordered', models: ['claude-sonnet-4-5-thinking', 'gemini-3-pro-high'] };
      },
    });
    const direct = await ask('anthropic', stack, { text: 'old opus', model: 'claude-opus-4-5-thinking' });
    assert.equal(direct.error, undefined, JSON.stringify(direct.error));
    const grouped = await ask('openai', stack, { text: 'old group', model: 'old-names' });
    assert.equal(grouped.error, undefined, JSON.stringify(grouped.error));
    assert.deepEqual(
      generations(stack.sim).map((e) => e.model),
      ['claude-opus-4-6-thinking', 'claude-sonnet-4-6'],
    );
    const listed = (await (await fetch(`${stack.url}/v1/models`)).json()) as { data: Array<{ id: string }> };
    const ids = listed.data.map((m) => m.id);
    assert.ok(ids.includes('claude-sonnet-4-6') && ids.includes('old-names'));
    assert.ok(!ids.includes('claude-sonnet-4-5') && !ids.includes('gemini-3-pro-high'));
  });
});
