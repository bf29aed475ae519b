/**
 * Legacy Completions, the model list, and the OpenAI error shapes the SDK
 * maps to its error classes (401, 404, 429 with retry-after).
 */
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startStack, type Stack } from '../../helpers/stack';
import { CLAUDE, clientFor, collect, GEMINI, lastUpstream } from './helpers';

describe('openai SDK → Completions, Models, errors', () => {
  let stack: Stack;
  let client: OpenAI;
  before(async () => {
    stack = await startStack({
      configure: (config) => {
        config.models.aliases = { 'gpt-4o': GEMINI };
        config.models.groups = { 'fast-pool': { strategy: 'ordered', models: [GEMINI, CLAUDE] } };
      },
    });
    client = clientFor(stack);
  });
  after(() => stack.close());

  describe('Completions', () => {
    it('turns a prompt into text', async () => {
      const completion = await client.completions.create({ model: CLAUDE, prompt: 'Say hi', max_tokens: 64, stop: ['\n\n'] });
      assert.equal(completion.object, 'text_completion');
      assert.equal(completion.choices[0].text, `Hello from ${CLAUDE}. You said: Say hi`);
      assert.equal(completion.choices[0].finish_reason, 'stop');
      assert.ok((completion.usage?.total_tokens ?? 0) > 0);
      const request = lastUpstream(stack).body.request;
      assert.deepEqual(request.contents, [{ role: 'user', parts: [{ text: 'Say hi' }] }]);
      assert.deepEqual(request.generationConfig.stopSequences, ['\n\n']);
    });

    it('streams text chunks, a finish_reason, the usage chunk and [DONE]', async () => {
      const stream = await client.completions.create({
        model: GEMINI,
        prompt: '[[sim:words 10]]',
        stream: true,
        stream_options: { include_usage: true },
      });
      const chunks = await collect(stream);
      const text = chunks.map((c) => c.choices[0]?.text ?? '').join('');
      assert.equal(text, Array.from({ length: 10 }, (_, i) => `word${i + 1}`).join(' '));
      assert.ok(chunks.filter((c) => c.choices[0]?.text).length > 1);
      assert.equal(
        chunks
          .filter((c) => c.choices[0]?.finish_reason)
          .map((c) => c.choices[0].finish_reason)
          .join(),
        'stop',
      );
      assert.ok((chunks.at(-1)?.usage?.completion_tokens ?? 0) > 0);
    });

    it('max_tokens → finish_reason length; n > 1 → 400', async () => {
      const cut = await client.completions.create({ model: CLAUDE, prompt: '[[sim:words 100]]', max_tokens: 5 });
      assert.equal(cut.choices[0].finish_reason, 'length');
      const err = await client.completions.create({ model: CLAUDE, prompt: 'x', n: 2 }).catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.BadRequestError, String(err));
      assert.equal(err.param, 'n');
    });
  });

  describe('Models', () => {
    it('lists the pool’s live models, aliases and groups in the OpenAI list shape', async () => {
      const ids: string[] = [];
      for await (const model of client.models.list()) {
        assert.equal(model.object, 'model');
        assert.equal(typeof model.created, 'number');
        assert.equal(typeof model.owned_by, 'string');
        ids.push(model.id);
      }
      for (const id of [GEMINI, CLAUDE, 'gpt-4o', 'fast-pool']) assert.ok(ids.includes(id), `${id} in ${ids.join(', ')}`);
      assert.equal(new Set(ids).size, ids.length);
    });

    it('retrieves one model; an unknown one is a 404 model_not_found', async () => {
      const model = await client.models.retrieve(GEMINI);
      assert.deepEqual([model.id, model.object, model.owned_by], [GEMINI, 'model', 'google']);
      assert.equal((await client.models.retrieve('gpt-4o')).id, 'gpt-4o');
      const err = await client.models.retrieve('no-such-model').catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.NotFoundError, String(err));
      assert.equal(err.code, 'model_not_found');
      assert.equal(err.type, 'invalid_request_error');
    });

    it('an alias and a group answer chat requests', async () => {
      const viaAlias = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'alias' }] });
      assert.equal(viaAlias.model, 'gpt-4o');
      assert.equal(lastUpstream(stack).model, GEMINI);
      await client.chat.completions.create({ model: 'fast-pool', messages: [{ role: 'user', content: 'group' }] });
      assert.equal(lastUpstream(stack).model, GEMINI);
    });
  });

  describe('errors', () => {
    it('an unknown model in a chat request: 404 model_not_found, nothing sent upstream', async () => {
      const before = stack.sim.log.length;
      const err = await client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.NotFoundError, String(err));
      assert.equal(err.code, 'model_not_found');
      assert.equal(err.param, 'model');
      assert.match(err.message, /no-such-model/);
      assert.equal(stack.sim.log.length, before);
    });

    it('every account exhausted: 429 rate_limit_exceeded with retry-after, in the OpenAI shape', async () => {
      stack.sim.injectFault({ kind: 'quota_exhausted', resetInMs: 3 * 3600_000, model: CLAUDE, times: Infinity });
      try {
        const err = await client.chat.completions.create({ model: CLAUDE, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
        assert.ok(err instanceof OpenAI.RateLimitError, String(err));
        assert.equal(err.status, 429);
        assert.equal(err.code, 'rate_limit_exceeded');
        assert.equal(typeof (err.error as { message?: unknown }).message, 'string');
        const retryAfter = Number(err.headers.get('retry-after'));
        assert.ok(retryAfter > 3600 && retryAfter <= 3 * 3600, `retry-after ${retryAfter}`);

        // The same through the Responses API and a raw request (the full body shape).
        const viaResponses = await client.responses.create({ model: CLAUDE, input: 'x' }).catch((e: unknown) => e);
        assert.ok(viaResponses instanceof OpenAI.RateLimitError, String(viaResponses));
        const res = await fetch(`${stack.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: CLAUDE, messages: [{ role: 'user', content: 'x' }] }),
        });
        assert.equal(res.status, 429);
        const body = (await res.json()) as { error: Record<string, unknown> };
        assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
      } finally {
        stack.sim.clearFaults();
      }
    });

    it('an upstream outage (503 capacity everywhere): a 503 in the OpenAI shape', async () => {
      stack.sim.injectFault({ kind: 'capacity', model: GEMINI, times: Infinity });
      try {
        const err = await client.chat.completions.create({ model: GEMINI, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
        assert.ok(err instanceof OpenAI.APIError && err.status !== undefined && err.status >= 500, String(err));
        assert.equal(err.status, 503);
        assert.equal(err.code, 'server_is_overloaded');
      } finally {
        stack.sim.clearFaults();
      }
    });
  });
});

describe('openai SDK → a gateway that requires a key', () => {
  let stack: Stack;
  let key: string;
  before(async () => {
    stack = await startStack({ flags: { authMode: 'strict' } });
    key = await stack.agate.security.primaryKey();
  });
  after(() => stack.close());

  it('a wrong key: 401 AuthenticationError, invalid_api_key, on every OpenAI endpoint', async () => {
    const client = clientFor(stack, 'sk-wrong');
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['chat', () => client.chat.completions.create({ model: GEMINI, messages: [{ role: 'user', content: 'x' }] })],
      ['responses', () => client.responses.create({ model: GEMINI, input: 'x' })],
      ['completions', () => client.completions.create({ model: GEMINI, prompt: 'x' })],
      ['models', () => client.models.list()],
    ];
    for (const [name, call] of calls) {
      const err = await call().catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.AuthenticationError, `${name}: ${String(err)}`);
      assert.equal(err.type, 'authentication_error', name);
      assert.equal(err.code, 'invalid_api_key', name);
    }
    assert.equal(stack.sim.log.filter((e) => e.method.includes('Content')).length, 0);
  });

  it('the right key answers', async () => {
    const completion = await clientFor(stack, key).chat.completions.create({ model: GEMINI, messages: [{ role: 'user', content: 'key' }] });
    assert.equal(completion.choices[0].message.content, `Hello from ${GEMINI}. You said: key`);
  });
});
