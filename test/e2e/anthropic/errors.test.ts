/**
 * Failures of `/v1/messages` as the Anthropic SDK sees them: each a precise
 * Anthropic-shaped error with the status its exception class maps, and the
 * server healthy afterwards.
 */
import assert from 'node:assert/strict';
import Anthropic, { APIError } from '@anthropic-ai/sdk';
import { startStack, type Stack } from '../../helpers/stack';

type ErrorClass = new (...args: any[]) => APIError;

/** Asserts `promise` fails with `Class`, the status and Anthropic `error.type`, and a message matching `message`. */
async function rejectsWith(promise: Promise<unknown>, Class: ErrorClass, status: number, type: string, message: RegExp): Promise<APIError> {
  let caught: unknown;
  await promise.catch((err: unknown) => (caught = err));
  assert.ok(caught instanceof Class, `expected ${Class.name}, got ${String(caught)}`);
  const err = caught as APIError;
  assert.equal(err.status, status);
  const body = err.error as { type: string; error: { type: string; message: string } };
  assert.equal(body.type, 'error');
  assert.equal(body.error.type, type);
  assert.match(body.error.message, message);
  return err;
}

const ok = (stack: Stack) => fetch(`${stack.url}/healthz`).then((res) => assert.equal(res.status, 200));

