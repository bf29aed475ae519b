/**
 * Failures on the native Gemini endpoints as @google/genai sees them: Google's
 * `{error:{code,message,status,details}}` shape through the SDK's ApiError,
 * and the gateway key in every place a Gemini client puts it.
 */
import assert from 'node:assert/strict';
import type { ApiError, GoogleGenAI } from '@google/genai' with { 'resolution-mode': 'import' };
import { startStack, type Stack } from '../../helpers/stack';
import { lastUpstreamGeneration } from './upstream';

type GenAI = typeof import('@google/genai', { with: { 'resolution-mode': 'import' } });

const MODEL = 'gemini-3-flash';

interface GoogleError {
  error: { code: number; message: string; status: string; details?: Array<Record<string, unknown>> };
}

/** The SDK's ApiError for `run`, with the Google error body it carries as its message. */
async function apiErrorOf(genai: GenAI, run: () => Promise<unknown>): Promise<{ status: number; body: GoogleError }> {
  try {
    await run();
  } catch (err) {
    assert.ok(err instanceof genai.ApiError, `expected an ApiError, got ${String(err)}`);
    const apiError = err as ApiError;
    return { status: apiError.status, body: JSON.parse(apiError.message) as GoogleError };
  }
  assert.fail('the call succeeded');
}

