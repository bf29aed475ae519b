import assert from 'node:assert/strict';
import { classifyHttpFailure, classifyNetworkError } from '../../../src/core/upstream/cloudcode/classify';
import { parseDurationMs } from '../../../src/core/upstream/cloudcode/duration';

const NOW = Date.parse('2026-04-20T09:00:00Z');

function googleError(code: number, status: string, message: string, details: unknown[] = []) {
  return { error: { code, status, message, details } };
}

const errorInfo = (reason: string, metadata: Record<string, string> = {}) => ({
  '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
  reason,
  domain: 'cloudcode-pa.googleapis.com',
  metadata,
});
const retryInfo = (retryDelay: string) => ({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay });

describe('cloudcode failure classification', () => {
  it('parses protobuf durations', () => {
    assert.equal(parseDurationMs('0.479417207s'), 480);
    assert.equal(parseDurationMs('479.4ms'), 480);
    assert.equal(parseDurationMs('1h2m3s'), 3_723_000);
    assert.equal(parseDurationMs('1.1s'), 1100);
    assert.equal(parseDurationMs('0s'), 0);
    assert.equal(parseDurationMs('90m'), 5_400_000);
    assert.equal(parseDurationMs('soon'), undefined);
    assert.equal(parseDurationMs(''), undefined);
    assert.equal(parseDurationMs(3), undefined);
  });

  it('a short 429 is rate_limited with the delay Google asked for', () => {
    const body = googleError(429, 'RESOURCE_EXHAUSTED', 'You have exhausted your capacity on this model. Your quota will reset after 0s.', [
      errorInfo('RATE_LIMIT_EXCEEDED', { model: 'claude-sonnet-4-6', quotaResetDelay: '479.417207ms', quotaResetTimeStamp: '2026-04-20T09:19:49Z' }),
      retryInfo('0.479417207s'),
    ]);
    const failure = classifyHttpFailure(429, body, { now: NOW });
    assert.equal(failure.kind, 'rate_limited');
    assert.equal(failure.reason, 'RATE_LIMIT_EXCEEDED');
    assert.equal(failure.retryAfterMs, 480);
    assert.equal(failure.model, 'claude-sonnet-4-6');
    assert.equal(failure.status, 429);
    assert.deepEqual(failure.body, body);
  });

  it('an exhausted quota carries its reset time', () => {
    const body = googleError(429, 'RESOURCE_EXHAUSTED', 'Quota exhausted. Your quota will reset after 3h20m.', [
      errorInfo('QUOTA_EXHAUSTED', { quotaResetTimeStamp: '2026-04-20T12:20:00Z' }),
    ]);
    const failure = classifyHttpFailure(429, body, { model: 'gemini-3-flash', now: NOW });
    assert.equal(failure.kind, 'quota_exhausted');
    assert.equal(failure.resetAt, Date.parse('2026-04-20T12:20:00Z'));
    assert.equal(failure.retryAfterMs, 12_000_000);
    assert.equal(failure.model, 'gemini-3-flash');
  });

  it('an exhausted quota without a timestamp resets after its delay', () => {
    const body = googleError(429, 'RESOURCE_EXHAUSTED', 'Quota exhausted', [errorInfo('QUOTA_EXHAUSTED', { quotaResetDelay: '1h2m3s' })]);
    assert.equal(classifyHttpFailure(429, body, { now: NOW }).resetAt, NOW + 3_723_000);
  });

  it('falls back on Retry-After when the body names no delay', () => {
    const failure = classifyHttpFailure(429, 'Too Many Requests', { retryAfterHeader: '7', now: NOW });
    assert.equal(failure.kind, 'rate_limited');
    assert.equal(failure.retryAfterMs, 7000);
    assert.equal(failure.message, 'Too Many Requests');
  });

  it('no capacity for a model is capacity, not the account', () => {
    const reasoned = googleError(503, 'UNAVAILABLE', 'No capacity available for model gemini-3.1-pro-high on the server', [
      errorInfo('MODEL_CAPACITY_EXHAUSTED'),
    ]);
    assert.equal(classifyHttpFailure(503, reasoned).kind, 'capacity');
    assert.equal(classifyHttpFailure(503, googleError(503, 'UNAVAILABLE', 'No capacity available for model x')).kind, 'capacity');
    assert.equal(classifyHttpFailure(429, googleError(429, 'RESOURCE_EXHAUSTED', 'busy', [errorInfo('MODEL_CAPACITY_EXHAUSTED')])).kind, 'capacity');
    assert.equal(classifyHttpFailure(503, googleError(503, 'UNAVAILABLE', 'The service is currently unavailable.')).kind, 'server');
  });

  it('403 VALIDATION_REQUIRED is forbidden with the URL the user must visit', () => {
    const body = googleError(403, 'PERMISSION_DENIED', 'Verify your account to continue.', [
      errorInfo('VALIDATION_REQUIRED', { validation_url: 'https://accounts.google.com/signin/continue?x=1' }),
    ]);
    const failure = classifyHttpFailure(403, body);
    assert.equal(failure.kind, 'forbidden');
    assert.equal(failure.reason, 'VALIDATION_REQUIRED');
    assert.equal(failure.actionUrl, 'https://accounts.google.com/signin/continue?x=1');
    const inMessage = classifyHttpFailure(403, googleError(403, 'PERMISSION_DENIED', 'Please verify your account at https://g.co/verify now'));
    assert.equal(inMessage.actionUrl, 'https://g.co/verify');
    const help = classifyHttpFailure(
      403,
      googleError(403, 'PERMISSION_DENIED', 'Validation required', [
        errorInfo('VALIDATION_REQUIRED'),
        { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Verify', url: 'https://help.example/verify' }] },
      ]),
    );
    assert.equal(help.actionUrl, 'https://help.example/verify');
  });

  it('403 for a Terms of Service ban is forbidden and says so', () => {
    const failure = classifyHttpFailure(
      403,
      googleError(403, 'PERMISSION_DENIED', 'This service has been disabled in this account for violation of Terms of Service.'),
    );
    assert.equal(failure.kind, 'forbidden');
    assert.equal(failure.reason, 'ACCOUNT_DISABLED');
    assert.match(failure.message, /Terms of Service/);
  });

  it('401 means the access token expired', () => {
    assert.equal(classifyHttpFailure(401, googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.')).kind, 'auth_expired');
  });

  it('a 400 about thought signatures can be retried without them; other 400s keep the upstream message', () => {
    const signature = classifyHttpFailure(400, googleError(400, 'INVALID_ARGUMENT', 'Corrupted thought signature.'));
    assert.equal(signature.kind, 'signature_invalid');
    const claude = classifyHttpFailure(400, googleError(400, 'INVALID_ARGUMENT', 'messages.1.content.0: Invalid `signature` in `thinking` block'));
    assert.equal(claude.kind, 'signature_invalid');
    const bad = classifyHttpFailure(400, [googleError(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.')]);
    assert.equal(bad.kind, 'bad_request');
    assert.equal(bad.message, 'Request contains an invalid argument.');
  });

  it('classifies the remaining statuses', () => {
    assert.equal(classifyHttpFailure(404, googleError(404, 'NOT_FOUND', 'model not found')).kind, 'not_found');
    assert.equal(classifyHttpFailure(408, '').kind, 'timeout');
    assert.equal(classifyHttpFailure(500, googleError(500, 'INTERNAL', 'Internal error')).kind, 'server');
    assert.equal(classifyHttpFailure(502, '<html>Bad Gateway</html>').kind, 'server');
    assert.equal(classifyHttpFailure(413, '').kind, 'bad_request');
    assert.equal(classifyHttpFailure(500, '').message, 'HTTP 500');
  });

  it('network errors are network, connect timeouts are timeouts', () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
    const failure = classifyNetworkError(refused, 'gemini-3-flash');
    assert.equal(failure.kind, 'network');
    assert.match(failure.message, /ECONNREFUSED/);
    assert.equal(failure.model, 'gemini-3-flash');
    const slow = new TypeError('fetch failed', { cause: Object.assign(new Error('Connect Timeout Error'), { code: 'UND_ERR_CONNECT_TIMEOUT' }) });
    assert.equal(classifyNetworkError(slow).kind, 'timeout');
  });
});
