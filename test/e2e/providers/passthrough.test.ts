/**
 * Same-protocol passthrough with the real client SDKs: a client speaking a
 * provider's own protocol reaches it with its body byte for byte (but the
 * model id) and the headers that matter, the answer comes back as the
 * provider sent it, and its usage still counts for the monitor and the spend.
 */
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import type { GoogleGenAI } from '@google/genai' with { 'resolution-mode': 'import' };
import OpenAI from 'openai';
import type { RequestRecord } from '../../../src/core/monitor/types';
import { startStack, type Stack } from '../../helpers/stack';

/** A fetch that remembers the body (as the SDK serialised it) and the headers each call sent. */
function recordingFetch(sent: string[], headers: Headers[] = []): typeof fetch {
  return (input, init) => {
    if (typeof init?.body === 'string') sent.push(init.body);
    headers.push(new Headers(init?.headers));
    return fetch(input, init);
  };
}

describe('providers: same-protocol passthrough', () => {
  let stack: Stack;
  let GenAI: typeof GoogleGenAI;
  before(async () => {
    GenAI = (await import('@google/genai')).GoogleGenAI;
    stack = await startStack({
      configure: (config) => {
        config.models.providerPolicy = { 'gemini-2.5-flash': 'provider-only' };
      },
    });
    stack.sim.addProviderKey({ provider: 'anthropic', key: 'sk-ant-pt-0001', name: 'claude-key' });
    stack.sim.addProviderKey({ provider: 'openai', key: 'sk-oai-pt-0002', name: 'openai-key' });
    stack.sim.addProviderKey({ provider: 'gemini-api', key: 'AIzaPassthrough-0003', name: 'studio-key' });
    await stack.agate.admin.call('addProvider', { name: 'claude-paid', kind: 'anthropic', key: 'sk-ant-pt-0001', baseUrl: `${stack.sim.url}/anthropic` });
    await stack.agate.admin.call('addProvider', { name: 'openai', kind: 'openai-compatible', key: 'sk-oai-pt-0002', baseUrl: `${stack.sim.url}/openai/v1` });
    await stack.agate.admin.call('addProvider', { name: 'studio', kind: 'gemini-api', key: 'AIzaPassthrough-0003', baseUrl: `${stack.sim.url}/gemini-api` });
  });
  after(() => stack.close());
  beforeEach(() => stack.sim.reset());

  const lastRecord = (): RequestRecord => stack.agate.observability!.monitor.list()[0];
  const providerToday = async (name: string) => (await stack.agate.admin.call('providers', {})).find((p) => p.name === name)!.today!;

  it('the Anthropic SDK: the provider receives its body byte for byte but the model, cache_control, metadata and the beta header', async () => {
    const sent: string[] = [];
    const sentHeaders: Headers[] = [];
    const client = new Anthropic({ baseURL: stack.url, apiKey: 'unused', maxRetries: 0, fetch: recordingFetch(sent, sentHeaders) });
    const before = (await providerToday('claude-paid')).requests;
    const message = await client.messages.create(
      {
        model: 'claude-paid:claude-sonnet-4-6',
        max_tokens: 300,
        metadata: { user_id: 'user-42' },
        system: [{ type: 'text', text: 'You are terse. \u00e9\u00e8 \u2603', cache_control: { type: 'ephemeral' } }],
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi there', cache_control: { type: 'ephemeral', ttl: '1h' } }] }],
      },
      { headers: { 'anthropic-beta': 'extended-cache-ttl-2025-04-11,prompt-caching-2024-07-31' } },
    );
    assert.equal(message.content[0].type === 'text' && message.content[0].text, 'Hello from claude-sonnet-4-6. You said: Hi there');
    const entry = stack.sim.log.find((e) => e.label === 'anthropic' && e.method === 'messages')!;
    assert.equal(entry.rawBody, sent[0].replace('"model":"claude-paid:claude-sonnet-4-6"', '"model":"claude-sonnet-4-6"'));
    assert.match(entry.rawBody!, /"cache_control":\{"type":"ephemeral","ttl":"1h"\}/);
    assert.equal(entry.headers!['anthropic-beta'], 'extended-cache-ttl-2025-04-11,prompt-caching-2024-07-31');
    assert.equal(entry.headers!['anthropic-version'], sentHeaders[0].get('anthropic-version'));
    assert.equal(entry.headers!['x-stainless-lang'], undefined, 'SDK telemetry stays behind');
    assert.equal(entry.account, 'claude-key', 'with the provider key, not the client one');
    // The answer is the provider's, usage included; the monitor and the provider's count saw it.
    assert.ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0);
    const record = lastRecord();
    assert.equal(record.accountId?.startsWith('provider:'), true);
    assert.equal(record.attempts.at(-1)!.message, 'passed through (same protocol)');
    assert.equal(record.usage!.outputTokens, message.usage.output_tokens);
    assert.equal(
      record.usage!.inputTokens,
      message.usage.input_tokens + (message.usage.cache_read_input_tokens ?? 0) + (message.usage.cache_creation_input_tokens ?? 0),
    );
    const today = await providerToday('claude-paid');
    assert.equal(today.requests, before + 1);
  });

  it('the Anthropic SDK streamed: the provider SSE comes back untranslated, usage counted from message_start and message_delta', async () => {
    const client = new Anthropic({ baseURL: stack.url, apiKey: 'unused', maxRetries: 0 });
    const tokensBefore = (await providerToday('claude-paid')).tokens;
    const stream = client.messages.stream({
      model: 'claude-paid:claude-sonnet-4-6',
      max_tokens: 300,
      messages: [{ role: 'user', content: '[[sim:words 40]]' }],
    });
    let text = '';
    for await (const event of stream) if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    const final = await stream.finalMessage();
    assert.equal(text.split(' ').length, 40);
    // The provider's own message: its id and its model id, where a translated answer would name the client's model.
    assert.match(final.id, /^msg_sim/);
    assert.equal(final.model, 'claude-sonnet-4-6');
    const record = lastRecord();
    assert.equal(record.stream, true);
    assert.equal(record.usage!.outputTokens, final.usage.output_tokens);
    assert.ok(record.ttfbMs !== undefined);
    const today = await providerToday('claude-paid');
    assert.equal(today.tokens - tokensBefore, record.usage!.inputTokens + record.usage!.outputTokens);
  });

  it('the Anthropic SDK streamed with a cache_control prefix: cache writes, then reads, count in the usage record and price as such in the spend', async () => {
    const client = new Anthropic({ baseURL: stack.url, apiKey: 'unused', maxRetries: 0 });
    // Long enough to be cached (1024 tokens at least); claude-haiku-4-5 has a default price with a cache-write rate.
    const system = [
      { type: 'text' as const, text: `Rules of the house. ${'Answer briefly and politely. '.repeat(300)}`, cache_control: { type: 'ephemeral' as const } },
    ];
    const ask = async () => {
      const spendBefore = (await providerToday('claude-paid')).spend;
      const stream = client.messages.stream({ model: 'claude-paid:claude-haiku-4-5', max_tokens: 300, system, messages: [{ role: 'user', content: 'Hi' }] });
      const final = await stream.finalMessage();
      const spendAfter = (await providerToday('claude-paid')).spend;
      return {
        usage: final.usage,
        record: lastRecord(),
        cacheWriteUsd: spendAfter.cacheWriteUsd - spendBefore.cacheWriteUsd,
        cachedInputUsd: spendAfter.cachedInputUsd - spendBefore.cachedInputUsd,
      };
    };
    const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} ≠ ${expected}`);
    const first = await ask();
    assert.ok((first.usage.cache_creation_input_tokens ?? 0) >= 1024, JSON.stringify(first.usage));
    assert.equal(first.record.usage!.cacheWriteTokens, first.usage.cache_creation_input_tokens);
    close(first.cacheWriteUsd, (first.usage.cache_creation_input_tokens! * 1.25) / 1e6);
    const second = await ask();
    assert.equal(second.usage.cache_read_input_tokens, first.usage.cache_creation_input_tokens);
    assert.equal(second.record.usage!.cacheWriteTokens, 0);
    assert.equal(second.record.usage!.cachedInputTokens, second.usage.cache_read_input_tokens);
    close(second.cacheWriteUsd, 0);
    close(second.cachedInputUsd, (second.usage.cache_read_input_tokens! * 0.1) / 1e6);
  });

  it('the openai SDK, chat streamed, to an OpenAI-compatible provider: body byte for byte but the model, the provider chunks back', async () => {
    const sent: string[] = [];
    const client = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'unused', maxRetries: 0, fetch: recordingFetch(sent) });
    const stream = await client.chat.completions.create({
      model: 'openai:gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: '[[sim:words 15]]' }],
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    assert.equal(text.split(' ').length, 15);
    const entry = stack.sim.log.find((e) => e.label === 'openai' && e.method === 'chat.completions')!;
    assert.equal(entry.rawBody, sent[0].replace('"model":"openai:gpt-4o-mini"', '"model":"gpt-4o-mini"'));
    assert.equal(entry.account, 'openai-key');
    const record = lastRecord();
    assert.equal(record.attempts.at(-1)!.message, 'passed through (same protocol)');
    assert.equal(record.usage!.outputTokens, usage!.completion_tokens);
    assert.equal(record.usage!.inputTokens, usage!.prompt_tokens);
  });

  it('@google/genai to the Gemini API provider, whole and streamed (alt=sse), by its policy: the body unchanged, usage from usageMetadata', async () => {
    const genai = new GenAI({ apiKey: 'unused', httpOptions: { baseUrl: stack.url } });
    const whole = await genai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hello Gemini' });
    assert.equal(whole.text, 'Hello from gemini-2.5-flash. You said: Hello Gemini');
    let record = lastRecord();
    assert.equal(record.attempts.at(-1)!.message, 'passed through (same protocol)');
    assert.equal(record.usage!.inputTokens, whole.usageMetadata!.promptTokenCount);
    let text = '';
    let last: number | undefined;
    for await (const chunk of await genai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: '[[sim:words 12]]' })) {
      text += chunk.text ?? '';
      last = chunk.usageMetadata?.candidatesTokenCount ?? last;
    }
    assert.equal(text.split(' ').length, 12);
    const entries = stack.sim.log.filter((e) => e.label === 'gemini-api');
    assert.deepEqual(
      entries.map((e) => e.method),
      ['generateContent', 'streamGenerateContent'],
    );
    assert.ok(entries.every((e) => e.account === 'studio-key'));
    assert.equal(JSON.parse(entries[1].rawBody!).contents[0].parts[0].text, '[[sim:words 12]]');
    record = lastRecord();
    assert.equal(record.stream, true);
    assert.equal(record.usage!.outputTokens, last);
  });

  it('Gemini JSON-array streaming (no alt) and a whole OpenAI chat answer pass through in their own framing', async () => {
    const body = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: '[[sim:words 9]]' }] }] });
    const response = await fetch(`${stack.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    assert.equal(response.status, 200);
    const chunks = JSON.parse(await response.text()) as Array<{
      candidates: Array<{ content: { parts: Array<{ text?: string }> } }>;
      usageMetadata?: { candidatesTokenCount?: number };
    }>;
    assert.ok(Array.isArray(chunks) && chunks.length >= 2, 'a JSON array of chunks, as Google frames it');
    assert.equal(
      chunks
        .map((chunk) => chunk.candidates[0].content.parts.map((part) => part.text ?? '').join(''))
        .join('')
        .split(' ').length,
      9,
    );
    const entry = stack.sim.log.find((e) => e.label === 'gemini-api')!;
    assert.equal(entry.rawBody, body, 'the body unchanged: the model is in the path');
    assert.equal(lastRecord().usage!.outputTokens, chunks.at(-1)!.usageMetadata!.candidatesTokenCount);

    const client = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const whole = await client.chat.completions.create({ model: 'openai:gpt-4o', messages: [{ role: 'user', content: 'Whole please' }] });
    assert.equal(whole.choices[0].message.content, 'Hello from gpt-4o. You said: Whole please');
    assert.equal(lastRecord().attempts.at(-1)!.message, 'passed through (same protocol)');
    assert.equal(lastRecord().usage!.outputTokens, whole.usage!.completion_tokens);
  });

  it('the gateway budgets and client-key allowances hold before anything is passed through', async () => {
    // Nested past the JSON depth budget, inside a field the gateway would otherwise pass on unread.
    const deep = `${'{"a":'.repeat(200)}1${'}'.repeat(200)}`;
    const body = `{"model":"claude-paid:claude-sonnet-4-6","max_tokens":10,"metadata":${deep},"messages":[{"role":"user","content":"x"}]}`;
    const refused = await fetch(`${stack.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body,
    });
    assert.equal(refused.status, 400);
    assert.match(((await refused.json()) as { error: { message: string } }).error.message, /nests arrays and objects more than 128 levels deep/);

    const { key } = await stack.agate.admin.call('createClientKey', { name: 'openai-only', allowedModels: ['openai:*'] });
    const previous = stack.config.authMode;
    stack.config.authMode = 'strict';
    try {
      const client = new Anthropic({ baseURL: stack.url, apiKey: key, maxRetries: 0 });
      await assert.rejects(
        client.messages.create({ model: 'claude-paid:claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }),
        (err: unknown) => err instanceof Anthropic.APIError && err.status === 403,
      );
    } finally {
      stack.config.authMode = previous;
    }
    assert.equal(stack.sim.log.filter((e) => e.label === 'anthropic').length, 0, 'nothing reached the provider');
  });

  it('failures before the first byte follow the provider failure policy: a 529 is retried, then the answer passes through', async () => {
    stack.sim.injectFault({ kind: 'capacity', host: 'anthropic', times: 1 });
    const client = new Anthropic({ baseURL: stack.url, apiKey: 'unused', maxRetries: 0 });
    const message = await client.messages.create({ model: 'claude-paid:claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user', content: 'again' }] });
    assert.equal(message.content[0].type === 'text' && message.content[0].text, 'Hello from claude-sonnet-4-6. You said: again');
    let record = lastRecord();
    assert.deepEqual(
      record.attempts.map((a) => [a.outcome, a.next?.action]),
      [
        ['OVERLOADED', 'retry'],
        ['ok', undefined],
      ],
    );
    // Streamed, the client hears keep-alive pings while the gateway backs off; the provider's stream follows them.
    stack.sim.injectFault({ kind: 'capacity', host: 'anthropic', times: 1 });
    let text = '';
    for await (const event of client.messages.stream({
      model: 'claude-paid:claude-sonnet-4-6',
      max_tokens: 100,
      messages: [{ role: 'user', content: '[[sim:words 7]]' }],
    })) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    assert.equal(text.split(' ').length, 7);
    record = lastRecord();
    assert.deepEqual(
      record.attempts.map((a) => a.outcome),
      ['OVERLOADED', 'ok'],
    );
    assert.equal(record.status, 200);
  });
});
