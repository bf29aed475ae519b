import assert from 'node:assert/strict';
import { createOAuthClient, OAUTH_SCOPES } from '../../../src/core/accounts/oauth';
import { defaultConfig } from '../../../src/core/config/defaults';
import { UpstreamFailure } from '../../../src/core/upstream/failure';
import { FakeClock } from './fakes';

interface Seen {
  url: string;
  method: string;
  headers: Headers;
  body: string;
}

function fakeFetch(answer: (seen: Seen) => Response | Promise<Response>) {
  const seen: Seen[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const entry: Seen = {
      url: String(input),
      method: init?.method ?? 'GET',
      headers: new Headers(init?.headers),
      body: typeof init?.body === 'string' ? init.body : '',
    };
    seen.push(entry);
    return answer(entry);
  }) as typeof fetch;
  return { seen, fetchImpl };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('Google OAuth client', () => {
  const settings = defaultConfig().oauth;
  const clock = new FakeClock();

  it('refreshes with a form POST and computes the expiry', async () => {
    const { seen, fetchImpl } = fakeFetch(() => json(200, { access_token: 'ya29.new', expires_in: 3599 }));
    const client = createOAuthClient({ settings, fetch: fetchImpl, clock });
    const tokens = await client.refresh('1//secret');
    assert.equal(tokens.accessToken, 'ya29.new');
    assert.equal(tokens.expiresAt, clock.now() + 3599_000);
    assert.equal(seen[0].url, settings.tokenUrl);
    assert.equal(seen[0].method, 'POST');
    assert.equal(seen[0].headers.get('content-type'), 'application/x-www-form-urlencoded');
    const form = new URLSearchParams(seen[0].body);
    assert.equal(form.get('grant_type'), 'refresh_token');
    assert.equal(form.get('refresh_token'), '1//secret');
    assert.equal(form.get('client_id'), settings.clientId);
    assert.equal(form.get('client_secret'), settings.clientSecret);
  });

  it('exchanges an authorization code with its PKCE verifier', async () => {
    const { seen, fetchImpl } = fakeFetch(() => json(200, { access_token: 'ya29.a', expires_in: 3600, refresh_token: '1//r' }));
    const client = createOAuthClient({ settings, fetch: fetchImpl, clock });
    const tokens = await client.exchangeCode({ code: 'c0de', redirectUri: 'http://localhost:51121/oauth-callback', codeVerifier: 'v'.repeat(43) });
    assert.equal(tokens.refreshToken, '1//r');
    const form = new URLSearchParams(seen[0].body);
    assert.equal(form.get('grant_type'), 'authorization_code');
    assert.equal(form.get('code'), 'c0de');
    assert.equal(form.get('redirect_uri'), 'http://localhost:51121/oauth-callback');
    assert.equal(form.get('code_verifier'), 'v'.repeat(43));
  });

  it('invalid_grant means the account must sign in again', async () => {
    const { fetchImpl } = fakeFetch(() => json(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' }));
    const client = createOAuthClient({ settings, fetch: fetchImpl, clock });
    await assert.rejects(client.refresh('1//dead'), (err: unknown) => {
      assert.ok(err instanceof UpstreamFailure);
      assert.equal(err.kind, 'auth_revoked');
      assert.match(err.message, /Token has been expired or revoked/);
      return true;
    });
  });

  it('classifies an unreachable token endpoint as a network failure', async () => {
    const fetchImpl = (async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    }) as typeof fetch;
    const client = createOAuthClient({ settings, fetch: fetchImpl, clock });
    await assert.rejects(
      client.refresh('1//x'),
      (err: unknown) => err instanceof UpstreamFailure && err.kind === 'network' && /ECONNREFUSED/.test(err.message),
    );
  });

  it('reads the email from userinfo with the bearer token', async () => {
    const { seen, fetchImpl } = fakeFetch(() => json(200, { email: 'ada@example.com' }));
    const client = createOAuthClient({ settings, fetch: fetchImpl, clock });
    assert.equal(await client.userEmail('ya29.t'), 'ada@example.com');
    assert.equal(seen[0].url, settings.userinfoUrl);
    assert.equal(seen[0].headers.get('authorization'), 'Bearer ya29.t');
  });

  it('a 401 from userinfo is an expired token', async () => {
    const { fetchImpl } = fakeFetch(() => json(401, { error: { code: 401, message: 'Invalid Credentials', status: 'UNAUTHENTICATED' } }));
    const client = createOAuthClient({ settings, fetch: fetchImpl, clock });
    await assert.rejects(client.userEmail('ya29.old'), (err: unknown) => err instanceof UpstreamFailure && err.kind === 'auth_expired');
  });

  it('builds the consent URL with offline access, the scopes and an S256 challenge', () => {
    const client = createOAuthClient({ settings, clock });
    const url = new URL(
      client.authorizeUrl({ redirectUri: 'http://localhost:51121/oauth-callback', state: 's1', codeChallenge: 'ch', loginHint: 'ada@example.com' }),
    );
    assert.equal(url.origin + url.pathname, settings.authorizeUrl);
    const q = url.searchParams;
    assert.equal(q.get('response_type'), 'code');
    assert.equal(q.get('access_type'), 'offline');
    assert.equal(q.get('prompt'), 'consent');
    assert.equal(q.get('code_challenge_method'), 'S256');
    assert.equal(q.get('code_challenge'), 'ch');
    assert.equal(q.get('state'), 's1');
    assert.equal(q.get('login_hint'), 'ada@example.com');
    assert.deepEqual(q.get('scope')?.split(' '), OAUTH_SCOPES);
  });

  it('reads settings at call time, so a changed token URL applies at once', async () => {
    let current = { ...settings };
    const { seen, fetchImpl } = fakeFetch(() => json(200, { access_token: 'a' }));
    const client = createOAuthClient({ settings: () => current, fetch: fetchImpl, clock });
    current = { ...settings, tokenUrl: 'http://127.0.0.1:9/oauth/token' };
    await client.refresh('1//x');
    assert.equal(seen[0].url, 'http://127.0.0.1:9/oauth/token');
  });
});
