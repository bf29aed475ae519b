import assert from 'node:assert/strict';
import { GatewayError } from '../../../src/core/errors';
import { silentLogger } from '../../../src/core/ports';
import { ProviderRegistry, PROVIDERS_DOCUMENT, costOf, defaultPrice, providerKeyName, type ProviderInput } from '../../../src/core/providers';
import type { MinimalFetch } from '../../../src/core/upstream/transport';
import { startSimulator, type Simulator } from '../../../src/simulator';
import { TestClock } from '../../helpers/test-clock';
import { MemoryDocuments, MemorySecrets } from '../accounts/fakes';

const viaFetch: MinimalFetch = async (url, init) => {
  const response = await fetch(url, { method: init.method, headers: init.headers, body: init.body, signal: init.signal ?? undefined });
  return { status: response.status, text: () => response.text() };
};

const ANTHROPIC_KEY = 'sk-ant-registry-0001';
const OPENAI_KEY = 'sk-openai-registry-0001';
const GEMINI_KEY = 'AIza-registry-0001';

describe('providers: the registry', () => {
  let sim: Simulator;
  let documents: MemoryDocuments;
  let secrets: MemorySecrets;
  let registry: ProviderRegistry;
  const open = () => ProviderRegistry.open({ documents, secrets, fetch: viaFetch, clock: new TestClock(), logger: silentLogger });

  before(async () => {
    sim = await startSimulator();
    sim.addProviderKey({ provider: 'anthropic', key: ANTHROPIC_KEY });
    sim.addProviderKey({ provider: 'openai', key: OPENAI_KEY });
    sim.addProviderKey({ provider: 'gemini-api', key: GEMINI_KEY });
  });
  after(() => sim.close());
  beforeEach(async () => {
    documents = new MemoryDocuments();
    secrets = new MemorySecrets();
    registry = await open();
  });

  const anthropic = (extra: Partial<ProviderInput> = {}): ProviderInput => ({
    name: 'claude-paid',
    kind: 'anthropic',
    key: ANTHROPIC_KEY,
    baseUrl: `${sim.url}/anthropic`,
    ...extra,
  });

  it('adds each kind with the models its models endpoint lists; the key goes to the secret store only', async () => {
    const added = await registry.add(anthropic({ limits: { requestsPerMinute: 30, dailySpendCapUsd: 5 } }));
    assert.equal(added.modelsSource, 'fetched');
    assert.ok(added.models.includes('claude-sonnet-4-6'));
    assert.deepEqual(added.limits, { requestsPerMinute: 30, dailySpendCapUsd: 5 });
    assert.equal(added.keyHint, '0001');
    assert.equal(await secrets.get(providerKeyName(added.id)), ANTHROPIC_KEY);
    const stored = await documents.read<unknown>(PROVIDERS_DOCUMENT);
    assert.ok(!JSON.stringify(stored).includes(ANTHROPIC_KEY), 'the document never holds the key');
    assert.ok(!JSON.stringify(added).includes(ANTHROPIC_KEY), 'the view never holds the key');

    const openai = await registry.add({ name: 'openai', kind: 'openai-compatible', key: OPENAI_KEY, baseUrl: `${sim.url}/openai/v1/` });
    assert.equal(openai.baseUrl, `${sim.url}/openai/v1`);
    assert.ok(openai.models.includes('gpt-4o'));
    const gemini = await registry.add({ name: 'studio', kind: 'gemini-api', key: GEMINI_KEY, baseUrl: `${sim.url}/gemini-api` });
    assert.ok(gemini.models.includes('gemini-2.5-flash'));
    assert.ok(gemini.models.every((m) => !m.startsWith('models/')));
    assert.deepEqual(
      registry.list().map((p) => [p.name, p.priority]),
      [
        ['claude-paid', 0],
        ['openai', 1],
        ['studio', 2],
      ],
    );
    // A fresh registry over the same stores reads them back.
    const reopened = await open();
    assert.deepEqual(reopened.list(), registry.list());
  });

  it('refuses a rejected key with the provider message and stores nothing', async () => {
    await assert.rejects(registry.add(anthropic({ key: 'sk-ant-wrong-key' })), (err: unknown) => {
      assert.ok(err instanceof GatewayError);
      assert.equal(err.kind, 'invalid_request');
      assert.equal(err.param, 'key');
      assert.match(err.message, /key rejected by .*: invalid x-api-key/);
      return true;
    });
    assert.equal(registry.list().length, 0);
    assert.equal(secrets.values.size, 0);
  });

  it('takes listed models when the endpoint is missing, and says why when nothing is listed', async () => {
    const listed = await registry.add({ name: 'local', kind: 'openai-compatible', key: OPENAI_KEY, baseUrl: `${sim.url}/nowhere/v1`, models: ['llama3.1:8b'] });
    assert.equal(listed.modelsSource, 'listed');
    assert.deepEqual(listed.models, ['llama3.1:8b']);
    await assert.rejects(
      registry.add({ name: 'local2', kind: 'openai-compatible', key: OPENAI_KEY, baseUrl: `${sim.url}/nowhere/v1` }),
      /cannot list the models: .*answered 404.*name them with "models"/,
    );
    await assert.rejects(registry.add({ name: 'x', kind: 'openai-compatible', key: OPENAI_KEY }), /needs a base URL/);
  });

  it('checks names, URLs, limits and prices', async () => {
    await registry.add(anthropic());
    await assert.rejects(registry.add(anthropic({ name: 'Claude-Paid' })), /a provider named "Claude-Paid" exists/);
    await assert.rejects(registry.add(anthropic({ name: 'has space' })), /provider name is/);
    await assert.rejects(registry.add(anthropic({ name: 'b', baseUrl: 'ftp://x' })), /must be http or https/);
    await assert.rejects(registry.add(anthropic({ name: 'c', baseUrl: 'https://u:p@x.test' })), /must not carry credentials/);
    await assert.rejects(registry.add(anthropic({ name: 'd', limits: { requestsPerMinute: 1.5 } })), /whole number/);
    await assert.rejects(registry.add(anthropic({ name: 'e', limits: { dailySpendCapUsd: -1 } })), /positive number/);
    await assert.rejects(registry.add(anthropic({ name: 'f', prices: { m: { input: 1 } as never } })), /prices\.m\.output/);
  });

  it('enables, disables, edits prices and limits, replaces the key (checked first), removes with the key', async () => {
    const added = await registry.add(anthropic());
    assert.equal((await registry.update(added.name, { enabled: false })).enabled, false);
    const priced = await registry.update(added.id, {
      prices: { 'claude-sonnet-4-6': { input: 3, output: 15, cachedInput: 0.3 } },
      limits: { tokensPerDay: 1000 },
    });
    assert.deepEqual(priced.effectivePrices['claude-sonnet-4-6'], { input: 3, output: 15, cachedInput: 0.3, source: 'user' });
    assert.deepEqual(priced.limits, { tokensPerDay: 1000 });
    await assert.rejects(registry.update(added.id, { key: 'sk-ant-bad' }), /key rejected/);
    assert.equal(await secrets.get(providerKeyName(added.id)), ANTHROPIC_KEY, 'a rejected replacement leaves the old key');
    sim.addProviderKey({ provider: 'anthropic', key: 'sk-ant-second-9999' });
    assert.equal((await registry.update(added.id, { key: 'sk-ant-second-9999' })).keyHint, '9999');
    await registry.markKeyRejected(added.id, 'invalid x-api-key');
    assert.equal(registry.list()[0].state, 'key_rejected');
    assert.equal((await registry.refreshModels(added.id)).state, 'active');
    await registry.remove(added.name);
    assert.equal(registry.list().length, 0);
    assert.equal(secrets.values.size, 0);
    await assert.rejects(registry.remove('nope'), (err: unknown) => err instanceof GatewayError && err.kind === 'not_found');
  });

  it('prices well-known models by default, dated snapshots and routed ids included', () => {
    assert.deepEqual(defaultPrice('claude-haiku-4-5-20251001'), defaultPrice('claude-haiku-4-5'));
    assert.deepEqual(defaultPrice('openai/gpt-4o-mini'), defaultPrice('gpt-4o-mini'));
    assert.deepEqual(defaultPrice('gpt-4o-2024-08-06'), defaultPrice('gpt-4o'));
    assert.equal(defaultPrice('my-local-model'), undefined);
    assert.equal(defaultPrice('claude-sonnet-4-6'), undefined, 'another version is another model');
    // 1M plain input at $3, 1M cached at $0.30, 1M output at $15.
    assert.equal(costOf({ inputTokens: 2_000_000, cachedInputTokens: 1_000_000, outputTokens: 1_000_000 }, { input: 3, output: 15, cachedInput: 0.3 }), 18.3);
  });
});
