/**
 * Google OAuth stand-in (upstream-protocol §3): the token endpoint (refresh_token
 * and authorization_code grants, PKCE checked), userinfo, and an authorize
 * page that consents at once and redirects back with a code.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { SimAccount } from './accounts';
import type { Exchange } from './exchange';
import { SimHttpError, unauthenticated } from './google-errors';
import { bearerToken, isObject, parseJson } from './http';
import type { SimState } from './state';

const OAUTH_SCOPES = [
  'https://www.googleapis.com/auth/cloud-platform',
  'https://www.googleapis.com/auth/userinfo.email',
  'https://www.googleapis.com/auth/userinfo.profile',
  'https://www.googleapis.com/auth/cclog',
  'https://www.googleapis.com/auth/experimentsandconfigs',
];
const CODE_TTL_MS = 10 * 60 * 1000;
const SECRET_FIELDS = ['refresh_token', 'code', 'code_verifier', 'client_secret'];

interface PendingCode {
  account: SimAccount;
  clientId: string;
  redirectUri: string;
  challenge?: string;
  challengeMethod?: string;
  expiresAt: number;
}

function oauthError(status: number, error: string, description: string): SimHttpError {
  return new SimHttpError(status, { error, error_description: description });
}

/** Form fields (or JSON, which Google also takes) as strings. */
export function parseTokenForm(req: IncomingMessage, text: string): Record<string, string> {
  if ((req.headers['content-type'] ?? '').includes('application/json')) {
    const body = parseJson(text);
    if (!isObject(body)) throw oauthError(400, 'invalid_request', 'Invalid JSON body.');
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v)]));
  }
  return Object.fromEntries(new URLSearchParams(text));
}

/** What the request log keeps of a token request: secrets replaced. */
export function redactedForm(form: Record<string, string>): Record<string, string> {
  const copy: Record<string, string> = {};
  for (const [key, value] of Object.entries(form)) copy[key] = SECRET_FIELDS.includes(key) ? '[redacted]' : value;
  return copy;
}

export class OAuthStandIn {
  private readonly codes = new Map<string, PendingCode>();

  constructor(private readonly state: SimState) {}

  token(exchange: Exchange, form: Record<string, string>): void {
    if (!form.client_id) throw oauthError(400, 'invalid_request', 'Could not determine client ID from request.');
    if (!form.client_secret) throw oauthError(400, 'invalid_request', 'client_secret is missing.');
    let account: SimAccount;
    let refreshToken: string | undefined;
    switch (form.grant_type) {
      case 'refresh_token': {
        if (!form.refresh_token) throw oauthError(400, 'invalid_request', 'Missing required parameter: refresh_token');
        const found = this.state.accounts.byRefresh(form.refresh_token);
        if (!found) throw oauthError(400, 'invalid_grant', 'Token has been expired or revoked.');
        account = found;
        break;
      }
      case 'authorization_code':
        account = this.redeem(form);
        refreshToken = account.refreshToken;
        break;
      default:
        throw oauthError(400, 'unsupported_grant_type', `Invalid grant_type: ${form.grant_type ?? ''}`);
    }
    exchange.annotate({ account: account.email });
    const { accessToken, expiresInSec } = this.state.accounts.issueAccessToken(account);
    const body: Record<string, unknown> = {
      access_token: accessToken,
      expires_in: expiresInSec,
      scope: OAUTH_SCOPES.join(' '),
      token_type: 'Bearer',
    };
    if (refreshToken) body.refresh_token = refreshToken;
    exchange.sendJson(200, body, { 'cache-control': 'no-store' });
  }

  /** An authorization code is single-use, short-lived, bound to its client, redirect URI and PKCE challenge. */
  private redeem(form: Record<string, string>): SimAccount {
    if (!form.code) throw oauthError(400, 'invalid_request', 'Missing required parameter: code');
    const pending = this.codes.get(form.code);
    this.codes.delete(form.code);
    if (!pending || pending.expiresAt <= this.state.now()) throw oauthError(400, 'invalid_grant', 'Bad Request');
    if (pending.clientId !== form.client_id) throw oauthError(400, 'invalid_grant', 'Bad Request');
    if (pending.redirectUri !== form.redirect_uri) throw oauthError(400, 'redirect_uri_mismatch', 'Bad Request');
    if (pending.challenge !== undefined) {
      if (!form.code_verifier) throw oauthError(400, 'invalid_grant', 'Missing code verifier.');
      const computed = pending.challengeMethod === 'plain' ? form.code_verifier : createHash('sha256').update(form.code_verifier).digest('base64url');
      if (computed !== pending.challenge) throw oauthError(400, 'invalid_grant', 'Invalid code verifier.');
    }
    return pending.account;
  }

  userinfo(exchange: Exchange, req: IncomingMessage): void {
    const token = bearerToken(req);
    const account = token ? this.state.accounts.authenticate(token) : undefined;
    if (!account) throw unauthenticated(token === undefined);
    exchange.annotate({ account: account.email });
    const id = BigInt(`0x${createHash('sha256').update(account.email).digest('hex').slice(0, 15)}`).toString();
    const name = account.email.split('@')[0];
    exchange.sendJson(200, { id, email: account.email, verified_email: true, name, given_name: name });
  }

  /** Plays Google's consent screen: the hinted (or first) account signs in and consents at once. */
  authorize(exchange: Exchange, query: URLSearchParams): void {
    const clientId = query.get('client_id');
    const redirectUri = query.get('redirect_uri');
    const challenge = query.get('code_challenge') ?? undefined;
    const challengeMethod = challenge === undefined ? undefined : (query.get('code_challenge_method') ?? 'plain');
    let problem: string | undefined;
    if (!clientId) problem = 'Missing required parameter: client_id';
    else if (!redirectUri || !/^https?:\/\//.test(redirectUri)) problem = 'Missing or invalid parameter: redirect_uri';
    else if (query.get('response_type') !== 'code') problem = 'Invalid response_type: only "code" is supported';
    else if (!query.get('scope')) problem = 'Missing required parameter: scope';
    else if (challengeMethod !== undefined && challengeMethod !== 'S256' && challengeMethod !== 'plain') {
      problem = `Invalid code_challenge_method: ${challengeMethod}`;
    }
    const account = this.state.accounts.pick(query.get('login_hint') ?? undefined);
    if (!problem && !account) problem = 'No simulated account can sign in: add one first';
    if (problem || !account) {
      const text = `<!doctype html><title>Error 400: invalid_request</title><h1>Error 400: invalid_request</h1><p>${escapeHtml(problem ?? '')}</p>`;
      exchange.head(400, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      exchange.res.end(text);
      return;
    }
    exchange.annotate({ account: account.email });
    this.state.accounts.consent(account);
    this.sweepCodes();
    const code = `4/sim-${randomBytes(24).toString('base64url')}`;
    this.codes.set(code, {
      account,
      clientId: clientId!,
      redirectUri: redirectUri!,
      challenge,
      challengeMethod,
      expiresAt: this.state.now() + CODE_TTL_MS,
    });
    const target = new URL(redirectUri!);
    const state = query.get('state');
    if (state !== null) target.searchParams.set('state', state);
    target.searchParams.set('code', code);
    target.searchParams.set('scope', query.get('scope')!);
    exchange.head(302, { location: target.toString(), 'content-length': 0 });
    exchange.res.end();
  }

  private sweepCodes(): void {
    const now = this.state.now();
    for (const [code, pending] of this.codes) {
      if (pending.expiresAt <= now) this.codes.delete(code);
    }
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
