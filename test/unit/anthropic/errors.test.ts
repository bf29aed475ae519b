import assert from 'node:assert/strict';
import { GatewayError, type GatewayErrorKind } from '../../../src/core/errors';
import { anthropicCodec } from '../../../src/core/protocols/anthropic';

describe('anthropic error shapes', () => {
  const expected: Array<[GatewayErrorKind, number, string]> = [
    ['invalid_request', 400, 'invalid_request_error'],
    ['authentication', 401, 'authentication_error'],
    ['permission', 403, 'permission_error'],
    ['not_found', 404, 'not_found_error'],
    ['request_too_large', 413, 'request_too_large'],
    ['request_timeout', 408, 'timeout_error'],
    ['rate_limit', 429, 'rate_limit_error'],
    ['api_error', 500, 'api_error'],
    ['bad_gateway', 502, 'api_error'],
    ['unavailable', 503, 'api_error'],
    ['overloaded', 529, 'overloaded_error'],
    ['timeout', 504, 'timeout_error'],
  ];
  for (const [kind, status, type] of expected) {
    it(`${kind} → ${status} ${type}`, () => {
      const reply = anthropicCodec.encodeError(new GatewayError(kind, `something ${kind}`));
      const message = kind === 'authentication' ? `something ${kind} (invalid x-api-key)` : `something ${kind}`;
      assert.deepEqual({ status: reply.status, body: reply.body }, { status, body: { type: 'error', error: { type, message } } });
      const final = kind === 'authentication' || kind === 'permission';
      assert.equal(reply.headers?.['x-should-retry'], final ? 'false' : undefined);
    });
  }

  it('rate limits carry retry-after in whole seconds, rounded up', () => {
    const reply = anthropicCodec.encodeError(new GatewayError('rate_limit', 'Slow down.', { retryAfterSeconds: 2.3 }));
    assert.deepEqual(reply.headers, { 'retry-after': '3' });
    assert.equal(reply.status, 429);
  });

  it('a 401 names x-api-key, which is what makes Claude Code say "Invalid API key" and stop', () => {
    const reply = anthropicCodec.encodeError(new GatewayError('authentication', 'Send the key as "x-api-key" or a bearer token.'));
    assert.equal((reply.body as { error: { message: string } }).error.message, 'Send the key as "x-api-key" or a bearer token.');
  });
});
