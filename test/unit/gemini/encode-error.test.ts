import assert from 'node:assert/strict';
import { GatewayError, invalidRequest, type GatewayErrorKind } from '../../../src/core/errors';
import { GeminiCodec } from '../../../src/core/protocols/gemini';

const codec = new GeminiCodec();

describe('gemini encode: errors', () => {
  it('uses the HTTP code and canonical status Google clients expect for every kind', () => {
    const expected: Record<GatewayErrorKind, [number, string]> = {
      invalid_request: [400, 'INVALID_ARGUMENT'],
      request_too_large: [400, 'INVALID_ARGUMENT'],
      request_timeout: [408, 'DEADLINE_EXCEEDED'],
      authentication: [401, 'UNAUTHENTICATED'],
      permission: [403, 'PERMISSION_DENIED'],
      not_found: [404, 'NOT_FOUND'],
      rate_limit: [429, 'RESOURCE_EXHAUSTED'],
      api_error: [500, 'INTERNAL'],
      bad_gateway: [502, 'UNAVAILABLE'],
      unavailable: [503, 'UNAVAILABLE'],
      overloaded: [503, 'UNAVAILABLE'],
      timeout: [504, 'DEADLINE_EXCEEDED'],
    };
    for (const [kind, [code, status]] of Object.entries(expected)) {
      const reply = codec.encodeError(new GatewayError(kind as GatewayErrorKind, `failed: ${kind}`));
      assert.equal(reply.status, code, kind);
      assert.deepEqual(reply.body, { error: { code, message: `failed: ${kind}`, status } }, kind);
      assert.equal(reply.headers, undefined);
    }
  });

  it("keeps the upstream's 429 details untouched and adds a retry-after header", () => {
    const details = [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'RATE_LIMIT_EXCEEDED',
        domain: 'cloudcode-pa.googleapis.com',
        metadata: { model: 'gemini-3-flash', quotaResetDelay: '479.417207ms' },
      },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '0.479417207s' },
    ];
    const reply = codec.encodeError(
      new GatewayError('rate_limit', 'You have exhausted your capacity on this model.', { details, retryAfterSeconds: 0.479417207 }),
    );
    assert.equal(reply.status, 429);
    assert.deepEqual(reply.headers, { 'retry-after': '1' });
    assert.deepEqual(reply.body, {
      error: { code: 429, message: 'You have exhausted your capacity on this model.', status: 'RESOURCE_EXHAUSTED', details },
    });
  });

  it('adds a RetryInfo, which gemini-cli reads to time its retry, when only the delay is known', () => {
    const reply = codec.encodeError(new GatewayError('rate_limit', 'All accounts are rate limited', { retryAfterSeconds: 42.5 }));
    assert.deepEqual(reply.headers, { 'retry-after': '43' });
    assert.deepEqual((reply.body as any).error.details, [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '42.5s' }]);
  });

  it('reports the field of a 400 as a BadRequest field violation', () => {
    const reply = codec.encodeError(invalidRequest("Invalid value at 'contents[0].parts[1].text' (TYPE_STRING), 1", 'contents[0].parts[1].text'));
    assert.deepEqual((reply.body as any).error.details, [
      {
        '@type': 'type.googleapis.com/google.rpc.BadRequest',
        fieldViolations: [{ field: 'contents[0].parts[1].text', description: "Invalid value at 'contents[0].parts[1].text' (TYPE_STRING), 1" }],
      },
    ]);
  });
});
