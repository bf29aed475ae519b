import assert from 'node:assert/strict';
import { ImportFormatError, parseAccountImport } from '../../../src/core/accounts/import';
import { createAccountPool } from '../../../src/core/accounts/pool';
import { FakeClock, FakeGoogle, MemoryDocuments, MemorySecrets, refreshTokenOf } from './fakes';

describe('account import', () => {
  it('reads our own format: an array of {email, refresh_token}', () => {
    const parsed = parseAccountImport(JSON.stringify([{ email: 'a@x.com', refresh_token: '1//a' }, { refresh_token: '1//b' }]));
    assert.deepEqual(parsed.entries, [
      { index: 0, email: 'a@x.com', refreshToken: '1//a' },
      { index: 1, refreshToken: '1//b' },
    ]);
    assert.deepEqual(parsed.skipped, []);
  });

  it('reads peer exports: refreshToken keys, {accounts} wrappers, token nesting, bare strings', () => {
    const parsed = parseAccountImport({
      accounts: [
        { email: 'a@x.com', refreshToken: '1//a' },
        { email: 'b@x.com', token: { access_token: 'ya29', refresh_token: '1//b', expiry_timestamp: 1 } },
        { token: { email: 'c@x.com', refresh_token: '1//c' } },
        '1//d',
      ],
    });
    assert.deepEqual(parsed.entries, [
      { index: 0, email: 'a@x.com', refreshToken: '1//a' },
      { index: 1, email: 'b@x.com', refreshToken: '1//b' },
      { index: 2, email: 'c@x.com', refreshToken: '1//c' },
      { index: 3, refreshToken: '1//d' },
    ]);
  });

  it('accepts a single account object', () => {
    assert.deepEqual(parseAccountImport({ email: 'a@x.com', refresh_token: ' 1//a ' }).entries, [{ index: 0, email: 'a@x.com', refreshToken: '1//a' }]);
  });

  it('skips entries without a token and repeated tokens, saying where', () => {
    const parsed = parseAccountImport([{ email: 'a@x.com' }, { refresh_token: '1//a' }, { refresh_token: '1//a' }, 42]);
    assert.deepEqual(parsed.entries, [{ index: 1, refreshToken: '1//a' }]);
    assert.deepEqual(parsed.skipped, [
      { index: 0, reason: 'no refresh token' },
      { index: 2, reason: 'duplicate refresh token' },
      { index: 3, reason: 'no refresh token' },
    ]);
  });

  it('rejects files that are not JSON or have no account list', () => {
    assert.throws(() => parseAccountImport('not json'), ImportFormatError);
    assert.throws(() => parseAccountImport({ users: [] }), /Expected a JSON array/);
  });

  it('imports into the pool, updating known emails and reporting failures per entry', async () => {
    const clock = new FakeClock();
    const google = new FakeGoogle(clock);
    google.add({ email: 'a@x.com', projectId: 'pa' });
    google.add({ email: 'b@x.com', projectId: 'pb' });
    const pool = await createAccountPool({
      documents: new MemoryDocuments(),
      secrets: new MemorySecrets(),
      oauth: google,
      api: google,
      clock,
    });
    await pool.addByRefreshToken(refreshTokenOf('a@x.com'));
    const report = await pool.importAccounts(
      JSON.stringify([
        { email: 'a@x.com', refresh_token: refreshTokenOf('a@x.com') },
        { email: 'b@x.com', refresh_token: refreshTokenOf('b@x.com') },
        { email: 'gone@x.com', refresh_token: '1//revoked' },
        { email: 'nobody@x.com' },
      ]),
    );
    assert.deepEqual(
      report.added.map((a) => a.email),
      ['b@x.com'],
    );
    assert.deepEqual(
      report.updated.map((a) => a.email),
      ['a@x.com'],
    );
    assert.equal(report.failed.length, 2);
    assert.equal(report.failed[0].index, 2);
    assert.equal(report.failed[0].email, 'gone@x.com');
    assert.match(report.failed[0].error, /token refresh failed: .*invalid_grant/);
    assert.deepEqual(report.failed[1], { index: 3, error: 'no refresh token' });
    assert.equal(pool.list().length, 2);
  });
});