describe('Anthropic errors through the SDK', function () {
  this.timeout(60_000);
  let stack: Stack;
  let client: Anthropic;
  before(async () => {
    stack = await startStack({ flags: { 'scheduling.capacityRetries': '0' } });
    client = new Anthropic({ baseURL: stack.url, apiKey: 'test', maxRetries: 0 });
  });
  after(() => stack.close());
  afterEach(() => stack.sim.clearFaults());

  describe('bad input → 400 invalid_request_error naming the field; nothing reaches the upstream', () => {
    let generationsBefore: number;
    beforeEach(() => {
      generationsBefore = stack.sim.log.filter((entry) => entry.method.endsWith('enerateContent')).length;
    });
    afterEach(async () => {
      assert.equal(stack.sim.log.filter((entry) => entry.method.endsWith('enerateContent')).length, generationsBefore);
      await ok(stack);
    });

    it('malformed JSON', async () => {
      const res = await fetch(`${stack.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: '{"model":"claude-sonnet-4-6","messages":[{"role":"user",',
      });
      assert.equal(res.status, 400);
      const body = (await res.json()) as { type: string; error: { type: string; message: string } };
      assert.deepEqual([body.type, body.error.type], ['error', 'invalid_request_error']);
      assert.match(body.error.message, /JSON/);
    });

    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['missing messages', { model: 'claude-sonnet-4-6', max_tokens: 10 }, /messages/],
      ['missing max_tokens', { model: 'claude-sonnet-4-6', messages: [{ role: 'user', content: 'hi' }] }, /max_tokens/],
      ['max_tokens of the wrong type', { model: 'claude-sonnet-4-6', max_tokens: 'ten', messages: [{ role: 'user', content: 'hi' }] }, /max_tokens/],
      ['a role that does not exist', { model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'robot', content: 'hi' }] }, /messages\.0\.role|role/],
      ['empty content', { model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: [] }] }, /messages\.0\.content|content/],
      ['an unknown block type', { model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: [{ type: 'hologram' }] }] }, /hologram|type/],
      [
        'a tool_result answering no tool_use',
        {
          model: 'claude-sonnet-4-6',
          max_tokens: 10,
          messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_nope', content: 'x' }] }],
        },
        /tool_use|toolu_nope/,
      ],
    ];
    for (const [what, body, message] of cases) {
      it(what, async () => {
        await rejectsWith(client.messages.create(body as any), Anthropic.BadRequestError, 400, 'invalid_request_error', message);
      });
    }

    it('a 50 MB image is refused with a size error naming the field', async function () {
      this.timeout(60_000);
      // Sent as one prepared buffer: the SDK's own serialisation of 67 MB would only slow the test down.
      const data = Buffer.alloc(50 * 1024 * 1024, 7).toString('base64');
      const body = Buffer.from(
        JSON.stringify({
          model: 'gemini-3-flash',
          max_tokens: 10,
          messages: [
            {
              role: 'user',
              content: [
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data } },
                { type: 'text', text: 'look' },
              ],
            },
          ],
        }),
      );
      const res = await fetch(`${stack.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body,
      });
      assert.equal(res.status, 400);
      const error = (await res.json()) as { type: string; error: { type: string; message: string } };
      assert.deepEqual([error.type, error.error.type], ['error', 'invalid_request_error']);
      assert.match(error.error.message, /^messages\.0\.content\.0\.source\.data: image exceeds .*limit/);
    });
  });

  it('an unknown model → 404 not_found_error listing the valid ones', async () => {
    await rejectsWith(
      client.messages.create({ model: 'claude-imaginary-9', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
      Anthropic.NotFoundError,
      404,
      'not_found_error',
      /claude-imaginary-9[\s\S]*(gemini-3-flash|claude-sonnet-4-6)/,
    );
    await ok(stack);
  });

  it('quota exhausted on every account → 429 rate_limit_error with retry-after', async () => {
    const fresh = await startStack({
      accounts: [
        { email: 'ada@example.com', refreshToken: '1//ada', tier: 'g1-pro-tier' },
        { email: 'bob@example.com', refreshToken: '1//bob', tier: 'g1-pro-tier' },
      ],
    });
    try {
      fresh.sim.injectFault({ kind: 'quota_exhausted', resetInMs: 3_600_000, times: Infinity });
      const err = await rejectsWith(
        new Anthropic({ baseURL: fresh.url, apiKey: 'test', maxRetries: 0 }).messages.create({
          model: 'claude-sonnet-4-6',
          max_tokens: 10,
          messages: [{ role: 'user', content: 'limited' }],
        }),
        Anthropic.RateLimitError,
        429,
        'rate_limit_error',
        /./,
      );
      const retryAfter = Number(err.headers?.get('retry-after'));
      assert.ok(retryAfter > 60 && retryAfter <= 3600, `retry-after ${err.headers?.get('retry-after')}`);
      const accounts = new Set(fresh.sim.log.filter((entry) => entry.status === 429).map((entry) => entry.account));
      assert.deepEqual([...accounts].sort(), ['ada@example.com', 'bob@example.com'], 'both accounts were tried');
    } finally {
      await fresh.close();
    }
  });

  it('no capacity on any host → 529 overloaded_error', async () => {
    // No waiting for capacity to come back: the answer is due after one try on each host.
    const fresh = await startStack({ flags: { 'scheduling.capacityRetries': '0', 'scheduling.maxAttempts': '2' } });
    try {
      fresh.sim.injectFault({ kind: 'capacity', times: Infinity });
      await rejectsWith(
        new Anthropic({ baseURL: fresh.url, apiKey: 'test', maxRetries: 0 }).messages.create({
          model: 'claude-sonnet-4-6',
          max_tokens: 10,
          messages: [{ role: 'user', content: 'busy' }],
        }),
        Anthropic.InternalServerError,
        529,
        'overloaded_error',
        /capacity/i,
      );
    } finally {
      await fresh.close();
    }
  });

  it('a failure after the stream started ends with an error event, never a silent cut', async () => {
    const fresh = await startStack();
    try {
      fresh.sim.injectFault({ kind: 'reset_after', frames: 2 });
      const res = await fetch(`${fresh.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 512, stream: true, messages: [{ role: 'user', content: '[[sim:words 50]]' }] }),
      });
      assert.equal(res.status, 200);
      const text = await res.text();
      const events = [...text.matchAll(/^event: (\S+)$/gm)].map((match) => match[1]);
      assert.ok(events.includes('content_block_delta'), 'some text arrived first');
      assert.equal(events.at(-1), 'error', text.slice(-400));
      assert.ok(!events.includes('message_stop'));
      const data = JSON.parse(/event: error\ndata: (.*)\n/.exec(text)![1]);
      assert.equal(data.type, 'error');
      assert.equal(typeof data.error.type, 'string');

      // Through the SDK the same stream throws an APIError rather than ending quietly.
      fresh.sim.injectFault({ kind: 'reset_after', frames: 2 });
      const stream = new Anthropic({ baseURL: fresh.url, apiKey: 'test', maxRetries: 0 }).messages.stream({
        model: 'claude-sonnet-4-6',
        max_tokens: 512,
        messages: [{ role: 'user', content: '[[sim:words 50]]' }],
      });
      await assert.rejects(stream.finalMessage(), (err: unknown) => err instanceof Anthropic.APIError);
    } finally {
      await fresh.close();
    }
  });
});

describe('Anthropic authentication errors', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ flags: { authMode: 'strict' } });
  });
  after(() => stack.close());

  it('a wrong key → 401 authentication_error (AuthenticationError)', async () => {
    const client = new Anthropic({ baseURL: stack.url, apiKey: 'not-the-key', maxRetries: 0 });
    await rejectsWith(
      client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
      Anthropic.AuthenticationError,
      401,
      'authentication_error',
      /key/i,
    );
  });

  it('the primary key passes', async () => {
    const client = new Anthropic({ baseURL: stack.url, apiKey: await stack.agate.security.primaryKey(), maxRetries: 0 });
    const message = await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 64, messages: [{ role: 'user', content: 'authorised' }] });
    assert.match((message.content[0] as Anthropic.TextBlock).text, /You said: authorised/);
  });
});
