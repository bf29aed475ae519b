import { createHash, randomBytes } from 'node:crypto';
import type Koa from 'koa';
import type { Clock } from '../ports';

/** How long a dashboard sign-in lasts, reloads included. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** Sign-ins kept at once; the oldest goes first (each browser that signs in holds one). */
const MAX_SESSIONS = 32;
/**
 * The session cookie goes only where the admin permission applies: the dashboard page and the admin API.
 * A browser never sends it to `/v1/…`, and the gateway would not accept it there anyway.
 */
export const SESSION_COOKIE_PATHS = ['/dashboard', '/admin'] as const;

const digest = (token: string): string => createHash('sha256').update(token).digest('hex');

/**
 * Dashboard sign-ins: a random token per browser, standing for the primary key on admin routes only.
 * Kept in memory (a restart signs everyone out) and by hash, so a lookup's timing says nothing of the token.
 */
export class DashboardSessions {
  /** Token hash → expiry time; insertion order is age order. */
  private readonly sessions = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  create(): string {
    const token = randomBytes(32).toString('base64url');
    this.prune();
    while (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    this.sessions.set(digest(token), this.clock.now() + SESSION_TTL_MS);
    return token;
  }

  verify(token: string): boolean {
    const expires = this.sessions.get(digest(token));
    if (expires === undefined) return false;
    if (expires > this.clock.now()) return true;
    this.sessions.delete(digest(token));
    return false;
  }

  end(token: string): void {
    this.sessions.delete(digest(token));
  }

  /** A new primary key ends every sign-in made with the old one. */
  clear(): void {
    this.sessions.clear();
  }

  private prune(): void {
    const now = this.clock.now();
    for (const [hash, expires] of this.sessions) if (expires <= now) this.sessions.delete(hash);
  }
}

/**
 * Cookies are not scoped by port: a name per port keeps two gateways on one machine (or a gateway and
 * `agate demo`) from overwriting each other's sign-in.
 */
export const sessionCookieName = (ctx: Koa.Context): string => `agate_session_${ctx.req.socket.localPort ?? 0}`;

export function sessionToken(ctx: Koa.Context): string | undefined {
  return ctx.cookies.get(sessionCookieName(ctx)) || undefined;
}

/** HttpOnly (no script reads it), SameSite=Strict (no other site's page or form sends it). */
export function setSessionCookies(ctx: Koa.Context, token: string): void {
  for (const path of SESSION_COOKIE_PATHS) {
    ctx.cookies.set(sessionCookieName(ctx), token, { path, httpOnly: true, sameSite: 'strict', maxAge: SESSION_TTL_MS, overwrite: false });
  }
}

export function clearSessionCookies(ctx: Koa.Context): void {
  for (const path of SESSION_COOKIE_PATHS) {
    ctx.cookies.set(sessionCookieName(ctx), '', { path, httpOnly: true, sameSite: 'strict', maxAge: 0, overwrite: false });
  }
}
