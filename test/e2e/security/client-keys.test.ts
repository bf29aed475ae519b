import assert from 'node:assert/strict';
import { startStack, type Stack } from '../../helpers/stack';
import { assertProtocolError, PROTOCOL_CALLS, send, type ProtocolCall } from './protocol-calls';

const [anthropic, openai, gemini] = PROTOCOL_CALLS;
const withModel = (call: ProtocolCall, model: string): ProtocolCall => ({ ...call, body: { ...(call.body as object), model } });

describe('security: client keys', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ flags: { authMode: 'strict' } });
  });
  after(() => stack.close());

  it('are shown once and listed without the secret', async () => {
    const { id, key } = await stack.agate.security.keys.create({ name: 'listed' });
    assert.match(key, /^sk-agate-[0-9a-f]{16}_[0-9a-f]{48}$/);
    const listed = (await stack.agate.security.keys.list()).find((entry) => entry.id === id);
    assert.ok(listed);
    assert.equal(listed.name, 'listed');
    assert.ok(!JSON.stringify(listed).includes(key.slice(-40)), 'the listing must not contain the secret');
    assert.ok(key.endsWith(listed.hint.slice(-4)));
  });

  it('refuse a second key of the same name', async () => {
    await stack.agate.security.keys.create({ name: 'twice' });
    await assert.rejects(stack.agate.security.keys.create({ name: 'Twice' }), /already exists/);
  });

  it('only reach the models they are allowed, in the client protocol shape', async () => {
    const { key } = await stack.agate.security.keys.create({ name: 'gemini-only', allowedModels: ['gemini-3*'] });
    const refused = await send(stack.url, anthropic, key, 'x-api-key');
    assert.equal(refused.status, 403);
    assert.match(assertProtocolError('anthropic', 403, await refused.json()), /may not use the model "claude-sonnet-4-6"/);
    assert.equal((await send(stack.url, openai, key)).status, 200);
    assert.equal((await send(stack.url, gemini, key, 'x-goog-api-key')).status, 200);
    const openaiRefused = await send(stack.url, withModel(openai, 'gemini-2.5-pro'), key);
    assert.equal(openaiRefused.status, 403);
    assertProtocolError('openai', 403, await openaiRefused.json());
  });

  it('are checked against the model actually sent upstream (after built-in aliases), in the protocol shape', async () => {
    const { key } = await stack.agate.security.keys.create({ name: 'flash-star', allowedModels: ['gemini-3-flash*'] });
    // `gemini-3-flash-pro-low` fits the pattern by name but is a built-in alias of gemini-3.1-pro-low.
    const asked = 'gemini-3-flash-pro-low';
    const generations = () => stack.sim.log.filter((entry) => /generateContent|countTokens/i.test(entry.method)).length;
    const before = generations();
    const viaOpenai = await send(stack.url, withModel(openai, asked), key);
    assert.equal(viaOpenai.status, 403);
    const message = assertProtocolError('openai', 403, await viaOpenai.json());
    assert.match(message, /may not use the model "gemini-3-flash-pro-low"/);
    assert.ok(!message.includes('gemini-3.1-pro-low'), 'the refusal names no model outside the allowance');
    const viaAnthropic = await send(stack.url, withModel(anthropic, asked), key, 'x-api-key');
    assert.equal(viaAnthropic.status, 403);
    assertProtocolError('anthropic', 403, await viaAnthropic.json());
    const viaGemini = await send(stack.url, { ...gemini, path: `/v1beta/models/${asked}:generateContent` }, key, 'x-goog-api-key');
    assert.equal(viaGemini.status, 403);
    assertProtocolError('gemini', 403, await viaGemini.json());
    const count = await send(stack.url, { ...gemini, path: `/v1beta/models/${asked}:countTokens` }, key, 'x-goog-api-key');
    assert.equal(count.status, 403);
    assert.equal(generations(), before, 'nothing reached the upstream');
    // An alias that stays inside the allowance is served.
    assert.equal((await send(stack.url, withModel(openai, 'gemini-3-flash-preview'), key)).status, 200);
  });

  it('are checked against every member of a model group', async () => {
    stack.config.models.groups = { 'team-fast': { strategy: 'ordered', models: ['gemini-3-flash', 'gemini-3.1-pro-high'] } };
    try {
      const { key: groupOnly } = await stack.agate.security.keys.create({ name: 'group-only', allowedModels: ['team-fast'] });
      const refused = await send(stack.url, withModel(openai, 'team-fast'), groupOnly);
      assert.equal(refused.status, 403);
      assertProtocolError('openai', 403, await refused.json());
      const { key: members } = await stack.agate.security.keys.create({
        name: 'group-and-members',
        allowedModels: ['team-fast', 'gemini-3-flash', 'gemini-3.1-pro-high'],
      });
      assert.equal((await send(stack.url, withModel(openai, 'team-fast'), members)).status, 200);
    } finally {
      stack.config.models.groups = {};
    }
  });

  it("keep Claude Code's background requests on the model asked for when the key may not use the background model", async () => {
    const warmup = { ...anthropic, body: { model: 'claude-sonnet-4-6', max_tokens: 16, messages: [{ role: 'user', content: 'Warmup' }] } };
    const upstreamModels = () => stack.sim.log.filter((entry) => /generateContent/i.test(entry.method)).map((entry) => entry.model);
    const { key: sonnetOnly } = await stack.agate.security.keys.create({ name: 'sonnet-only', allowedModels: ['claude-sonnet-4-6'] });
    let before = upstreamModels().length;
    assert.equal((await send(stack.url, warmup, sonnetOnly, 'x-api-key')).status, 200);
    assert.deepEqual(upstreamModels().slice(before), ['claude-sonnet-4-6'], 'not the background model the key may not use');
    const { key: withFlash } = await stack.agate.security.keys.create({ name: 'sonnet-and-flash', allowedModels: ['claude-sonnet-4-6', 'gemini-3-flash'] });
    before = upstreamModels().length;
    assert.equal((await send(stack.url, warmup, withFlash, 'x-api-key')).status, 200);
    assert.deepEqual(upstreamModels().slice(before), ['gemini-3-flash'], 'the background model, which this key may use');
  });

  it("list only the key's own models in a 404 for a model that does not exist", async () => {
    const { key } = await stack.agate.security.keys.create({ name: 'narrow', allowedModels: ['gemini-3-flash', 'made-up-*'] });
    const res = await send(stack.url, withModel(openai, 'made-up-model'), key);
    assert.equal(res.status, 404);
    const message = assertProtocolError('openai', 404, await res.json());
    assert.match(message, /available: gemini-3-flash$/);
    assert.doesNotMatch(message, /claude|pro-high|gpt-oss/);
    const primary = await stack.agate.security.primaryKey();
    const unrestricted = await send(stack.url, withModel(openai, 'made-up-model'), primary);
    assert.equal(unrestricted.status, 404);
    assert.match(assertProtocolError('openai', 404, await unrestricted.json()), /claude/, 'the owner sees every model');
  });

  it('see only their models in the model lists, and count tokens only for them', async () => {
    const { key } = await stack.agate.security.keys.create({ name: 'flash-only', allowedModels: ['gemini-3-flash'] });
    const primary = await stack.agate.security.primaryKey();
    const ids = async (path: string, headers: Record<string, string>, field: 'id' | 'name') => {
      const res = await fetch(`${stack.url}${path}`, { headers });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { data?: Array<{ id: string }>; models?: Array<{ name: string }> };
      return (field === 'id' ? body.data!.map((m) => m.id) : body.models!.map((m) => m.name)).sort();
    };
    assert.deepEqual(await ids('/v1/models', { authorization: `Bearer ${key}` }, 'id'), ['gemini-3-flash']);
    assert.deepEqual(await ids('/v1beta/models', { 'x-goog-api-key': key }, 'name'), ['models/gemini-3-flash']);
    assert.ok((await ids('/v1/models', { authorization: `Bearer ${primary}` }, 'id')).length > 1, 'the primary key sees every model');
    assert.equal((await fetch(`${stack.url}/v1/models/claude-sonnet-4-6`, { headers: { authorization: `Bearer ${key}` } })).status, 404);

    const count = (model: string) =>
      fetch(`${stack.url}/v1/messages/count_tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': key },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
      });
    const refused = await count('claude-sonnet-4-6');
    assert.equal(refused.status, 403);
    assert.match(assertProtocolError('anthropic', 403, await refused.json()), /may not use the model "claude-sonnet-4-6"/);
    assert.equal((await count('gemini-3-flash')).status, 200);
    const geminiCount = await fetch(`${stack.url}/v1beta/models/gemini-3.1-pro-high:countTokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': key },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    });
    assert.equal(geminiCount.status, 403);
    assertProtocolError('gemini', 403, await geminiCount.json());
  });

  it('stop at their requests-per-day limit with 429 and Retry-After', async () => {
    const { key } = await stack.agate.security.keys.create({ name: 'two-a-day', limits: { requestsPerDay: 2 } });
    assert.equal((await send(stack.url, openai, key)).status, 200);
    assert.equal((await send(stack.url, openai, key)).status, 200);
    const third = await send(stack.url, gemini, key);
    assert.equal(third.status, 429);
    const retryAfter = Number(third.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 86_400, `retry-after ${retryAfter}`);
    assert.match(assertProtocolError('gemini', 429, await third.json()), /limit of 2 requests per day/);
  });

  it('stop once their tokens per day are used up', async () => {
    const { key } = await stack.agate.security.keys.create({ name: 'tiny-budget', limits: { tokensPerDay: 1 } });
    assert.equal((await send(stack.url, anthropic, key)).status, 200);
    const next = await send(stack.url, anthropic, key);
    assert.equal(next.status, 429);
    assert.match(assertProtocolError('anthropic', 429, await next.json()), /tokens per day/);
  });

  it('refuse a request beyond their concurrency limit while another is in flight', async () => {
    const { key } = await stack.agate.security.keys.create({ name: 'one-at-a-time', limits: { maxConcurrent: 1 } });
    // The first answer is held back long enough for the refusal, which never reaches the upstream, to come first.
    stack.sim.configure({ firstByteDelayMs: 2_000 });
    const mark = stack.sim.log.at(-1)?.id ?? 0;
    try {
      const first = send(stack.url, openai, key);
      await stack.sim.waitForLog((entry) => entry.id > mark && /generateContent/i.test(entry.method)); // in flight
      const second = await send(stack.url, openai, key);
      assert.equal(second.status, 429);
      assert.match(assertProtocolError('openai', 429, await second.json()), /1 concurrent requests/);
      assert.equal((await first).status, 200);
    } finally {
      stack.sim.configure({ firstByteDelayMs: 0 });
    }
    assert.equal((await send(stack.url, openai, key)).status, 200, 'the slot is free again once the first answer is done');
  });

  it('stop working when revoked, and rotate to a new secret under the same name', async () => {
    const { id, key } = await stack.agate.security.keys.create({ name: 'rotating' });
    const { key: rotated } = await stack.agate.security.keys.rotate(id);
    assert.notEqual(rotated, key);
    assert.equal((await send(stack.url, openai, key)).status, 401);
    assert.equal((await send(stack.url, openai, rotated)).status, 200);
    await stack.agate.security.keys.revoke(id);
    assert.equal((await send(stack.url, openai, rotated)).status, 401);
    assert.ok(!(await stack.agate.security.keys.list()).some((entry) => entry.id === id));
  });

  it('count their usage in the token stats and the monitor, under the key name', async () => {
    const { id, key } = await stack.agate.security.keys.create({ name: 'accounted' });
    assert.equal((await send(stack.url, gemini, key)).status, 200);
    assert.equal((await send(stack.url, anthropic, key, 'x-api-key')).status, 200);
    const stats = stack.agate.observability!.stats.query({
      from: Date.now() - 3_600_000,
      to: Date.now() + 3_600_000,
      granularity: 'hour',
      groupBy: 'clientKey',
    });
    const series = stats.series.find((entry) => entry.key === 'accounted');
    assert.ok(series, `series: ${stats.series.map((entry) => entry.key).join(', ')}`);
    assert.equal(series.total.requests, 2);
    assert.ok(stack.agate.observability!.monitor.list().some((record) => record.clientKey === 'accounted'));
    const listed = (await stack.agate.security.keys.list()).find((entry) => entry.id === id)!;
    assert.equal(listed.today.requests, 2);
    assert.ok(listed.today.tokens > 0);
  });

  it('cannot be created with a reserved name, a bad limit or a bad model list', async () => {
    await assert.rejects(stack.agate.security.keys.create({ name: 'primary' }), /reserved/);
    await assert.rejects(stack.agate.security.keys.create({ name: 'x', limits: { requestsPerMinute: 0 } }), /positive integer/);
    await assert.rejects(stack.agate.security.keys.create({ name: 'y', allowedModels: [''] }), /allowedModels/);
  });
});
