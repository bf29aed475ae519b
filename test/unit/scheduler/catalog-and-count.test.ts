import assert from 'node:assert/strict';
import { createModelCatalog } from '../../../src/core/scheduler/catalog';
import { UpstreamFailure } from '../../../src/core/upstream/failure';
import { chat, harness } from './harness';

const A = 'a@x.com';
const B = 'b@x.com';

describe('model catalog', () => {
  it('lists the live models of every account, then groups and exact aliases', async () => {
    const h = await harness({
      accounts: [
        { email: A, models: [{ id: 'claude-sonnet-4-6', remainingFraction: 1, displayName: 'Claude Sonnet 4.6', maxOutputTokens: 64000 }] },
        { email: B, models: [{ id: 'gemini-3-flash', remainingFraction: 0.5, supportsThinking: true }] },
      ],
      models: {
        aliases: { sonnet: 'claude-sonnet-4-6', 'claude-*': 'claude-sonnet-4-6', broken: 'nowhere' },
        groups: { fast: { strategy: 'ordered', models: ['gemini-3-flash', 'claude-sonnet-4-6'] } },
      },
    });
    const catalog = createModelCatalog({ accounts: h.pool, routing: () => h.settings.models });
    assert.deepEqual(catalog.list(), [
      { id: 'claude-sonnet-4-6', displayName: 'Claude Sonnet 4.6', kind: 'model', outputTokenLimit: 64000 },
      { id: 'gemini-3-flash', displayName: 'gemini-3-flash', kind: 'model', supportsThinking: true },
      { id: 'fast', displayName: 'fast', kind: 'group', supportsThinking: true, target: ['gemini-3-flash', 'claude-sonnet-4-6'] },
      { id: 'sonnet', displayName: 'sonnet', kind: 'alias', outputTokenLimit: 64000, target: ['claude-sonnet-4-6'] },
    ]);
  });

  it('answers for names only a pattern alias knows, and not for unknown ones', async () => {
    const h = await harness({ accounts: [A] });
    const catalog = createModelCatalog({ accounts: h.pool, routing: () => h.settings.models });
    assert.deepEqual(catalog.get('claude-sonnet-4-5-20250929')?.target, ['claude-sonnet-4-6']);
    assert.equal(catalog.get('claude-sonnet-4-5-20250929')?.kind, 'alias');
    assert.equal(catalog.get('gemini-3-flash')?.kind, 'model');
    assert.equal(catalog.get('llama-3-70b'), undefined);
  });

  it('is empty without accounts', async () => {
    const h = await harness({ accounts: [] });
    assert.deepEqual(createModelCatalog({ accounts: h.pool, routing: () => h.settings.models }).list(), []);
  });
});

describe('token counting', () => {
  it('asks the upstream with one account', async () => {
    const h = await harness({ accounts: [A, B] });
    h.upstream.countResult = 1234;
    assert.deepEqual(await h.dispatcher.countTokens(chat('count me'), new AbortController().signal), { inputTokens: 1234, estimated: false });
    assert.equal(h.upstream.calls.length, 1);
    assert.equal(h.upstream.calls[0].call.model, 'claude-sonnet-4-6');
  });

  it('falls back to a local estimate (chars / 4) when the upstream fails', async () => {
    const h = await harness({ accounts: [A] });
    h.upstream.countResult = new UpstreamFailure('server', '500');
    const count = await h.dispatcher.countTokens(chat('x'.repeat(400)), new AbortController().signal);
    assert.deepEqual(count, { inputTokens: 100, estimated: true });
  });

  it('estimates without any account', async () => {
    const h = await harness({ accounts: [] });
    const count = await h.dispatcher.countTokens(chat('x'.repeat(40), { system: [{ type: 'text', text: 'y'.repeat(40) }] }), new AbortController().signal);
    assert.deepEqual(count, { inputTokens: 20, estimated: true });
  });
});
