import type { Dispatcher } from 'undici';
import type { MinimalFetch } from '../upstream/transport';
import type { GatewayConfig } from '../config/types';
import { systemClock, type Clock } from '../ports';
import { UpstreamFailure } from '../upstream/failure';

/**
 * Google OAuth for the Antigravity installed-app client (upstream-protocol §3):
 * authorize URL, token endpoint (authorization code + PKCE, refresh grant)
 * and userinfo. Failures are UpstreamFailures, so the scheduler treats a dead
 * refresh token (`invalid_grant`) like any other classified failure.
 */

export type OAuthSettings = Pick<GatewayConfig['oauth'], 'tokenUrl' | 'userinfoUrl' | 'authorizeUrl' | 'clientId' | 'clientSecret'>;

export const OAUTH_SCOPES = [
  'https://www.googleapis.com/auth/cloud-platform',
  'https://www.googleapis.com/auth/userinfo.email',
  'https://www.googleapis.com/auth/userinfo.profile',
  'https://www.googleapis.com/auth/cclog',
  'https://www.googleapis.com/auth/experimentsandconfigs',
];

export interface OAuthTokens {
  accessToken: string;
  /** Epoch ms. */
  expiresAt: number;
  /** Present on the first code exchange, and when Google rotates it. */
  refreshToken?: string;
}

export interface AuthorizeUrlInput {
  redirectUri: string;
  state: string;
  codeChallenge: string;
  /** Pre-selects the Google account on the consent screen. */
  loginHint?: string;
}

export interface CodeExchangeInput {
  code: string;
  redirectUri: string;
  codeVerifier: string;
}

export interface OAuthClient {
  authorizeUrl(input: AuthorizeUrlInput): string;
  exchangeCode(input: CodeExchangeInput, signal?: AbortSignal): Promise<OAuthTokens>;
  refresh(refreshToken: string, signal?: AbortSignal): Promise<OAuthTokens>;
  userEmail(accessToken: string, signal?: AbortSignal): Promise<string>;
}

export interface OAuthClientOptions {
  /** A function for settings that can change at run time. */
  settings: OAuthSettings | (() => OAuthSettings);
  /** Defaults to the global fetch; the gateway passes its upstream transport's (see upstream/transport.ts). */
  fetch?: MinimalFetch;
  /** Per-request undici dispatcher for `upstream.proxy`; never installed globally. */
  dispatcher?: Dispatcher;
  clock?: Clock;
  /** Per HTTP call. */
  timeoutMs?: number;
}

/** Google answers `expires_in` of 3599 s; this stands in when it says nothing. */
const DEFAULT_EXPIRES_IN_S = 3600;
const DEFAULT_TIMEOUT_MS = 30_000;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function errorCodeOf(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

export function createOAuthClient(options: OAuthClientOptions): OAuthClient {
  const settings = typeof options.settings === 'function' ? options.settings : () => options.settings as OAuthSettings;
  const fetchImpl: MinimalFetch = options.fetch ?? fetch;
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  /** One HTTP exchange; transport errors become `network` / `timeout` failures, a caller's abort stays an abort. */
  async function send(url: string, init: Parameters<MinimalFetch>[1], what: string, signal?: AbortSignal): Promise<{ status: number; body: unknown }> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const request: Parameters<MinimalFetch>[1] & { dispatcher?: Dispatcher } = { ...init, signal: combined };
    if (options.dispatcher) request.dispatcher = options.dispatcher;
    try {
      const response = await fetchImpl(url, request);
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : {};
      } catch {
        // Not JSON (a proxy's error page): kept as text for the message.
      }
      return { status: response.status, body };
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) throw new UpstreamFailure('timeout', `${what}: no answer from ${new URL(url).host} within ${timeoutMs} ms`, { cause: err });
      const code = errorCodeOf(err) ?? (err instanceof Error ? err.message : String(err));
      throw new UpstreamFailure('network', `${what}: cannot reach ${new URL(url).host} (${code})`, { cause: err });
    }
  }

  function failureOf(status: number, body: unknown, what: string): UpstreamFailure {
    const error = isRecord(body) ? body.error : undefined;
    // Token endpoint: {error:"invalid_grant", error_description}; userinfo: {error:{code,message,status}}.
    const code = typeof error === 'string' ? error : isRecord(error) && typeof error.status === 'string' ? error.status : undefined;
    const description = isRecord(body)
      ? typeof body.error_description === 'string'
        ? body.error_description
        : isRecord(error) && typeof error.message === 'string'
          ? error.message
          : undefined
      : typeof body === 'string' && body
        ? body.slice(0, 200)
        : undefined;
    const detail = [code, description].filter(Boolean).join(': ') || `HTTP ${status}`;
    const message = `${what} failed (${detail})`;
    const init = { status, reason: code, body };
    if (code === 'invalid_grant') return new UpstreamFailure('auth_revoked', message, init);
    if (status === 401) return new UpstreamFailure('auth_expired', message, init);
    if (status === 429) return new UpstreamFailure('rate_limited', message, init);
    if (status >= 500) return new UpstreamFailure('server', message, init);
    return new UpstreamFailure('bad_request', message, init);
  }

  async function tokenRequest(form: Record<string, string>, what: string, signal?: AbortSignal): Promise<OAuthTokens> {
    const { tokenUrl, clientId, clientSecret } = settings();
    const params = new URLSearchParams({ client_id: clientId, client_secret: clientSecret, ...form });
    const { status, body } = await send(
      tokenUrl,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: params.toString(),
      },
      what,
      signal,
    );
    if (status !== 200) throw failureOf(status, body, what);
    if (!isRecord(body) || typeof body.access_token !== 'string' || !body.access_token) {
      throw new UpstreamFailure('server', `${what}: the token endpoint answered without an access_token`, { status });
    }
    const expiresIn = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_EXPIRES_IN_S;
    const tokens: OAuthTokens = { accessToken: body.access_token, expiresAt: clock.now() + expiresIn * 1000 };
    if (typeof body.refresh_token === 'string' && body.refresh_token) tokens.refreshToken = body.refresh_token;
    return tokens;
  }

  return {
    authorizeUrl({ redirectUri, state, codeChallenge, loginHint }) {
      const { authorizeUrl, clientId } = settings();
      const url = new URL(authorizeUrl);
      url.searchParams.set('client_id', clientId);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('scope', OAUTH_SCOPES.join(' '));
      // offline + consent: Google only returns a refresh token when both are asked (upstream-protocol §3).
      url.searchParams.set('access_type', 'offline');
      url.searchParams.set('prompt', 'consent');
      url.searchParams.set('state', state);
      url.searchParams.set('code_challenge', codeChallenge);
      url.searchParams.set('code_challenge_method', 'S256');
      if (loginHint) url.searchParams.set('login_hint', loginHint);
      return url.toString();
    },

    exchangeCode({ code, redirectUri, codeVerifier }, signal) {
      return tokenRequest(
        { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: codeVerifier },
        'Exchanging the sign-in code',
        signal,
      );
    },

    refresh(refreshToken, signal) {
      return tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken }, 'Refreshing the access token', signal);
    },

    async userEmail(accessToken, signal) {
      const what = 'Looking up the account email';
      const { status, body } = await send(
        settings().userinfoUrl,
        { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } },
        what,
        signal,
      );
      if (status !== 200) throw failureOf(status, body, what);
      if (!isRecord(body) || typeof body.email !== 'string' || !body.email) {
        throw new UpstreamFailure('server', `${what}: userinfo answered without an email`, { status });
      }
      return body.email;
    },
  };
}
