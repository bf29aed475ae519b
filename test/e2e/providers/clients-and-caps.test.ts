/**
 * Providers with real clients across protocols and under caps: @google/genai
 * and the Codex CLI (Responses → chat) to an OpenAI-compatible provider; the
 * daily spend cap reached mid-run (the next request goes to the next
 * provider, then fails naming the caps; the spend shows in the token stats);
 * the model lists with provider models, for an open and a restricted key.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { GoogleGenAI } from '@google/genai' with { 'resolution-mode': 'import' };
import OpenAI from 'openai';
import { startStack, type Stack } from '../../helpers/stack';
import { CodexHarness } from '../codex/run-codex';

describe('providers: real clients across protocols, and caps', function () {
  this.timeout(60_000);
  let stack: Stack;
  let GenAI: typeof GoogleGenAI;
  before(async () => {
    GenAI = (await import('@google/genai')).GoogleGenAI;
    stack = await startStack({
      configure: (config) => {
        config.models.providerPolicy = { 'gpt-4.1': 'provider-only' };
      },
    });
    stack.sim.addProviderKey({ provider: 'openai', key: 'sk-oai-cc-0001', name: 'key-one' });
    stack.sim.addProviderKey({ provider: 'openai', key: 'sk-oai-cc-0002', name: 'key-two' });
    await stack.agate.admin.call('addProvider', {
      name: 'oai',
      kind: 'openai-compatible',
      key: 'sk-oai-cc-0001',
      baseUrl: `${stack.sim.url}/openai/v1`,
      priority: 1,
    });
    await stack.agate.admin.call('addProvider', {
      name: 'oai2',
      kind: 'openai-compatible',
      key: 'sk-oai-cc-0002',
      baseUrl: `${stack.sim.url}/openai/v1`,
      priority: 2,
    });
  });
  after(() => stack.close());
  beforeEach(() => stack.sim.reset());

  const chatCalls = () => stack.sim.log.filter((entry) => entry.label === 'openai' && entry.method === 'chat.completions');

  it('@google/genai reaches an OpenAI-compatible provider by provider:model, whole and streamed', async () => {
    const genai = new GenAI({ apiKey: 'unused', httpOptions: { baseUrl: stack.url } });
    const whole = await genai.models.generateContent({ model: 'oai:gpt-4o-mini', contents: 'Hello Gemini client' });
    assert.equal(whole.text, 'Hello from gpt-4o-mini. You said: Hello Gemini client');
    assert.ok((whole.usageMetadata?.promptTokenCount ?? 0) > 0, 'usage crosses back into Gemini shape');
    let text = '';
    for await (const chunk of await genai.models.generateContentStream({ model: 'oai:gpt-4o-mini', contents: '[[sim:words 9]]' })) text += chunk.text ?? '';
    assert.equal(text.split(' ').length, 9);
    const calls = chatCalls();
    assert.equal(calls.length, 2);
    assert.equal((calls[0].body as { model: string }).model, 'gpt-4o-mini', 'the provider gets its own model id, in chat completions');
    assert.ok(
      stack.sim.log.every((entry) => entry.label === 'openai'),
      'no Cloud Code request',
    );
  });

  it('the Codex CLI (Responses) reaches an OpenAI-compatible provider (chat completions): an answer, and a shell command it asks for', async () => {
    const codex = new CodexHarness({ gatewayUrl: stack.url, timeoutMs: 40_000 });
    try {
      const plain = await codex.exec('oai:gpt-4o', 'Count for me, please. [[sim:words 5]]');
      assert.equal(plain.exitCode, 0, plain.stderr);
      assert.equal(plain.answer, 'word1 word2 word3 word4 word5');
      assert.equal((chatCalls()[0].body as { model: string }).model, 'gpt-4o');

      stack.sim.reset();
      const command = 'echo agate-provider-ok > marker.txt && cat marker.txt';
      const run = await codex.exec('oai:gpt-4o', `Create the marker file. [[sim:call exec_command ${JSON.stringify({ cmd: command })}]]`);
      assert.equal(run.exitCode, 0, run.stderr);
      assert.equal(fs.readFileSync(path.join(run.workDir, 'marker.txt'), 'utf8'), 'agate-provider-ok\n');
      assert.match(run.answer, /agate-provider-ok/);
      const [call, result] = chatCalls().map(
        (entry) => entry.body as { messages: Array<Record<string, unknown>>; tools?: Array<{ function: { name: string } }> },
      );
      assert.ok(
        call.tools?.some((tool) => tool.function.name === 'exec_command'),
        "Codex's tools reach the provider as chat tools",
      );
      const sentBack = result.messages.find((message) => message.role === 'tool');
      assert.match(String(sentBack?.content), /agate-provider-ok/);
    } finally {
      codex.cleanup();
    }
  });

  it('the spend cap reached mid-run: the next request goes to the next provider, then fails naming the caps; the spend shows in token stats', async () => {
    // The earlier tests spent on oai today: the cap is a little above what it has spent so far.
    const spent = (await stack.agate.admin.call('providers', {})).find((provider) => provider.name === 'oai')!.today!.spendUsd;
    const cap = Math.ceil((spent + 0.0001) * 1e6) / 1e6;
    await stack.agate.admin.call('updateProvider', { id: 'oai', limits: { dailySpendCapUsd: cap } });
    await stack.agate.admin.call('updateProvider', { id: 'oai2', limits: { requestsPerMinute: 1 } });
    const openai = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    try {
      // gpt-4.1 goes to the providers by its policy; about 300 words out at $8 per million pass $0.0001.
      await openai.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: '[[sim:words 300]]' }] });
      assert.equal(stack.sim.log.at(-1)!.account, 'key-one');
      const second = await openai.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'And now?' }] });
      assert.equal(second.choices[0].message.content, 'Hello from gpt-4.1. You said: And now?');
      assert.equal(stack.sim.log.at(-1)!.account, 'key-two', 'over its cap, oai is skipped like an exhausted account');
      await assert.rejects(openai.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'Once more' }] }), (err: unknown) => {
        assert.ok(err instanceof OpenAI.APIError);
        assert.equal(err.status, 429);
        assert.ok(err.message.includes(`oai: daily spend cap of $${cap} reached`), err.message);
        assert.match(err.message, /oai2: requests\/min cap of 1 reached/);
        return true;
      });

      const oai = (await stack.agate.admin.call('providers', {})).find((provider) => provider.name === 'oai')!;
      assert.equal(oai.status?.kind, 'capped');
      assert.ok(oai.today!.spendUsd >= cap);
      const stats = await stack.agate.admin.call('stats', { groupBy: 'account' });
      const series = stats.series.find((entry) => entry.key === 'provider oai');
      assert.ok(series, stats.series.map((entry) => entry.key).join(', '));
      assert.ok(Math.abs(series.total.spendUsd - oai.today!.spendUsd) < 1e-9, `${series.total.spendUsd} vs ${oai.today!.spendUsd}`);
      const { uncachedInputUsd, cachedInputUsd, cacheWriteUsd, outputUsd } = series.total.spend;
      assert.ok(uncachedInputUsd > 0 && outputUsd > 0);
      assert.ok(Math.abs(uncachedInputUsd + cachedInputUsd + cacheWriteUsd + outputUsd - series.total.spendUsd) < 1e-12, 'the split adds up to the spend');
      assert.equal(stats.series.find((entry) => entry.key === 'ada@example.com')?.total.spendUsd ?? 0, 0);
    } finally {
      await stack.agate.admin.call('updateProvider', { id: 'oai', limits: {} });
      await stack.agate.admin.call('updateProvider', { id: 'oai2', limits: {} });
    }
  });

  it("/v1/models lists enabled providers' models as provider:model (and plain ids their policy routes), within a restricted key's models", async () => {
    const ids = async (key: string, headers: Record<string, string> = {}) =>
      (
        (await (await fetch(`${stack.url}/v1/models`, { headers: { authorization: `Bearer ${key}`, ...headers } })).json()) as { data: Array<{ id: string }> }
      ).data.map((model) => model.id);
    const all = await ids('unused');
    assert.ok(all.includes('oai:gpt-4o') && all.includes('oai2:gpt-4o-mini'), all.join(', '));
    assert.ok(all.includes('gpt-4.1'), 'gpt-4.1 is routed to the providers by its policy');
    assert.ok(!all.includes('gpt-4o-mini'), 'pool-only: a provider model is listed by its plain id only where the policy routes it');
    assert.ok(all.includes('claude-sonnet-4-6'), "the accounts' models stay");

    await stack.agate.admin.call('providerAction', { id: 'oai2', action: 'disable' });
    try {
      assert.ok(!(await ids('unused')).some((id) => id.startsWith('oai2:')), 'a disabled provider is not listed');
    } finally {
      await stack.agate.admin.call('providerAction', { id: 'oai2', action: 'enable' });
    }

    const { key } = await stack.agate.admin.call('createClientKey', { name: 'oai-only', allowedModels: ['oai:*'] });
    const previous = stack.config.authMode;
    stack.config.authMode = 'strict';
    try {
      const restricted = await ids(key);
      assert.ok(restricted.length > 0);
      assert.ok(
        restricted.every((id) => id.startsWith('oai:')),
        restricted.join(', '),
      );
      // Anthropic's dialect of the same list, and Gemini's, from the same catalogue.
      const anthropic = (await (await fetch(`${stack.url}/v1/models`, { headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01' } })).json()) as {
        data: Array<{ id: string }>;
      };
      assert.deepEqual(anthropic.data.map((model) => model.id).sort(), [...restricted].sort());
      const gemini = (await (await fetch(`${stack.url}/v1beta/models`, { headers: { 'x-goog-api-key': key } })).json()) as { models: Array<{ name: string }> };
      assert.deepEqual(gemini.models.map((model) => model.name.replace(/^models\//, '')).sort(), [...restricted].sort());
    } finally {
      stack.config.authMode = previous;
    }
  });
});
