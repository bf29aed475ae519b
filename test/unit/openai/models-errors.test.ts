import assert from 'node:assert/strict';
import { GatewayError, type GatewayErrorKind } from '../../../src/core/errors';
import { encodeModel, encodeModelList, encodeOpenAIError } from '../../../src/core/protocols/openai';

describe('openai models and errors', () => {
  it('lists models as OpenAI model objects', () => {
    const list = encodeModelList([
      { id: 'claude-sonnet-4-6', displayName: 'Claude Sonnet 4.6', kind: 'model' },
      { id: 'gemini-3-flash', displayName: 'Gemini 3 Flash', kind: 'model' },
      { id: 'fast', displayName: 'fast', kind: 'alias', target: ['gemini-3-flash'] },
    ]);
    assert.equal(list.object, 'list');
    assert.deepEqual(
      list.data.map((m) => [m.id, m.object, m.owned_by]),
      [
        ['claude-sonnet-4-6', 'model', 'anthropic'],
        ['gemini-3-flash', 'model', 'google'],
        ['fast', 'model', 'agate'],
      ],
    );
    assert.ok(list.data.every((m) => Number.isInteger(m.created) && m.created > 0));
    assert.deepEqual(encodeModel({ id: 'gpt-oss-120b-medium', displayName: 'GPT-OSS', kind: 'model' }), {
      id: 'gpt-oss-120b-medium',
      object: 'model',
      created: list.data[0].created,
      owned_by: 'openai',
    });
  });

  it('renders every error kind with the status, type and code OpenAI clients expect', () => {
    const expected: Array<[GatewayErrorKind, number, string, string | null]> = [
      ['invalid_request', 400, 'invalid_request_error', null],
      ['authentication', 401, 'authentication_error', 'invalid_api_key'],
      ['permission', 403, 'permission_error', null],
      ['not_found', 404, 'invalid_request_error', null],
      ['request_too_large', 413, 'invalid_request_error', 'request_too_large'],
      ['request_timeout', 408, 'invalid_request_error', 'timeout'],
      ['rate_limit', 429, 'requests', 'rate_limit_exceeded'],
      ['api_error', 500, 'server_error', null],
      ['bad_gateway', 502, 'server_error', 'bad_gateway'],
      ['unavailable', 503, 'service_unavailable_error', 'service_unavailable'],
      ['overloaded', 503, 'service_unavailable_error', 'server_is_overloaded'],
      ['timeout', 504, 'server_error', 'timeout'],
    ];
    for (const [kind, status, type, code] of expected) {
      const reply = encodeOpenAIError(new GatewayError(kind, 'Something happened.'));
      assert.equal(reply.status, status, kind);
      assert.deepEqual(reply.body, { error: { message: 'Something happened.', type, param: null, code } }, kind);
    }
  });

  it('names the parameter, and says model_not_found / previous_response_not_found', () => {
    const bad = encodeOpenAIError(new GatewayError('invalid_request', 'Bad.', { param: 'messages[3].tool_call_id' }));
    assert.equal((bad.body as any).error.param, 'messages[3].tool_call_id');
    const model = encodeOpenAIError(new GatewayError('not_found', 'The model `x` does not exist.', { param: 'model' }));
    assert.equal((model.body as any).error.code, 'model_not_found');
    const previous = encodeOpenAIError(new GatewayError('not_found', 'Gone.', { param: 'previous_response_id' }));
    assert.equal((previous.body as any).error.code, 'previous_response_not_found');
  });

  it('tells rate-limited clients when to retry, in headers and in the message', () => {
    const reply = encodeOpenAIError(new GatewayError('rate_limit', 'All accounts are cooling down.', { retryAfterSeconds: 2.5 }));
    assert.deepEqual(reply.headers, { 'retry-after': '3', 'retry-after-ms': '2500' });
    assert.equal((reply.body as any).error.message, 'All accounts are cooling down. Please try again in 2.5s.');
    assert.equal(encodeOpenAIError(new GatewayError('api_error', 'x')).headers, undefined);
  });
});
