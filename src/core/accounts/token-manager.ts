import type { Clock } from '../ports';
import { UpstreamFailure } from '../upstream/failure';
import type { OAuthClient, OAuthTokens } from './oauth';
import type { SharedTokens } from './shared';

/**
 * Access tokens, in memory only. Each is refreshed ahead of its expiry
 * (upstream-protocol §3: AM 90 s, OAA 60 s) with at most one refresh in flight per
 * account, however many requests ask at once.
 */
export interface TokenManager {
  /** A token valid for at least the refresh skew. */
  get(accountId: string, signal?: AbortSignal): Promise<string>;
  /** A token other than `rejected` (the upstream answered 401 to it); refreshes unless that already happened. */
  renew(accountId: string, rejected: string, signal?: AbortSignal): Promise<string>;
  /**
   * A token valid for at least `minValidityMs`, with its expiry: for handing
   * over to another program (the Antigravity IDE), which needs the full lifetime.
   */
  getWithExpiry(accountId: string, minValidityMs: number, signal?: AbortSignal): Promise<OAuthTokens>;
  /** Caches tokens obtained elsewhere (the sign-in or the add flow) so they are not fetched twice. */
  seed(accountId: string, tokens: OAuthTokens): void;
  /** Drops the cached token and ignores any refresh in flight (account removed or re-authenticated). */
  forget(accountId: string): void;
}

export interface TokenManagerOptions {
  oauth: OAuthClient;
  clock: Clock;
  /** How long before expiry a token counts as stale. */
  refreshSkewMs: () => number;
  refreshTokenOf(accountId: string): Promise<string | undefined>;
  /** Google may hand out a new refresh token with a refresh; it must be kept. */
  onRefreshTokenRotated(accountId: string, refreshToken: string): Promise<void>;
  /** Team mode: one refresh per account across the instances, the fresh token shared. */
  shared?: SharedTokens;
}

interface Flight {
  /** Identity of this refresh, to tell it apart from a later one. */
  ticket: object;
  promise: Promise<string>;
}

/** Waits for `promise` unless `signal` aborts first; the shared work itself is never cancelled by one caller. */
function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

export function createTokenManager(options: TokenManagerOptions): TokenManager {
  const cached = new Map<string, OAuthTokens>();
  const flights = new Map<string, Flight>();

  const fresh = (tokens: OAuthTokens | undefined): tokens is OAuthTokens =>
    tokens !== undefined && tokens.expiresAt - options.refreshSkewMs() > options.clock.now();

  /** `rejected`: a token the upstream refused (a shared one equal to it is no use); `validForMs`: beyond the skew. */
  function refresh(accountId: string, rejected?: string, validForMs?: number): Promise<string> {
    const existing = flights.get(accountId);
    if (existing) return existing.promise;
    const ticket = {};
    const current = () => flights.get(accountId)?.ticket === ticket;
    const flight: Flight = {
      ticket,
      promise: (async () => {
        try {
          const viaOAuth = async (): Promise<OAuthTokens> => {
            const refreshToken = await options.refreshTokenOf(accountId);
            if (!refreshToken) {
              throw new UpstreamFailure('auth_revoked', 'No refresh token is stored for this account; sign in again');
            }
            const tokens = await options.oauth.refresh(refreshToken);
            if (current() && tokens.refreshToken && tokens.refreshToken !== refreshToken) {
              await options.onRefreshTokenRotated(accountId, tokens.refreshToken);
            }
            return tokens;
          };
          const validUntil = options.clock.now() + Math.max(options.refreshSkewMs(), validForMs ?? 0);
          const tokens = options.shared ? await options.shared.obtain(accountId, { validUntil, rejected, refresh: viaOAuth }) : await viaOAuth();
          // A forget() during the flight means the account changed: the answer is stale.
          if (current()) cached.set(accountId, { accessToken: tokens.accessToken, expiresAt: tokens.expiresAt });
          return tokens.accessToken;
        } finally {
          if (current()) flights.delete(accountId);
        }
      })(),
    };
    flights.set(accountId, flight);
    return flight.promise;
  }

  return {
    get(accountId, signal) {
      const tokens = cached.get(accountId);
      if (fresh(tokens)) return Promise.resolve(tokens.accessToken);
      return abortable(refresh(accountId), signal);
    },

    async getWithExpiry(accountId, minValidityMs, signal) {
      const tokens = cached.get(accountId);
      if (tokens && tokens.expiresAt - minValidityMs > options.clock.now()) return { ...tokens };
      await abortable(refresh(accountId, undefined, minValidityMs), signal);
      const refreshed = cached.get(accountId);
      if (!refreshed) throw new UpstreamFailure('auth_revoked', 'The account changed while its token was refreshed; try again');
      return { ...refreshed };
    },

    renew(accountId, rejected, signal) {
      const tokens = cached.get(accountId);
      // Another request already replaced the rejected token: use that one.
      if (fresh(tokens) && tokens.accessToken !== rejected) return Promise.resolve(tokens.accessToken);
      if (tokens?.accessToken === rejected) cached.delete(accountId);
      return abortable(refresh(accountId, rejected), signal);
    },

    seed(accountId, tokens) {
      flights.delete(accountId);
      cached.set(accountId, { accessToken: tokens.accessToken, expiresAt: tokens.expiresAt });
    },

    forget(accountId) {
      flights.delete(accountId);
      cached.delete(accountId);
    },
  };
}
