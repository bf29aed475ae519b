import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../ports';
import type { OAuthClient, OAuthTokens } from './oauth';
import { createPkcePair, randomState } from './pkce';
import type { AccountView } from './types';

/**
 * Google sign-in with the authorization code flow, PKCE S256 and a loopback
 * redirect (upstream-protocol §3). The core listens and exchanges the code; the host
 * opens the browser at `authorizeUrl`.
 */

/** ACP and CPA listen on 51121 and fall back to 51122–51126 (upstream-protocol §3). */
export const DEFAULT_SIGN_IN_PORTS = [51121, 51122, 51123, 51124, 51125, 51126];
export const CALLBACK_PATH = '/oauth-callback';
const DEFAULT_TIMEOUT_MS = 5 * 60_000;

export interface SignInOptions {
  /** Pre-selects the Google account (re-authentication of a known email). */
  loginHint?: string;
  /** Loopback ports to try in order; 0 picks a free one. */
  ports?: number[];
  /**
   * Maps the loopback redirect URI to one the browser can reach (VS Code:
   * `env.asExternalUri` for remote windows). The mapped URI is what Google sees.
   */
  mapRedirectUri?: (redirectUri: string) => string | Promise<string>;
  /** Gives up when the browser never comes back. */
  timeoutMs?: number;
}

export interface SignInSession {
  /** Open this in the browser. */
  authorizeUrl: string;
  redirectUri: string;
  /** The added (or updated) account, once the browser came back and the account was set up. */
  completion: Promise<AccountView>;
  /** Stops listening; `completion` rejects with a SignInError of reason `cancelled`. */
  cancel(): void;
}

export type SignInFailure = 'cancelled' | 'timeout' | 'denied' | 'failed';

export class SignInError extends Error {
  constructor(
    readonly reason: SignInFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SignInError';
  }
}

export interface SignInDeps {
  oauth: OAuthClient;
  clock: Clock;
  /** Turns the new tokens into a stored account (email, project, quota). */
  finish(tokens: OAuthTokens & { refreshToken: string }, signal: AbortSignal): Promise<AccountView>;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function page(res: http.ServerResponse, status: number, title: string, detail: string): void {
  const html =
    `<!doctype html><html><head><meta charset="utf-8"><title>Agate — ${escapeHtml(title)}</title></head>` +
    `<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto">` +
    `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p></body></html>`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
  res.end(html);
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

function closeServer(server: http.Server): void {
  server.close();
  server.closeIdleConnections();
}

/**
 * Listens on the first free port, on 127.0.0.1 and (when the machine has
 * IPv6) ::1 too, since browsers may resolve `localhost` to either.
 */
async function listenLoopback(ports: number[], handler: http.RequestListener): Promise<{ port: number; close(): void }> {
  for (const candidate of ports) {
    const v4 = http.createServer(handler);
    let port: number;
    try {
      port = await listen(v4, candidate, '127.0.0.1');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') continue;
      throw err;
    }
    const servers = [v4];
    const v6 = http.createServer(handler);
    try {
      await listen(v6, port, '::1');
      servers.push(v6);
    } catch {
      // No IPv6 loopback here: 127.0.0.1 alone serves the redirect.
    }
    return { port, close: () => servers.forEach(closeServer) };
  }
  throw new SignInError('failed', `Cannot listen for the sign-in redirect: ports ${ports.join(', ')} are all in use`);
}

export async function startSignIn(deps: SignInDeps, options: SignInOptions = {}): Promise<SignInSession> {
  const pkce = createPkcePair();
  const state = randomState();
  const controller = new AbortController();
  let settle!: { resolve(account: AccountView): void; reject(err: SignInError): void };
  const completion = new Promise<AccountView>((resolve, reject) => (settle = { resolve, reject }));
  // A host that cancels without awaiting must not crash the process with an unhandled rejection.
  completion.catch(() => undefined);
  let done = false;
  let exchanging = false;
  let redirectUri = '';

  const finish = (outcome: { account: AccountView } | { error: SignInError }) => {
    if (done) return;
    done = true;
    controller.abort();
    loopback.close();
    if ('account' in outcome) settle.resolve(outcome.account);
    else settle.reject(outcome.error);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== CALLBACK_PATH) return page(res, 404, 'Not found', 'This is Agate’s sign-in listener.');
    if (done || exchanging) return page(res, 409, 'Sign-in already handled', 'You can close this tab.');
    // A stale tab from an earlier attempt carries another state: ignore it and keep waiting.
    if (url.searchParams.get('state') !== state) {
      return page(res, 400, 'Unknown sign-in attempt', 'Start the sign-in again from Agate.');
    }
    const denied = url.searchParams.get('error');
    if (denied) {
      page(res, 400, 'Sign-in not completed', `Google answered: ${denied}. You can close this tab.`);
      return finish({ error: new SignInError('denied', `Google sign-in was not completed (${denied})`) });
    }
    const code = url.searchParams.get('code');
    if (!code) {
      page(res, 400, 'Sign-in failed', 'Google sent no authorization code.');
      return finish({ error: new SignInError('failed', 'Google redirected back without an authorization code') });
    }
    exchanging = true;
    try {
      const tokens = await deps.oauth.exchangeCode({ code, redirectUri, codeVerifier: pkce.verifier }, controller.signal);
      if (!tokens.refreshToken) {
        throw new Error('Google returned no refresh token; remove Agate from your Google account permissions and sign in again');
      }
      const account = await deps.finish({ ...tokens, refreshToken: tokens.refreshToken }, controller.signal);
      page(res, 200, 'Signed in', `Agate can now use ${account.email}. You can close this tab.`);
      finish({ account });
    } catch (err) {
      if (done) return page(res, 410, 'Sign-in cancelled', 'You can close this tab.');
      const message = err instanceof Error ? err.message : String(err);
      page(res, 500, 'Sign-in failed', message);
      finish({ error: new SignInError('failed', `Sign-in failed: ${message}`, { cause: err }) });
    }
  };

  const loopback = await listenLoopback(options.ports ?? DEFAULT_SIGN_IN_PORTS, (req, res) => void handle(req, res));
  try {
    const local = `http://localhost:${loopback.port}${CALLBACK_PATH}`;
    redirectUri = options.mapRedirectUri ? await options.mapRedirectUri(local) : local;
  } catch (err) {
    loopback.close();
    throw err;
  }
  const authorizeUrl = deps.oauth.authorizeUrl({
    redirectUri,
    state,
    codeChallenge: pkce.challenge,
    loginHint: options.loginHint,
  });

  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  deps.clock.sleep(timeoutMs, controller.signal).then(
    () => finish({ error: new SignInError('timeout', `Sign-in timed out after ${Math.round(timeoutMs / 1000)} s`) }),
    () => undefined, // aborted: the sign-in ended first
  );

  return {
    authorizeUrl,
    redirectUri,
    completion,
    cancel: () => finish({ error: new SignInError('cancelled', 'Sign-in cancelled') }),
  };
}
