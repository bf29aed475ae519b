import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { startSimulator, type Simulator } from '../../../src/simulator';
import type { Json } from './harness';

const CLIENT = { client_id: 'agate-test-client.apps.googleusercontent.com', client_secret: 'test-secret' };
const REDIRECT_URI = 'http://localhost:51121/oauth-callback';

function tokenRequest(sim: Simulator, form: Record<string, string>): Promise<Response> {
  return fetch(`${sim.url}/oauth/token`, { method: 'POST', body: new URLSearchParams({ ...CLIENT, ...form }) });
}

function refresh(sim: Simulator, refreshToken: string): Promise<Response> {
  return tokenRequest(sim, { grant_type: 'refresh_token', refresh_token: refreshToken });
}

function loadCodeAssist(sim: Simulator, accessToken: string): Promise<Response> {
  return fetch(`${sim.url}/prod/v1internal:loadCodeAssist`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ metadata: { ideType: 'ANTIGRAVITY', platform: 'PLATFORM_UNSPECIFIED', pluginType: 'GEMINI' } }),
  });
}

/** Plays the browser: opens the consent URL and returns the redirect it gets. */
async function authorize(sim: Simulator, params: Record<string, string>): Promise<URL> {
  const query = new URLSearchParams({
    client_id: CLIENT.client_id,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: 'https://www.googleapis.com/auth/cloud-platform',
    access_type: 'offline',
    prompt: 'consent',
    ...params,
  });
  const res = await fetch(`${sim.url}/oauth/authorize?${query}`, { redirect: 'manual' });
  assert.equal(res.status, 302);
  return new URL(res.headers.get('location')!);
}

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

describe('simulator: Google OAuth stand-in', () => {
  let sim: Simulator;
  let clock = Date.parse('2026-11-01T10:00:00Z');
  before(async () => {
    sim = await startSimulator({ now: () => clock });
  });
  after(() => sim.close());
  beforeEach(() => {
    sim.reset();
    sim.addAccount({ email: 'ada@example.com', refreshToken: '1//refresh-ada' });
    sim.addAccount({ email: 'bob@example.com', refreshToken: '1//refresh-bob', accessTokenTtlSec: 60 });
  });

  it('a refresh_token grant issues an access token the upstream accepts', async () => {
    const res = await refresh(sim, '1//refresh-ada');
    assert.equal(res.status, 200);
    const body = (await res.json()) as Json;
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 3600);
    assert.equal(body.refresh_token, undefined);
    assert.match(body.scope, /cloud-platform/);
    assert.equal((await loadCodeAssist(sim, body.access_token)).status, 200);
    assert.equal(sim.log[0].account, 'ada@example.com');
    assert.equal((sim.log[0].body as Json).refresh_token, '[redacted]', 'the log keeps no secrets');
  });

  it('access tokens are short-lived: an expired one gets 401 and a refresh fixes it', async () => {
    const first = (await (await refresh(sim, '1//refresh-bob')).json()) as Json;
    assert.equal(first.expires_in, 60);
    assert.equal((await loadCodeAssist(sim, first.access_token)).status, 200);
    clock += 61_000;
    const expired = await loadCodeAssist(sim, first.access_token);
    assert.equal(expired.status, 401);
    assert.equal(((await expired.json()) as Json).error.status, 'UNAUTHENTICATED');
    const second = (await (await refresh(sim, '1//refresh-bob')).json()) as Json;
    assert.equal((await loadCodeAssist(sim, second.access_token)).status, 200);
  });

  it('a revoked account answers invalid_grant and its access tokens die', async () => {
    const live = (await (await refresh(sim, '1//refresh-ada')).json()) as Json;
    sim.revoke('ada@example.com');
    const res = await refresh(sim, '1//refresh-ada');
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
    assert.equal((await loadCodeAssist(sim, live.access_token)).status, 401);
    assert.equal((await refresh(sim, '1//never-issued')).status, 400);
  });

  it('authorization code with PKCE S256: consent, redirect with code and state, exchange, userinfo', async () => {
    const { verifier, challenge } = pkce();
    const redirect = await authorize(sim, { state: 'st-123', code_challenge: challenge, code_challenge_method: 'S256', login_hint: 'bob@example.com' });
    assert.equal(`${redirect.origin}${redirect.pathname}`, REDIRECT_URI);
    assert.equal(redirect.searchParams.get('state'), 'st-123');
    const code = redirect.searchParams.get('code')!;
    const exchange = await tokenRequest(sim, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier });
    assert.equal(exchange.status, 200);
    const tokens = (await exchange.json()) as Json;
    assert.equal(tokens.refresh_token, '1//refresh-bob');
    const me = await fetch(`${sim.url}/oauth/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(((await me.json()) as Json).email, 'bob@example.com');
    const again = await tokenRequest(sim, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier });
    assert.equal(((await again.json()) as Json).error, 'invalid_grant', 'a code is single-use');
  });

  it('refuses a wrong PKCE verifier, a missing one and another redirect URI', async () => {
    const { challenge } = pkce();
    const params = { code_challenge: challenge, code_challenge_method: 'S256' };
    const wrong = (await authorize(sim, params)).searchParams.get('code')!;
    const res = await tokenRequest(sim, { grant_type: 'authorization_code', code: wrong, redirect_uri: REDIRECT_URI, code_verifier: pkce().verifier });
    assert.deepEqual(await res.json(), { error: 'invalid_grant', error_description: 'Invalid code verifier.' });
    const missing = (await authorize(sim, params)).searchParams.get('code')!;
    const noVerifier = await tokenRequest(sim, { grant_type: 'authorization_code', code: missing, redirect_uri: REDIRECT_URI });
    assert.equal(((await noVerifier.json()) as Json).error, 'invalid_grant');
    const elsewhere = (await authorize(sim, {})).searchParams.get('code')!;
    const mismatch = await tokenRequest(sim, { grant_type: 'authorization_code', code: elsewhere, redirect_uri: 'http://localhost:9/cb' });
    assert.equal(((await mismatch.json()) as Json).error, 'redirect_uri_mismatch');
  });

  it('signs in the first account without a login hint', async () => {
    const code = (await authorize(sim, {})).searchParams.get('code')!;
    await tokenRequest(sim, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI });
    assert.equal(sim.log[sim.log.length - 1].account, 'ada@example.com');
  });

  it('signing in again after a revocation issues a new refresh token', async () => {
    sim.revoke('ada@example.com');
    const code = (await authorize(sim, { login_hint: 'ada@example.com' })).searchParams.get('code')!;
    const tokens = (await (await tokenRequest(sim, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI })).json()) as Json;
    assert.notEqual(tokens.refresh_token, '1//refresh-ada');
    assert.equal((await refresh(sim, tokens.refresh_token)).status, 200);
    assert.equal((await refresh(sim, '1//refresh-ada')).status, 400);
  });

  it('refuses malformed token and consent requests', async () => {
    const noSecret = await fetch(`${sim.url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: CLIENT.client_id, grant_type: 'refresh_token', refresh_token: '1//refresh-ada' }),
    });
    assert.equal(((await noSecret.json()) as Json).error, 'invalid_request');
    const badGrant = await tokenRequest(sim, { grant_type: 'password' });
    assert.equal(((await badGrant.json()) as Json).error, 'unsupported_grant_type');
    const noScope = await fetch(`${sim.url}/oauth/authorize?client_id=c&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&response_type=code`, {
      redirect: 'manual',
    });
    assert.equal(noScope.status, 400);
    assert.equal((await fetch(`${sim.url}/oauth/userinfo`)).status, 401);
  });
});
