import assert from 'node:assert/strict';
import { GatewayError } from '../../../src/core/errors';
import { liveModelsOf, matchAlias, resolveModel, type LiveModels, type ModelRouting } from '../../../src/core/scheduler/model-router';
import { UpstreamFailure } from '../../../src/core/upstream/failure';
import { chat, fail, harness } from './harness';

const LIVE_IDS = [
  'claude-opus-4-6-thinking',
  'claude-sonnet-4-6',
  'gemini-3-flash',
  'gemini-3.1-pro-low',
  'gemini-3.1-pro-high',
  'gemini-3.1-flash-lite',
  'gemini-2.5-flash',
  'gemini-2.5-pro',
  'gemini-3.1-flash-image',
  'gemini-3-pro-image',
  'gpt-oss-120b-medium',
];
const live: LiveModels = { known: true, ids: new Set(LIVE_IDS), deprecated: { 'claude-sonnet-4-5': 'claude-sonnet-4-6' } };
const none: ModelRouting = { aliases: {}, groups: {} };
const first = (model: string, routing = none) => resolveModel(model, routing, live).models[0];

describe('model routing', () => {
  it('passes live model ids through', () => {
    for (const id of LIVE_IDS) assert.equal(first(id), id);
  });

  it('maps the ids clients invent onto live models', () => {
    const cases: Record<string, string> = {
      'claude-sonnet-4-5-20250929': 'claude-sonnet-4-6',
      'claude-sonnet-4-20250514': 'claude-sonnet-4-6',
      'claude-3-7-sonnet-latest': 'claude-sonnet-4-6',
      'claude-opus-4-1-20250805': 'claude-opus-4-6-thinking',
      'claude-opus-4-6': 'claude-opus-4-6-thinking',
      'claude-haiku-4-5-20251001': 'gemini-3-flash',
      'claude-3-5-haiku-20241022': 'gemini-3-flash',
      'gemini-3.8-flash': 'gemini-3-flash',
      'gemini-3-flash-preview': 'gemini-3-flash',
      'gemini-3-pro-preview': 'gemini-3.1-pro-high',
      'gemini-3.1-flash-lite-preview': 'gemini-3.1-flash-lite',
      'gemini-3-pro-image-preview': 'gemini-3-pro-image',
      'gemini-2.5-flash-lite': 'gemini-3.1-flash-lite',
      'gemini-flash-latest': 'gemini-3-flash',
      'gpt-5': 'gemini-3.1-pro-high',
      'gpt-4o-mini': 'gemini-3-flash',
      'gpt-oss-20b': 'gpt-oss-120b-medium',
      'o4-mini': 'gemini-3-flash',
    };
    for (const [invented, expected] of Object.entries(cases)) assert.equal(first(invented), expected, invented);
  });

  it('follows deprecated ids to their replacement (upstream-protocol §4)', () => {
    assert.equal(first('claude-sonnet-4-5'), 'claude-sonnet-4-6');
  });

  it('config aliases win over live ids and defaults; the most specific pattern wins', () => {
    const routing: ModelRouting = {
      aliases: { 'claude-*': 'gemini-2.5-pro', 'claude-sonnet-*': 'gemini-3-flash', 'gemini-3-flash': 'gemini-2.5-flash' },
      groups: {},
    };
    assert.equal(first('claude-opus-4-6-thinking', routing), 'gemini-2.5-pro');
    assert.equal(first('claude-sonnet-4-6', routing), 'gemini-3-flash');
    assert.equal(first('gemini-3-flash', routing), 'gemini-2.5-flash');
    assert.equal(matchAlias('claude-sonnet-4-6', routing.aliases), 'gemini-3-flash');
  });

  it('an unknown model is a 404 that lists what is available', () => {
    assert.throws(
      () => resolveModel('llama-3-70b', { aliases: {}, groups: { smart: { strategy: 'ordered', models: ['gemini-3.1-pro-high'] } } }, live),
      (err: unknown) => {
        assert.ok(err instanceof GatewayError);
        assert.equal(err.kind, 'not_found');
        assert.match(err.message, /^model llama-3-70b not found; available: claude-opus-4-6-thinking, .*gpt-oss-120b-medium, smart$/);
        return true;
      },
    );
  });

  it('an alias to a model no account offers is a 404 naming the alias target', () => {
    assert.throws(() => resolveModel('mine', { aliases: { mine: 'gemini-9-ultra' }, groups: {} }, live), /model mine \(alias of gemini-9-ultra\) not found/);
  });

  it('before any quota is known, names pass through unchecked', () => {
    assert.deepEqual(resolveModel('claude-sonnet-4-5-20250929', none, liveModelsOf([])).models, ['claude-sonnet-4-6']);
    assert.deepEqual(resolveModel('whatever-model', none, liveModelsOf([])).models, ['whatever-model']);
  });

  it('groups expand in order, or shuffled for random groups; aliases may point at groups', () => {
    const routing: ModelRouting = {
      aliases: { 'gpt-5*': 'smart' },
      groups: {
        smart: { strategy: 'ordered', models: ['claude-opus-4-6-thinking', 'gemini-3.1-pro-high', 'not-live'] },
        spread: { strategy: 'random', models: ['gemini-3-flash', 'gemini-2.5-flash'] },
      },
    };
    assert.deepEqual(resolveModel('smart', routing, live).models, ['claude-opus-4-6-thinking', 'gemini-3.1-pro-high']);
    assert.deepEqual(resolveModel('gpt-5-codex', routing, live), {
      requested: 'gpt-5-codex',
      models: ['claude-opus-4-6-thinking', 'gemini-3.1-pro-high'],
      group: 'smart',
    });
    assert.deepEqual(resolveModel('spread', routing, live, () => 0.99).models, ['gemini-3-flash', 'gemini-2.5-flash']);
    assert.deepEqual(resolveModel('spread', routing, live, () => 0).models, ['gemini-2.5-flash', 'gemini-3-flash']);
  });

  describe('through the dispatcher', () => {
    const A = 'a@x.com';
    const B = 'b@x.com';
    const groups = { smart: { strategy: 'ordered' as const, models: ['claude-opus-4-6-thinking', 'gemini-3.1-pro-high'] } };

    it('sends the aliased model upstream and reports it', async () => {
      const h = await harness({ accounts: [A] });
      const run = await h.dispatcher.open(chat('hi', { model: 'claude-sonnet-4-5-20250929' }), new AbortController().signal);
      assert.equal(run.upstreamModel, 'claude-sonnet-4-6');
      assert.equal(h.upstream.calls[0].call.model, 'claude-sonnet-4-6');
      assert.equal(h.upstream.calls[0].call.modelInfo?.maxOutputTokens, 64000);
    });

    it('a group moves to its next model only when no account can take the current one', async () => {
      const h = await harness({ accounts: [A, B], models: { groups } });
      const quota = () => fail(new UpstreamFailure('quota_exhausted', 'QUOTA_EXHAUSTED', { retryAfterMs: 3_600_000 }));
      h.upstream.script(A, quota());
      const onB = await h.dispatcher.open(chat('one', { model: 'smart' }), new AbortController().signal);
      assert.deepEqual([onB.accountEmail, onB.upstreamModel], [B, 'claude-opus-4-6-thinking']);
      h.upstream.script(B, quota());
      const next = await h.dispatcher.open(chat('two', { model: 'smart' }), new AbortController().signal);
      assert.equal(next.upstreamModel, 'gemini-3.1-pro-high');
      assert.deepEqual(
        next.attempts.map((a) => `${a.accountEmail}:${a.model}:${a.outcome}`),
        [`${B}:claude-opus-4-6-thinking:quota_exhausted`, `${A}:gemini-3.1-pro-high:ok`],
      );
    });

    it('an unknown model fails before any account is tried', async () => {
      const h = await harness({ accounts: [A] });
      await assert.rejects(
        h.dispatcher.open(chat('hi', { model: 'llama-3-70b' }), new AbortController().signal),
        (err: unknown) => err instanceof GatewayError && err.kind === 'not_found' && /available: claude-opus/.test(err.message),
      );
      assert.equal(h.upstream.calls.length, 0);
    });
  });
});
