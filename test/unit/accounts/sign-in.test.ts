import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { refreshTokenKey } from '../../../src/core/accounts/account-store';
import { createOAuthClient } from '../../../src/core/accounts/oauth';
import { createAccountPool, type AccountPool } from '../../../src/core/accounts/pool';
import { SignInError } from '../../../src/core/accounts/sign-in';
import { defaultConfig } from '../../../src/core/config/defaults';
import { FakeClock, FakeGoogle, MemoryDocuments, MemorySecrets } from './fakes';

/** A tiny Google consent screen and token endpoint that check PKCE like the real one. */
class FakeOAuthServer {
  readonly tokenRequests: URLSearchParams[] = [];
  readonly authorizeRequests: URLSearchParams[] = [];
  private readonly codes = new Map<string, { email: string; challenge: string; redirectUri: string }>();
  private server = http.createServer((req, res) => void this.handle(req, res));
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    if (url.pathname === '/authorize') {
      const q = url.searchParams;
      this.authorizeRequests.push(q);
      const denied = q.get('login_hint') === 'refuse@example.com';
      const target = new URL(q.get('redirect_uri') ?? '');
      if (denied) {
        target.searchParams.set('error', 'access_denied');
      } else {
        const code = `code-${this.codes.size + 1}`;
        this.codes.set(code, {
          email: q.get('login_hint') ?? 'ada@example.com',
          challenge: q.get('code_challenge') ?? '',
          redirectUri: q.get('redirect_uri') ?? '',
        });
        target.searchParams.set('code', code);
      }
      target.searchParams.set('state', q.get('state') ?? '');
      res.writeHead(302, { location: target.toString() }).end();
      return;
    }
    if (url.pathname === '/token') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const form = new URLSearchParams(body);
      this.tokenRequests.push(form);
      const grant = this.codes.get(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      const valid =
        form.get('grant_type') === 'authorization_code' &&
        grant !== undefined &&
        createHash('sha256').update(verifier).digest('base64url') === grant.challenge &&
        form.get('redirect_uri') === grant.redirectUri;
      if (!valid || !grant) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_grant' }));
        return;
      }
      this.codes.delete(form.get('code') ?? '');
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ access_token: `at:${grant.email}:1`, expires_in: 3599, refresh_token: `1//signed-in-${grant.email}` }));
      return;
    }
    if (url.pathname === '/userinfo') {
      const email = FakeGoogle.emailOfToken((req.headers.authorization ?? '').replace('Bearer ', ''));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ email }));
      return;
    }
    res.writeHead(404).end();
  }
}

describe('Google sign-in (PKCE, loopback redirect)', () => {
  let oauthServer: FakeOAuthServer;
  let pool: AccountPool;
  let secrets: MemorySecrets;
  let clock: FakeClock;

  beforeEach(async () => {
    oauthServer = new FakeOAuthServer();
    await oauthServer.start();
    clock = new FakeClock();
    const google = new FakeGoogle(clock);
    google.add({ email: 'ada@example.com', projectId: 'proj-ada' });
    secrets = new MemorySecrets();
    const oauth = createOAuthClient({
      settings: {
        ...defaultConfig().oauth,
        authorizeUrl: `${oauthServer.url}/authorize`,
        tokenUrl: `${oauthServer.url}/token`,
        userinfoUrl: `${oauthServer.url}/userinfo`,
      },
      clock,
    });
    pool = await createAccountPool({ documents: new MemoryDocuments(), secrets, oauth, api: google, clock, signInPorts: [0] });
  });

  afterEach(async () => {
    await pool.close();
    await oauthServer.close();
  });

  it('the browser consents, comes back to the loopback, and the account is added', async () => {
    const session = await pool.beginSignIn({ loginHint: 'ada@example.com' });
    assert.match(session.redirectUri, /^http:\/\/localhost:\d+\/oauth-callback$/);
    const authorize = new URL(session.authorizeUrl);
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(authorize.searchParams.get('redirect_uri'), session.redirectUri);

    // Play the browser: follow the consent redirect back to the loopback listener.
    const page = await fetch(session.authorizeUrl);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Signed in[\s\S]*ada@example\.com/);

    const account = await session.completion;
    assert.equal(account.email, 'ada@example.com');
    assert.equal(account.projectId, 'proj-ada');
    assert.equal(await secrets.get(refreshTokenKey(account.id)), '1//signed-in-ada@example.com');
    const exchange = oauthServer.tokenRequests[0];
    assert.equal(exchange.get('grant_type'), 'authorization_code');
    assert.equal(exchange.get('redirect_uri'), session.redirectUri);
    assert.equal(pool.list().length, 1);
  });

  it('falls back to the next port when the first is taken', async () => {
    const squatter = http.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as AddressInfo).port;
    try {
      const session = await pool.beginSignIn({ ports: [taken, 0] });
      assert.notEqual(new URL(session.redirectUri).port, String(taken));
      session.cancel();
    } finally {
      squatter.close();
    }
  });

  it('uses the host-mapped redirect URI for both the consent and the code exchange', async () => {
    const session = await pool.beginSignIn({ mapRedirectUri: (uri) => uri.replace('localhost', '127.0.0.1') });
    assert.match(session.redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/oauth-callback$/);
    await (await fetch(session.authorizeUrl)).text();
    await session.completion;
    assert.equal(oauthServer.tokenRequests[0].get('redirect_uri'), session.redirectUri);
  });

  it('a redirect with another state is refused and the sign-in keeps waiting', async () => {
    const session = await pool.beginSignIn();
    const forged = new URL(session.redirectUri);
    forged.searchParams.set('code', 'stolen');
    forged.searchParams.set('state', 'not-ours');
    assert.equal((await fetch(forged)).status, 400);
    await (await fetch(session.authorizeUrl)).text();
    assert.equal((await session.completion).email, 'ada@example.com');
    assert.equal(oauthServer.tokenRequests.length, 1, 'the forged code was never exchanged');
  });

  it('a refused consent rejects the completion as denied', async () => {
    const session = await pool.beginSignIn({ loginHint: 'refuse@example.com' });
    assert.equal((await fetch(session.authorizeUrl)).status, 400);
    await assert.rejects(session.completion, (err: unknown) => err instanceof SignInError && err.reason === 'denied');
    assert.equal(pool.list().length, 0);
  });

  it('gives up when the browser never comes back', async () => {
    const session = await pool.beginSignIn({ timeoutMs: 120_000 });
    await clock.advance(119_000);
    assert.equal((await fetch(session.redirectUri)).status, 400, 'still listening');
    await clock.advance(1_000);
    await assert.rejects(session.completion, (err: unknown) => err instanceof SignInError && err.reason === 'timeout');
    await assert.rejects(fetch(session.redirectUri));
  });

  it('cancel stops listening and rejects the completion', async () => {
    const session = await pool.beginSignIn();
    session.cancel();
    await assert.rejects(session.completion, (err: unknown) => err instanceof SignInError && err.reason === 'cancelled');
    await assert.rejects(fetch(session.redirectUri));
  });
});
