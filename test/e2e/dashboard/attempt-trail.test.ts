// The live monitor's attempt trail over the admin API, against simulator faults: every upstream call listed
// with host, status and what the scheduler did next; host fallback; requests rejected before any upstream call;
// and a streaming request kept alive with its protocol's keep-alive frames while the scheduler retries.
import assert from 'node:assert/strict';
import type { RequestRecord } from '../../../src/core/admin/types';
import { DEFAULT_ACCOUNT, startStack, type Stack } from '../../helpers/stack';
import { admin, eventually } from './admin-client';

const BOB = { email: 'bob@example.com', refreshToken: '1//stack-refresh-bob', tier: 'g1-pro-tier' };

async function recordOf(stack: Stack, id: string, key?: string): Promise<RequestRecord> {
  return eventually(`the monitor row of ${id}`, async () => {
    const reply = await admin<{ records: RequestRecord[] }>(stack.url, '/admin/api/requests?limit=100', { key });
    return reply.body.records.find((record) => record.id === id);
  });
}

function anthropicBody(text: string, stream = false): string {
  return JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 64, stream, messages: [{ role: 'user', content: text }] });
}

async function postMessages(stack: Stack, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${stack.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'unused', ...headers },
    body,
  });
  return { response, text: await response.text(), id: response.headers.get('x-request-id')! };
}

