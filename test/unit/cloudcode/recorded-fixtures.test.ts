import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ChatEvent } from '../../../src/core/ir';
import { UpstreamFailure } from '../../../src/core/upstream/failure';
import { classifyHttpFailure } from '../../../src/core/upstream/cloudcode/classify';
import { CloudCodeClient } from '../../../src/core/upstream/cloudcode/client';
import { ResponseDecoder } from '../../../src/core/upstream/cloudcode/decode-response';
import { modelFamily } from '../../../src/core/upstream/cloudcode/models';
import { SignatureCache } from '../../../src/core/upstream/cloudcode/signatures';
import { startServer, type TestServer } from './http-harness';

/**
 * Real response bodies recorded by other people and published (issue threads,
 * another project's test fixtures): test/fixtures/cloudcode-recorded/README.md
 * says where each came from. They check the classifier and the decoder against
 * Google's wire, not against our simulator's reading of it.
 */

const DIR = path.join(__dirname, '..', '..', 'fixtures', 'cloudcode-recorded');
const raw = (name: string): string => readFileSync(path.join(DIR, name), 'utf8');
const body = (name: string): unknown => JSON.parse(raw(name));
/** A recorded stream: one GenerateContentResponse per line. */
const chunks = (name: string): string[] =>
  raw(name)
    .split('\n')
    .filter((line) => line.trim() !== '');

const NOW = Date.parse('2026-04-10T13:14:28Z');