describe('gemini e2e: errors in Google shape', () => {
  let stack: Stack;
  let genai: GenAI;
  let ai: GoogleGenAI;

  before(async () => {
    genai = await import('@google/genai');
    stack = await startStack({
      accounts: [
        { email: 'ada@example.com', refreshToken: '1//gemini-errors-ada', tier: 'g1-pro-tier' },
        { email: 'bob@example.com', refreshToken: '1//gemini-errors-bob', tier: 'g1-pro-tier' },
      ],
    });
    ai = new genai.GoogleGenAI({ apiKey: 'any-key', httpOptions: { baseUrl: stack.url } });
  });
  after(() => stack.close());
  beforeEach(() => stack.sim.reset());

  it('a request the upstream rejects comes back as 400 with the upstream’s own message', async () => {
    const { status, body } = await apiErrorOf(genai, () => ai.models.generateContent({ model: MODEL, contents: 'x', config: { temperature: 2.5 } }));
    assert.equal(status, 400);
    assert.equal(body.error.code, 400);
    assert.equal(body.error.status, 'INVALID_ARGUMENT');
    assert.match(body.error.message, /temperature value of 2\.5 but the supported range is from 0 \(inclusive\) to 2\.0001 \(exclusive\)/);
    assert.equal(lastUpstreamGeneration(stack.sim).status, 400, 'the upstream judged it');
  });

  it('a 400 the upstream makes up is passed on word for word, streamed or not', async () => {
    const contents = '[[sim:fault bad_request {"message":"Request contains an invalid argument: lighthouse."}]]';
    const whole = await apiErrorOf(genai, () => ai.models.generateContent({ model: MODEL, contents }));
    assert.deepEqual(
      [whole.status, whole.body.error.status, whole.body.error.message],
      [400, 'INVALID_ARGUMENT', 'Request contains an invalid argument: lighthouse.'],
    );
    const streamed = await apiErrorOf(genai, async () => {
      for await (const chunk of await ai.models.generateContentStream({ model: MODEL, contents })) void chunk;
    });
    assert.deepEqual([streamed.status, streamed.body.error.message], [400, 'Request contains an invalid argument: lighthouse.']);
  });

  it('a malformed request is refused by the gateway as 400 naming the field', async () => {
    const res = await fetch(`${stack.url}/v1beta/models/${MODEL}:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'a', inlineData: { mimeType: 'image/png', data: 'x' } }] }] }),
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as GoogleError;
    assert.equal(body.error.status, 'INVALID_ARGUMENT');
    assert.match(body.error.message, /oneof field 'data' is already set/);
    assert.equal(stack.sim.log.length, 0, 'nothing went upstream');
  });

  it('an unknown model is 404 NOT_FOUND for generation and for models.get', async () => {
    const generation = await apiErrorOf(genai, () => ai.models.generateContent({ model: 'gemini-0-nonexistent', contents: 'x' }));
    assert.deepEqual([generation.status, generation.body.error.code, generation.body.error.status], [404, 404, 'NOT_FOUND']);
    assert.match(generation.body.error.message, /gemini-0-nonexistent/);
    const lookup = await apiErrorOf(genai, () => ai.models.get({ model: 'gemini-0-nonexistent' }));
    assert.deepEqual([lookup.status, lookup.body.error.status], [404, 'NOT_FOUND']);
    const method = await fetch(`${stack.url}/v1beta/models/${MODEL}:embedContent`, { method: 'POST', body: '{}' });
    assert.equal(method.status, 404);
    assert.equal(((await method.json()) as GoogleError).error.status, 'NOT_FOUND');
  });

  it('429 when every account is exhausted, with the upstream’s ErrorInfo and RetryInfo details', async () => {
    stack.sim.injectFault({ kind: 'quota_exhausted', times: Infinity, resetInMs: 2 * 3_600_000 });
    const { status, body } = await apiErrorOf(genai, () => ai.models.generateContent({ model: MODEL, contents: 'x' }));
    assert.equal(status, 429);
    assert.equal(body.error.code, 429);
    assert.equal(body.error.status, 'RESOURCE_EXHAUSTED');
    const errorInfo = body.error.details?.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.ErrorInfo');
    assert.equal(errorInfo?.reason, 'QUOTA_EXHAUSTED', JSON.stringify(body));
    assert.equal((errorInfo?.metadata as Record<string, string> | undefined)?.quotaResetDelay, '2h0m0s');
    const retryInfo = body.error.details?.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.RetryInfo');
    // The gateway's own delay until the first account is free: both reset in two hours.
    assert.match(String(retryInfo?.retryDelay), /^\d+(\.\d+)?s$/);
    assert.ok(Math.abs(parseFloat(String(retryInfo?.retryDelay)) - 7200) <= 2, String(retryInfo?.retryDelay));
    const tried = new Set(stack.sim.log.filter((e) => e.method === 'streamGenerateContent').map((e) => e.account));
    assert.deepEqual([...tried].sort(), ['ada@example.com', 'bob@example.com'], 'both accounts were tried');
  });

  it('a streamed request that fails before its first chunk is an ApiError too, not an empty stream', async () => {
    stack.sim.injectFault({ kind: 'quota_exhausted', times: Infinity });
    const { status, body } = await apiErrorOf(genai, async () => {
      for await (const chunk of await ai.models.generateContentStream({ model: MODEL, contents: 'x' })) void chunk;
    });
    assert.equal(status, 429);
    assert.equal(body.error.status, 'RESOURCE_EXHAUSTED');
  });
});

describe('gemini e2e: the gateway key with authMode strict', () => {
  let stack: Stack;
  let genai: GenAI;
  let key: string;

  before(async () => {
    genai = await import('@google/genai');
    stack = await startStack({ flags: { authMode: 'strict' } });
    key = await stack.agate.security.primaryKey();
  });
  after(() => stack.close());

  const client = (apiKey: string) => new genai.GoogleGenAI({ apiKey, httpOptions: { baseUrl: stack.url } });

  it('the SDK’s x-goog-api-key is accepted for generation, counting and listing', async () => {
    const ai = client(key);
    assert.equal((await ai.models.generateContent({ model: MODEL, contents: 'keyed' })).text, `Hello from ${MODEL}. You said: keyed`);
    assert.ok((await ai.models.countTokens({ model: MODEL, contents: 'keyed' })).totalTokens);
    assert.equal((await ai.models.get({ model: MODEL })).name, `models/${MODEL}`);
  });

  it('a wrong key is 401 UNAUTHENTICATED in Google shape through the SDK', async () => {
    const { status, body } = await apiErrorOf(genai, () => client('not-the-key').models.generateContent({ model: MODEL, contents: 'x' }));
    assert.deepEqual([status, body.error.code, body.error.status], [401, 401, 'UNAUTHENTICATED']);
  });

  for (const [where, place] of [
    ['?key=', (url: URL, headers: Record<string, string>, value: string) => void (url.searchParams.set('key', value), headers)],
    ['Bearer', (_url: URL, headers: Record<string, string>, value: string) => void (headers.authorization = `Bearer ${value}`)],
    ['x-goog-api-key', (_url: URL, headers: Record<string, string>, value: string) => void (headers['x-goog-api-key'] = value)],
  ] as const) {
    it(`the key as ${where} opens the generation, stream and model routes; without it they are 401`, async () => {
      const call = async (path: string, body?: unknown, withKey = true) => {
        const url = new URL(path, stack.url);
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (withKey) place(url, headers, key);
        return fetch(url, body === undefined ? { headers } : { method: 'POST', headers, body: JSON.stringify(body) });
      };
      const contents = [{ role: 'user', parts: [{ text: 'hi' }] }];
      for (const [path, body] of [
        [`/v1beta/models/${MODEL}:generateContent`, { contents }],
        [`/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`, { contents }],
        [`/v1/models/${MODEL}:countTokens`, { contents }],
        ['/v1beta/models', undefined],
      ] as const) {
        const opened = await call(path, body);
        assert.equal(opened.status, 200, `${path}: ${await opened.text()}`);
        const refused = await call(path, body, false);
        assert.equal(refused.status, 401, path);
        assert.equal(((await refused.json()) as GoogleError).error.status, 'UNAUTHENTICATED');
      }
    });
  }
});
