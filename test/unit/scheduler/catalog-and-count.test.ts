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

  it('lists provider models beside the live ones, and groups whose members are provider models', async () => {
    const h = await harness({
      accounts: [{ email: A, models: [{ id: 'gemini-3-flash', remainingFraction: 1 }] }],
      models: {
        aliases: { cheap: 'paid:gpt-4o-mini' },
        groups: { mixed: { strategy: 'ordered', models: ['paid:gpt-4o', 'gemini-3-flash'] }, paidOnly: { strategy: 'ordered', models: ['paid:gpt-4o-mini'] } },
      },
    });
    const providerModels = () => [
      { id: 'paid:gpt-4o', displayName: 'gpt-4o (paid)', kind: 'model' as const },
      { id: 'paid:gpt-4o-mini', displayName: 'gpt-4o-mini (paid)', kind: 'model' as const },
      // A plain id the policy sends to a provider; the accounts' own entry wins where both serve it.
      { id: 'gemini-3-flash', displayName: 'gemini-3-flash', kind: 'model' as const },
    ];
    const catalog = createModelCatalog({ accounts: h.pool, routing: () => h.settings.models, providerModels });
    assert.deepEqual(
      catalog.list().map((m) => [m.id, m.kind, m.target]),
      [
        ['gemini-3-flash', 'model', undefined],
        ['paid:gpt-4o', 'model', undefined],
        ['paid:gpt-4o-mini', 'model', undefined],
        ['mixed', 'group', ['paid:gpt-4o', 'gemini-3-flash']],
        ['paidOnly', 'group', ['paid:gpt-4o-mini']],
        ['cheap', 'alias', ['paid:gpt-4o-mini']],
      ],
    );
    assert.equal(catalog.get('paid:gpt-4o')?.displayName, 'gpt-4o (paid)');
    assert.equal(catalog.get('paidOnly')?.kind, 'group');
    // Without the provider (removed or disabled), its models and the groups made only of them are gone.
    const bare = createModelCatalog({ accounts: h.pool, routing: () => h.settings.models, providerModels: () => [] });
    assert.deepEqual(
      bare.list().map((m) => m.id),
      ['gemini-3-flash', 'mixed'],
    );
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