describe('recorded Cloud Code error bodies → classification', () => {
  it('429 RATE_LIMIT_EXCEEDED: rate_limited, waiting what RetryInfo asks', () => {
    const failure = classifyHttpFailure(429, body('429-rate-limit-exceeded.json'), { now: NOW });
    assert.equal(failure.kind, 'rate_limited');
    assert.equal(failure.reason, 'RATE_LIMIT_EXCEEDED');
    assert.equal(failure.retryAfterMs, 635);
    assert.equal(failure.model, 'claude-opus-4-6-thinking');
    assert.equal(failure.resetAt, undefined);
  });

  it('429 QUOTA_EXHAUSTED: quota_exhausted until the stated reset time', () => {
    const failure = classifyHttpFailure(429, body('429-quota-exhausted.json'), { now: NOW });
    assert.equal(failure.kind, 'quota_exhausted');
    assert.equal(failure.reason, 'QUOTA_EXHAUSTED');
    assert.equal(failure.retryAfterMs, 91_226_180);
    assert.equal(failure.resetAt, Date.parse('2026-04-28T09:06:26Z'));
    assert.equal(failure.model, 'claude-opus-4-6-thinking');
    assert.match(failure.message, /reset after 25h20m26s/);
  });

  it('429 QUOTA_EXHAUSTED worded "Individual quota reached … Resets in": the details still rule', () => {
    const failure = classifyHttpFailure(429, body('429-quota-exhausted-individual.json'), { now: NOW });
    assert.equal(failure.kind, 'quota_exhausted');
    assert.equal(failure.retryAfterMs, 391_609_796);
    assert.equal(failure.resetAt, Date.parse('2026-06-04T15:24:12Z'));
    assert.equal(failure.model, 'gemini-3.5-flash-low');
    // The same words when a relay passed on the message alone: the delay is still read from them.
    const { error } = body('429-quota-exhausted-individual.json') as { error: { code: number; status: string; message: string } };
    const wordsOnly = { error: { code: error.code, status: error.status, message: error.message } };
    assert.equal(classifyHttpFailure(429, wordsOnly, { now: NOW }).retryAfterMs, 391_709_000);
  });

  it('a bare 429 RESOURCE_EXHAUSTED without details: rate_limited, delay from Retry-After only', () => {
    const recorded = body('429-resource-exhausted-bare.json');
    const bare = classifyHttpFailure(429, recorded, { now: NOW });
    assert.equal(bare.kind, 'rate_limited');
    assert.equal(bare.reason, undefined);
    assert.equal(bare.retryAfterMs, undefined);
    assert.equal(bare.message, 'Resource has been exhausted (e.g. check quota).');
    assert.equal(classifyHttpFailure(429, recorded, { now: NOW, retryAfterHeader: '30' }).retryAfterMs, 30_000);
  });

  it('503 MODEL_CAPACITY_EXHAUSTED: capacity (the model, not the account), with its retry delay', () => {
    const failure = classifyHttpFailure(503, body('503-model-capacity-exhausted.json'), { now: NOW });
    assert.equal(failure.kind, 'capacity');
    assert.equal(failure.reason, 'MODEL_CAPACITY_EXHAUSTED');
    assert.equal(failure.retryAfterMs, 40_000);
    assert.equal(failure.model, 'gemini-3-pro-high');
  });

  it('503 MODEL_CAPACITY_EXHAUSTED without RetryInfo: capacity, no invented delay', () => {
    const failure = classifyHttpFailure(503, body('503-model-capacity-exhausted-no-retry.json'), { now: NOW });
    assert.equal(failure.kind, 'capacity');
    assert.equal(failure.retryAfterMs, undefined);
    assert.equal(failure.model, 'claude-opus-4-6-thinking');
  });

  it('403 PERMISSION_DENIED (the one-element array a stream answers with): forbidden, Google body kept', () => {
    const recorded = body('403-permission-denied-stream.json') as unknown[];
    const failure = classifyHttpFailure(403, recorded, { now: NOW });
    assert.equal(failure.kind, 'forbidden');
    assert.equal(failure.reason, 'PERMISSION_DENIED');
    assert.equal(failure.message, 'The caller does not have permission');
    assert.deepEqual(failure.body, recorded[0]);
    assert.equal(failure.actionUrl, undefined);
  });

  it('403 VALIDATION_REQUIRED: forbidden with validation_url, not its label or the learn-more page', () => {
    const failure = classifyHttpFailure(403, body('403-validation-required.json'), { now: NOW });
    assert.equal(failure.kind, 'forbidden');
    assert.equal(failure.reason, 'VALIDATION_REQUIRED');
    assert.match(failure.actionUrl ?? '', /^https:\/\/accounts\.google\.com\/signin\/continue\?sarp=1&scc=1&continue=/);
  });

  it('403 CONSUMER_INVALID: forbidden with the ErrorInfo reason, not a validation prompt', () => {
    const failure = classifyHttpFailure(403, body('403-consumer-invalid.json'), { now: NOW });
    assert.equal(failure.kind, 'forbidden');
    assert.equal(failure.reason, 'CONSUMER_INVALID');
    assert.equal(failure.actionUrl, undefined);
  });

  it('400 INVALID_ARGUMENT about thinking signatures: signature_invalid', () => {
    for (const name of ['400-invalid-thinking-signature.json', '400-missing-thought-signature.json']) {
      const failure = classifyHttpFailure(400, body(name), { now: NOW });
      assert.equal(failure.kind, 'signature_invalid', name);
      assert.equal(failure.status, 400);
    }
  });

  it('any other 400 INVALID_ARGUMENT: bad_request', () => {
    const failure = classifyHttpFailure(400, body('400-prefill-not-supported.json'), { now: NOW });
    assert.equal(failure.kind, 'bad_request');
    assert.match(failure.message, /does not support assistant message prefill/);
  });
});

function decodeAll(frames: unknown[], model: string, signatures = new SignatureCache()): ChatEvent[] {
  const decoder = new ResponseDecoder({ model, signatures });
  const events = frames.flatMap((frame) => decoder.decode(frame));
  events.push(decoder.finish());
  return events;
}

