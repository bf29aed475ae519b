import assert from 'node:assert/strict';
import { SIM_MODELS } from '../../../src/simulator';
import { callMethod, envelope, errorMessage, generate, startHarness, user, type Harness, type Json } from './harness';

const METADATA = { metadata: { ideType: 'ANTIGRAVITY', platform: 'PLATFORM_UNSPECIFIED', pluginType: 'GEMINI' } };

async function json(res: Promise<Response>): Promise<Json> {
  const response = await res;
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as Json;
}

describe('simulator: account methods', () => {
  describe('an onboarded account', () => {
    let h: Harness;
    let clock = Date.parse('2026-11-01T10:00:00Z');
    before(async () => {
      h = await startHarness({ now: () => clock }, { tier: 'g1-pro-tier', quota: { 'gemini-2.5-pro': 0 } });
    });
    after(() => h.sim.close());

    it('loadCodeAssist reports the project, the tier and the paid tier', async () => {
      const body = await json(callMethod(h, 'loadCodeAssist', METADATA));
      assert.equal(body.cloudaicompanionProject, h.project);
      assert.equal(body.currentTier.id, 'standard-tier');
      assert.equal(body.paidTier.id, 'g1-pro-tier');
      assert.deepEqual(
        body.allowedTiers.map((t: Json) => [t.id, t.isDefault]),
        [
          ['free-tier', true],
          ['standard-tier', false],
        ],
      );
    });

    it('fetchAvailableModels lists every model with its limits and the deprecated ids', async () => {
      const body = await json(callMethod(h, 'fetchAvailableModels', { project: h.project }));
      assert.deepEqual(Object.keys(body.models).sort(), SIM_MODELS.map((m) => m.id).sort());
      assert.equal(body.models['claude-sonnet-4-6'].maxOutputTokens, 64000);
      assert.equal(body.models['gpt-oss-120b-medium'].maxOutputTokens, 32768);
      assert.equal(body.models['claude-opus-4-6-thinking'].supportsThinking, true);
      assert.equal(body.models['gemini-3-flash'].quotaInfo.remainingFraction, 1);
      assert.equal(body.deprecatedModelIds['claude-sonnet-4-5'].newModelId, 'claude-sonnet-4-6');
    });

    it('an exhausted model has a resetTime and no remainingFraction, and generation gets QUOTA_EXHAUSTED', async () => {
      const body = await json(callMethod(h, 'fetchAvailableModels', { project: h.project }));
      assert.deepEqual(Object.keys(body.models['gemini-2.5-pro'].quotaInfo), ['resetTime']);
      const res = await generate(h, envelope(h, { contents: [user('hi')] }, 'gemini-2.5-pro'));
      assert.equal(res.status, 429);
      const error = ((await res.json()) as Json).error;
      assert.equal(error.details[0].reason, 'QUOTA_EXHAUSTED');
      assert.equal(error.details[0].metadata.quotaResetTimeStamp, body.models['gemini-2.5-pro'].quotaInfo.resetTime);
    });

    it('remainingFraction falls with use and comes back when the window ends', async () => {
      h.sim.configure({ quotaCostPerRequest: 0.25 });
      const fraction = async () =>
        (await json(callMethod(h, 'fetchAvailableModels', { project: h.project }))).models['claude-sonnet-4-6'].quotaInfo.remainingFraction;
      assert.equal(await fraction(), 1);
      for (let i = 0; i < 3; i += 1) assert.equal((await generate(h, envelope(h, { contents: [user('hi')] }, 'claude-sonnet-4-6'))).status, 200);
      assert.equal(await fraction(), 0.25);
      assert.equal((await generate(h, envelope(h, { contents: [user('hi')] }, 'claude-sonnet-4-6'))).status, 200);
      assert.equal(await fraction(), undefined, 'spent');
      assert.equal((await generate(h, envelope(h, { contents: [user('hi')] }, 'claude-sonnet-4-6'))).status, 429);
      clock += h.sim.config.quotaWindowMs;
      h.token = h.sim.issueAccessToken(h.email); // the old one expired with the hours that passed
      assert.equal(await fraction(), 1);
      assert.equal(h.sim.accounts()[0].quota['claude-sonnet-4-6'], 1);
    });

    it('countTokens counts the contents', async () => {
      const body = await json(callMethod(h, 'countTokens', { request: { model: 'models/gemini-3-flash', contents: [user('x'.repeat(80))] } }));
      assert.deepEqual(body, { totalTokens: 20 });
      assert.equal(h.sim.log[h.sim.log.length - 1].model, 'gemini-3-flash');
      const unknown = await callMethod(h, 'countTokens', { request: { model: 'models/gemini-0', contents: [user('x')] } });
      assert.equal(unknown.status, 404);
      const bare = await callMethod(h, 'countTokens', { request: { model: 'gemini-3-flash', contents: [user('x')] } });
      assert.equal(bare.status, 400);
    });

    it('fetchAvailableModels refuses another project', async () => {
      const res = await callMethod(h, 'fetchAvailableModels', { project: 'not-mine' });
      assert.equal(res.status, 400);
      assert.match(await errorMessage(res), /not-mine/);
    });

    it('requires a bearer token the simulator issued', async () => {
      const missing = await fetch(`${h.sim.url}/daily/v1internal:loadCodeAssist`, { method: 'POST', body: JSON.stringify(METADATA) });
      assert.equal(missing.status, 401);
      assert.match(await errorMessage(missing), /missing required authentication credential/);
      assert.equal((await callMethod(h, 'loadCodeAssist', METADATA, { token: 'ya29.forged' })).status, 401);
    });

    it('answers 404 for unknown methods, paths and verbs, still marked as the simulator', async () => {
      const unknown = await callMethod(h, 'teleport', {});
      assert.equal(unknown.status, 404);
      assert.equal(unknown.headers.get('x-agate-simulator'), '1');
      assert.equal((await fetch(`${h.sim.url}/daily/v1internal:generateContent`)).status, 404);
      assert.equal((await fetch(`${h.sim.url}/a/b/c`)).status, 404);
    });
  });

  describe('an account that still needs onboarding', () => {
    let h: Harness;
    before(async () => {
      h = await startHarness({ config: { onboardingPolls: 2 } }, { onboarded: false, projectId: 'fresh-project-1' });
    });
    after(() => h.sim.close());

    it('has no project until onboardUser completes; polls by re-POST and by GET operation', async () => {
      const before = await json(callMethod(h, 'loadCodeAssist', METADATA));
      assert.equal(before.cloudaicompanionProject, undefined);
      assert.equal(before.currentTier, undefined);
      const refused = await generate(h, envelope(h, { contents: [user('hi')] }));
      assert.equal(refused.status, 400);

      assert.equal((await callMethod(h, 'onboardUser', { tierId: 'ultra-galaxy-tier', ...METADATA })).status, 400);
      const started = await json(callMethod(h, 'onboardUser', { tierId: 'free-tier', ...METADATA }));
      assert.equal(started.done, false);
      assert.match(started.name, /^operations\//);
      const repost = await json(callMethod(h, 'onboardUser', { tierId: 'free-tier', ...METADATA }));
      assert.deepEqual(repost, { name: started.name, done: false });
      const polled = await json(fetch(`${h.sim.url}/prod/v1internal/${started.name}`, { headers: { authorization: `Bearer ${h.token}` } }));
      assert.equal(polled.done, true);
      assert.equal(polled.response.cloudaicompanionProject.id, 'fresh-project-1');
      assert.deepEqual(
        h.sim.log.filter((e) => e.method === 'getOperation').map((e) => e.label),
        ['prod'],
      );

      const after = await json(callMethod(h, 'loadCodeAssist', METADATA));
      assert.equal(after.cloudaicompanionProject, 'fresh-project-1');
      assert.equal(after.currentTier.id, 'free-tier');
      assert.equal((await generate(h, envelope(h, { contents: [user('hi')] }))).status, 200);
    });

    it('an operation of nobody answers 404', async () => {
      const res = await fetch(`${h.sim.url}/prod/v1internal/operations/nope`, { headers: { authorization: `Bearer ${h.token}` } });
      assert.equal(res.status, 404);
    });
  });
});