describe('dashboard: attempt trail and rejected requests', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      accounts: [DEFAULT_ACCOUNT, BOB],
      flags: { 'scheduling.maxAttempts': '3', 'scheduling.transientRetryBudgetMs': '2000', 'server.bodyLimitBytes': '4096' },
    });
  });
  after(() => stack.close());
  beforeEach(() => stack.sim.reset());

  it('lists every upstream call of a request that failed after its attempts, each with its decision', async () => {
    const { response, id } = await postMessages(stack, anthropicBody('[[sim:fault server_error]] hello'));
    assert.equal(response.status, 502);
    const record = await recordOf(stack, id);
    const calls = stack.sim.log.filter((entry) => entry.method === 'generateContent' || entry.method === 'streamGenerateContent');
    assert.ok(record.attempts.length >= 2, 'more than one upstream call');
    assert.equal(record.attempts.length, calls.length, 'one trail entry per upstream call');
    assert.deepEqual(
      record.attempts.map((attempt) => attempt.host?.replace(/^.*\//, '')),
      calls.map((call) => call.label),
    );
    for (const attempt of record.attempts) {
      assert.equal(attempt.status, 500);
      assert.ok(attempt.next, `attempt on ${attempt.host} says what came next`);
      assert.match(attempt.accountEmail, /^(ada|bob)@example\.com$/);
    }
    assert.equal(record.attempts.at(-1)?.next?.action, 'give-up');
    assert.ok(record.attempts.some((attempt) => attempt.next?.action === 'fall-back'));
    assert.ok(record.attempts.some((attempt) => attempt.next?.action === 'switch'));
    assert.match(record.error ?? '', /gave up after 3 attempts, 6 upstream calls|stopped retrying/);
  });

  it('shows both hosts when the daily host failed and prod answered', async () => {
    stack.sim.injectFault({ kind: 'server_error', host: 'daily', status: 503 });
    const { response, id } = await postMessages(stack, anthropicBody('fall back please'));
    assert.equal(response.status, 200);
    const record = await recordOf(stack, id);
    assert.deepEqual(
      record.attempts.map((attempt) => [attempt.host?.replace(/^.*\//, ''), attempt.status, attempt.outcome, attempt.next?.action]),
      [
        ['daily', 503, 'server', 'fall-back'],
        ['prod', 200, 'ok', undefined],
      ],
    );
  });

  it('records a request refused before any upstream call (bad request, body too large, not JSON)', async () => {
    const missing = await postMessages(stack, JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 5 }));
    assert.equal(missing.response.status, 400);
    const tooLarge = await postMessages(stack, anthropicBody('x'.repeat(8000)));
    assert.equal(tooLarge.response.status, 413);
    const notJson = await postMessages(stack, '{"model": ');
    assert.equal(notJson.response.status, 400);
    for (const [reply, status] of [
      [missing, 400],
      [tooLarge, 413],
      [notJson, 400],
    ] as const) {
      const record = await recordOf(stack, reply.id);
      assert.equal(record.status, status);
      assert.deepEqual(record.attempts, []);
      assert.equal(record.protocol, 'anthropic');
      assert.ok(record.error && record.error.length > 0, 'the reason the client got');
    }
    assert.equal((await recordOf(stack, missing.id)).clientModel, 'claude-sonnet-4-6');
    assert.equal(stack.sim.log.filter((entry) => entry.method === 'streamGenerateContent').length, 0);
  });

  it('keeps a streaming client alive with ping events while retrying, then ends within the retry deadline', async () => {
    const sleepsBefore = stack.clock.sleeps.length;
    const { response, text, id } = await postMessages(stack, anthropicBody('[[sim:fault server_error]] stream', true));
    // The scheduler's pauses, on its clock: within scheduling.transientRetryBudgetMs (2 s here).
    const paused = stack.clock.sleeps.slice(sleepsBefore).reduce((sum, ms) => sum + ms, 0);
    assert.ok(paused > 0 && paused <= 2000, `paused ${paused} ms`);
    // The head went out with the first keep-alive frame, before the scheduler gave up.
    assert.equal(response.status, 200);
    const ping = text.indexOf('event: ping');
    const error = text.indexOf('event: error');
    assert.ok(ping >= 0, `a ping frame in ${JSON.stringify(text)}`);
    assert.ok(error > ping, 'then the error event');
    assert.match(text, /api_error|overloaded|Internal/);
    const record = await recordOf(stack, id);
    assert.equal(record.status, 502);
    assert.ok(record.attempts.length >= 2);
  });

  it('keeps OpenAI and Gemini streams alive the same way, in their own framing', async () => {
    const openai = await fetch(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gemini-3-flash', stream: true, messages: [{ role: 'user', content: '[[sim:fault server_error]] openai' }] }),
    });
    assert.equal(openai.status, 200);
    const openaiText = await openai.text();
    assert.match(openaiText, /^: /, 'an SSE comment first');
    assert.match(openaiText, /"error"/);
    const gemini = await fetch(`${stack.url}/v1beta/models/gemini-3-flash:streamGenerateContent?alt=sse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: '[[sim:fault server_error]] gemini' }] }] }),
    });
    assert.equal(gemini.status, 200);
    const geminiText = await gemini.text();
    assert.match(geminiText, /^\r\n/, 'a blank line first, which SSE parsers skip');
    assert.match(geminiText, /"code":\s*502/);
  });
});

describe('dashboard: rejected requests when auth is strict', () => {
  let stack: Stack;
  let primary: string;
  before(async () => {
    stack = await startStack({ flags: { authMode: 'strict' } });
    primary = await stack.agate.security.primaryKey();
  });
  after(() => stack.close());

  it('a wrong key (401) and a model the key may not use (403) show in the monitor with the reason', async () => {
    const wrong = await postMessages(stack, anthropicBody('hi'), { 'x-api-key': 'sk-wrong' });
    assert.equal(wrong.response.status, 401);
    const { key } = await stack.agate.security.keys.create({ name: 'flash-only', allowedModels: ['gemini-3-flash'] });
    const forbidden = await postMessages(stack, anthropicBody('hi'), { 'x-api-key': key });
    assert.equal(forbidden.response.status, 403);
    const unauthorized = await recordOf(stack, wrong.id, primary);
    assert.equal(unauthorized.status, 401);
    // The body of a request without a valid key is never read.
    assert.equal(unauthorized.clientModel, '');
    assert.match(unauthorized.error ?? '', /key/i);
    const refused = await recordOf(stack, forbidden.id, primary);
    assert.equal(refused.status, 403);
    assert.ok(refused.error);
  });
});