describe('recorded Gemini 3 streams → IR events', () => {
  it('a function call carrying its signature: tool_call, usage with thoughts apart, finish tool_calls', () => {
    const model = 'gemini-3-pro-high';
    const signatures = new SignatureCache();
    const events = decodeAll(
      chunks('gemini3-pro-tool-call.chunks.txt').map((l) => JSON.parse(l)),
      model,
      signatures,
    );
    const calls = events.filter((e) => e.type === 'tool_call');
    assert.equal(calls.length, 1);
    const { call } = calls[0] as Extract<ChatEvent, { type: 'tool_call' }>;
    assert.equal(call.name, 'weather');
    assert.deepEqual(call.args, { location: 'San Francisco' });
    assert.match(call.signature ?? '', /^EpEgCo4gAb4\+9vvW/);
    assert.equal(signatures.toolCallSignature(modelFamily(model), call.id), call.signature);
    assert.equal(events.filter((e) => e.type === 'text').length, 0, 'the closing empty text part is no text');
    const usage = { inputTokens: 29, cachedInputTokens: 0, outputTokens: 15, thinkingTokens: 804 };
    assert.deepEqual(events.at(-1), { type: 'finish', reason: 'tool_calls', usage });
    assert.equal(events.filter((e) => e.type === 'usage').length, 1, 'a repeated usage is not re-emitted');
  });

  it('text deltas then a signature on an empty text part: the text, final usage, finish stop', () => {
    const events = decodeAll(
      chunks('gemini3-pro-text-signature.chunks.txt').map((l) => JSON.parse(l)),
      'gemini-3-pro-high',
    );
    const text = events.flatMap((e) => (e.type === 'text' ? [e.text] : [])).join('');
    assert.equal(text, 'There are **3** "r"s in strawberry.\n\nSt**r**awbe**rr**y');
    assert.deepEqual(events.at(-1), {
      type: 'finish',
      reason: 'stop',
      usage: { inputTokens: 9, cachedInputTokens: 0, outputTokens: 23, thinkingTokens: 302 },
    });
  });
});

describe('recorded bodies through the Cloud Code HTTP client', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const client = (url: string) =>
    new CloudCodeClient({ hosts: [url], userAgent: 'test', connectTimeoutMs: 2000, firstByteTimeoutMs: 5000, idleTimeoutMs: 5000 });

  async function streamFailure(status: number, contentType: string, text: string): Promise<UpstreamFailure> {
    server = await startServer((_req, res) => {
      res.writeHead(status, { 'content-type': contentType });
      res.end(text);
    });
    try {
      for await (const _frame of client(server.url).stream({ method: 'streamGenerateContent', accessToken: 't', body: {} })) {
        assert.fail('no frame expected');
      }
    } catch (err) {
      assert.ok(err instanceof UpstreamFailure, String(err));
      return err;
    }
    return assert.fail('expected a failure');
  }

  it('a 403 array body on the stream endpoint is forbidden', async () => {
    const failure = await streamFailure(403, 'application/json; charset=UTF-8', raw('403-permission-denied-stream.json'));
    assert.equal(failure.kind, 'forbidden');
    assert.equal(failure.status, 403);
    assert.equal(failure.message, 'The caller does not have permission');
  });

  it('a 503 capacity body sent as text/event-stream (as recorded) is capacity', async () => {
    const failure = await streamFailure(503, 'text/event-stream', raw('503-model-capacity-exhausted-no-retry.json'));
    assert.equal(failure.kind, 'capacity');
    assert.equal(failure.model, 'claude-opus-4-6-thinking');
  });

  it('recorded chunks framed as SSE come out as the same frames', async () => {
    const lines = chunks('gemini3-pro-text-signature.chunks.txt');
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(lines.map((line) => `data: ${line}\r\n\r\n`).join(''));
    });
    const frames: unknown[] = [];
    for await (const frame of client(server.url).stream({ method: 'streamGenerateContent', accessToken: 't', body: {} })) frames.push(frame);
    assert.deepEqual(
      frames,
      lines.map((line) => JSON.parse(line)),
    );
  });
});
