import { isIP } from 'node:net';
import type Koa from 'koa';
import type { GatewayConfig } from '../config/types';
import { GatewayError } from '../errors';
import { isLoopbackHost } from './network';

/**
 * Any web page the user opens can send requests to a port on their machine.
 * Two checks keep pages out, while SDKs and CLIs (which send no `Origin`) are
 * untouched:
 * - DNS rebinding: a page on `evil.example` whose name later resolves to
 *   127.0.0.1 talks to us with `Host: evil.example`. Only loopback names, IP
 *   literals (an IP cannot be rebound) and `allowedHosts` are accepted.
 * - Cross-origin calls: a browser names the calling page in `Origin`. Only the
 *   gateway's own pages (same origin, e.g. the dashboard) and `allowedOrigins`
 *   pass; their CORS preflights are answered, every other one is refused.
 */

/** Headers a browser client may read besides the CORS-safelisted ones. */
const EXPOSED_HEADERS = 'x-request-id, retry-after, x-agate-token-count, request-id';
const PREFLIGHT_MAX_AGE_SECONDS = '600';

export function hostGuard(settings: () => Pick<GatewayConfig, 'allowedHosts'>): Koa.Middleware {
  // Clients send the same Host on every request: the last one found to be a loopback name or an IP literal
  // (accepted whatever allowedHosts says) is not parsed again. Any other Host is checked every time.
  let lastLoopbackOrIp: string | undefined;
  return (ctx, next) => {
    const host = ctx.get('host');
    // No Host at all (HTTP/1.0) cannot come from a browser, so it cannot be a rebinding attack.
    if (!host || host === lastLoopbackOrIp) return next();
    if (isLoopbackOrIp(hostnameOf(host))) {
      lastLoopbackOrIp = host;
      return next();
    }
    if (!hostAllowed(host, settings().allowedHosts)) {
      throw new GatewayError(
        'permission',
        `Requests for host "${hostnameOf(host)}" are refused (DNS-rebinding protection). Reach Agate as 127.0.0.1 or localhost, or add the name to the allowedHosts setting.`,
      );
    }
    return next();
  };
}

export function originGuard(settings: () => Pick<GatewayConfig, 'allowedOrigins'>): Koa.Middleware {
  return (ctx, next) => {
    const origin = ctx.get('origin');
    if (!origin) return next();
    ctx.vary('Origin');
    const sameOrigin = origin.toLowerCase() === `${ctx.protocol}://${ctx.get('host')}`.toLowerCase();
    const listed = settings().allowedOrigins.some((allowed) => normalizeOrigin(allowed) === origin.toLowerCase());
    if (!sameOrigin && !listed) {
      throw new GatewayError(
        'permission',
        `Browser requests from the origin "${origin}" are refused. To allow a web client, add its origin to the allowedOrigins setting.`,
      );
    }
    if (sameOrigin) return next();
    ctx.set('Access-Control-Allow-Origin', origin);
    const preflightMethod = ctx.get('access-control-request-method');
    if (ctx.method === 'OPTIONS' && preflightMethod) {
      ctx.set('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      const requested = ctx.get('access-control-request-headers');
      if (requested) ctx.set('Access-Control-Allow-Headers', requested);
      // Chrome's Private Network Access asks before a public page may reach a local address.
      if (ctx.get('access-control-request-private-network') === 'true') ctx.set('Access-Control-Allow-Private-Network', 'true');
      ctx.set('Access-Control-Max-Age', PREFLIGHT_MAX_AGE_SECONDS);
      ctx.status = 204;
      return;
    }
    ctx.set('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    return next();
  };
}

const isLoopbackOrIp = (hostname: string): boolean => isLoopbackHost(hostname) || isIP(hostname) !== 0;

function hostAllowed(hostHeader: string, allowedHosts: string[]): boolean {
  const hostname = hostnameOf(hostHeader);
  if (isLoopbackOrIp(hostname)) return true;
  const header = hostHeader.toLowerCase();
  return allowedHosts.some((allowed) => {
    const entry = allowed.toLowerCase();
    return entry === hostname || entry === header;
  });
}

/** `example.com:8045` → `example.com`; `[::1]:8045` → `::1`. */
function hostnameOf(hostHeader: string): string {
  const host = hostHeader.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (bracketed) return bracketed[1];
  return host.replace(/:\d*$/, '');
}

const normalizeOrigin = (origin: string): string => origin.toLowerCase().replace(/\/+$/, '');
