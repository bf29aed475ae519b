import assert from 'node:assert/strict';
import type { LogEntry } from '../../../src/simulator';
import { callMethod, envelope, generate, startHarness, stream, user, type Harness, type Json } from './harness';

const ask = (h: Harness, text = 'hello', model = 'gemini-3-flash') => envelope(h, { contents: [user(text)] }, model);

function detail(body: Json, type: string): Json {
  return body.error.details.find((d: Json) => d['@type'] === `type.googleapis.com/google.rpc.${type}`);
}

describe('simulator: faults', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.sim.close());
  beforeEach(() => {
    h.sim.reset();
    h.sim.configure({ firstByteDelayMs: 0, frameIntervalMs: 0, framesPerAnswer: 6 });
  });

  it('rate_limited answers 429 RATE_LIMIT_EXCEEDED with the delay in ErrorInfo and RetryInfo', async () => {
    h.sim.injectFault({ kind: 'rate_limited', retryDelayMs: 1500 });
    const res = await generate(h, ask(h));
    assert.equal(res.status, 429);
    const body = (await res.json()) as Json;
    assert.equal(body.error.status, 'RESOURCE_EXHAUSTED');
    const info = detail(body, 'ErrorInfo');
    assert.equal(info.reason, 'RATE_LIMIT_EXCEEDED');
    assert.equal(info.domain, 'cloudcode-pa.googleapis.com');
    assert.equal(info.metadata.quotaResetDelay, '1.5s');
    assert.equal(info.metadata.model, 'gemini-3-flash');
    assert.match(info.metadata.quotaResetTimeStamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(detail(body, 'RetryInfo').retryDelay, '1.5s');
    assert.equal(h.sim.log[0].fault, 'rate_limited');
    assert.equal((await generate(h, ask(h))).status, 200, 'times defaults to one request');
  });

  it('quota_exhausted answers 429 QUOTA_EXHAUSTED with the reset time', async () => {
    h.sim.injectFault({ kind: 'quota_exhausted', resetInMs: 3_600_000 });
    const body = (await (await generate(h, ask(h))).json()) as Json;
    assert.equal(detail(body, 'ErrorInfo').reason, 'QUOTA_EXHAUSTED');
    assert.equal(detail(body, 'ErrorInfo').metadata.quotaResetDelay, '1h0m0s');
    assert.equal(detail(body, 'RetryInfo').retryDelay, '3600s');
    assert.match(body.error.message, /reset after 1h0m0s/);
  });

  it('capacity answers 503 MODEL_CAPACITY_EXHAUSTED naming the model', async () => {
    h.sim.injectFault({ kind: 'capacity' });
    const res = await generate(h, ask(h, 'hi', 'claude-opus-4-6-thinking'));
    assert.equal(res.status, 503);
    const body = (await res.json()) as Json;
    assert.equal(body.error.status, 'UNAVAILABLE');
    assert.match(body.error.message, /^No capacity available for model claude-opus-4-6-thinking/);
    assert.equal(detail(body, 'ErrorInfo').reason, 'MODEL_CAPACITY_EXHAUSTED');
  });

  it('server_error answers the requested 5xx', async () => {
    h.sim.injectFault({ kind: 'server_error', status: 502, times: 2 });
    assert.equal((await generate(h, ask(h))).status, 502);
    assert.equal((await generate(h, ask(h))).status, 502);
    assert.equal((await generate(h, ask(h))).status, 200);
    h.sim.injectFault({ kind: 'server_error' });
    assert.equal((await generate(h, ask(h))).status, 500);
  });

  it('unauthorized answers 401 UNAUTHENTICATED', async () => {
    h.sim.injectFault({ kind: 'unauthorized' });
    const res = await generate(h, ask(h));
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as Json).error.status, 'UNAUTHENTICATED');
  });

  it('validation_required answers 403 with the validation link in ErrorInfo and Help', async () => {
    h.sim.injectFault({ kind: 'validation_required', url: 'https://accounts.google.com/verify-me' });
    const res = await generate(h, ask(h));
    assert.equal(res.status, 403);
    const body = (await res.json()) as Json;
    const info = detail(body, 'ErrorInfo');
    assert.equal(info.reason, 'VALIDATION_REQUIRED');
    assert.equal(info.metadata.validation_url, 'https://accounts.google.com/verify-me');
    assert.equal(detail(body, 'Help').links[0].url, 'https://accounts.google.com/verify-me');
  });

  it('tos_disabled answers 403 saying the account is disabled for Terms of Service', async () => {
    h.sim.injectFault({ kind: 'tos_disabled' });
    const res = await generate(h, ask(h));
    assert.equal(res.status, 403);
    assert.match(((await res.json()) as Json).error.message, /disabled in this account for violation of Terms of Service/);
  });

  it('bad_request answers 400 with the given message', async () => {
    h.sim.injectFault({ kind: 'bad_request', message: 'Corrupted thought signature.' });
    const res = await generate(h, ask(h));
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as Json).error.message, 'Corrupted thought signature.');
  });

  it('targets a host label, so gateways can exercise host fallback', async () => {
    h.sim.injectFault({ kind: 'server_error', status: 503, host: 'daily', times: Infinity });
    assert.equal((await generate(h, ask(h), { label: 'daily' })).status, 503);
    assert.equal((await generate(h, ask(h), { label: 'prod' })).status, 200);
    assert.equal((await generate(h, ask(h), { label: 'daily' })).status, 503);
    assert.deepEqual(
      h.sim.log.map((e) => [e.label, e.status]),
      [
        ['daily', 503],
        ['prod', 200],
        ['daily', 503],
      ],
    );
  });

  it('targets an account and a model', async () => {
    const other = h.sim.addAccount({ email: 'bob@example.com', refreshToken: '1//refresh-bob' });
    const bob: Harness = { ...h, email: other.email, project: other.projectId, token: h.sim.issueAccessToken(other.email) };
    h.sim.injectFault({ kind: 'rate_limited', account: 'bob@example.com', model: 'claude-sonnet-4-6', times: Infinity });
    assert.equal((await generate(bob, ask(bob, 'hi', 'claude-sonnet-4-6'))).status, 429);
    assert.equal((await generate(bob, ask(bob, 'hi', 'gemini-3-flash'))).status, 200);
    assert.equal((await generate(h, ask(h, 'hi', 'claude-sonnet-4-6'))).status, 200);
  });

  it('hits only generation unless a method is named', async () => {
    h.sim.injectFault({ kind: 'server_error', method: 'loadCodeAssist' });
    assert.equal((await generate(h, ask(h))).status, 200);
    assert.equal((await callMethod(h, 'loadCodeAssist', { metadata: { ideType: 'ANTIGRAVITY' } })).status, 500);
    h.sim.injectFault({ kind: 'server_error' });
    assert.equal((await callMethod(h, 'fetchAvailableModels', { project: h.project })).status, 200);
    assert.equal(h.sim.faults().length, 1, 'the generation fault is still armed');
  });

  it('[[sim:fault KIND]] applies a fault to one request', async () => {
    const res = await generate(h, ask(h, 'please [[sim:fault rate_limited {"retryDelayMs":250}]]'));
    assert.equal(res.status, 429);
    assert.equal(detail((await res.json()) as Json, 'RetryInfo').retryDelay, '0.25s');
    assert.equal((await generate(h, ask(h, '[[sim:fault capacity]]'))).status, 503);
  });

  it('reset_after destroys the connection after N frames', async () => {
    h.sim.injectFault({ kind: 'reset_after', frames: 2 });
    const res = await stream(h, ask(h, '[[sim:words 60]]'));
    assert.equal(res.status, 200);
    await assert.rejects(res.text());
    const entry = await h.sim.waitForLog((e) => e.durationMs !== undefined);
    assert.equal(entry.frames, 2);
    assert.equal(entry.aborted, false, 'a server-side reset is not a client abort');
    assert.equal(entry.fault, 'reset_after');
  });

  it('reset_after 0 drops a non-streaming request without an answer', async () => {
    h.sim.injectFault({ kind: 'reset_after', frames: 0 });
    await assert.rejects(generate(h, ask(h)));
  });

  describe('client aborts', () => {
    async function abortWhen(start: (signal: AbortSignal) => Promise<unknown>, ready: () => Promise<unknown>): Promise<LogEntry> {
      const controller = new AbortController();
      const pending = start(controller.signal).catch((error: unknown) => error);
      await ready();
      controller.abort();
      await pending;
      return h.sim.waitForLog((e) => e.aborted);
    }

    it('logs a hanging request the client abandons as aborted', async () => {
      h.sim.injectFault({ kind: 'hang' });
      const entry = await abortWhen(
        (signal) => stream(h, ask(h), { signal }),
        () => h.sim.waitForLog((e) => e.method === 'streamGenerateContent'),
      );
      assert.equal(entry.status, 0);
      assert.equal(entry.frames, 0);
      assert.equal(entry.fault, 'hang');
    });

    it('logs a stream the client abandons mid-way as aborted, with the frames it got', async () => {
      h.sim.configure({ frameIntervalMs: 40, framesPerAnswer: 20 });
      const controller = new AbortController();
      const res = await stream(h, ask(h, '[[sim:words 200]]'), { signal: controller.signal });
      const reader = res.body!.getReader();
      await reader.read();
      controller.abort();
      await reader.read().catch(() => undefined);
      const entry = await h.sim.waitForLog((e) => e.aborted);
      assert.equal(entry.status, 200);
      assert.ok(entry.frames >= 1 && entry.frames < 20, `frames ${entry.frames}`);
    });

    it('logs a request abandoned before its first byte as aborted', async () => {
      h.sim.configure({ firstByteDelayMs: 5000 });
      const entry = await abortWhen(
        (signal) => generate(h, ask(h), { signal }),
        () => h.sim.waitForLog((e) => e.method === 'generateContent'),
      );
      assert.equal(entry.status, 0);
    });

    it('logs a stream that stalls after some frames (hang afterFrames) and is abandoned', async () => {
      h.sim.injectFault({ kind: 'hang', afterFrames: 1 });
      const controller = new AbortController();
      const res = await stream(h, ask(h), { signal: controller.signal });
      const reader = res.body!.getReader();
      const first = await reader.read();
      assert.match(new TextDecoder().decode(first.value), /^data: /);
      controller.abort();
      await reader.read().catch(() => undefined);
      const entry = await h.sim.waitForLog((e) => e.aborted);
      assert.equal(entry.frames, 1);
    });

    it('a completed exchange is not marked aborted', async () => {
      await (await stream(h, ask(h))).text();
      const entry = await h.sim.waitForLog((e) => e.durationMs !== undefined);
      assert.equal(entry.aborted, false);
    });
  });
});
