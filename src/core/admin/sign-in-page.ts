import type Koa from 'koa';
import type { GatewayError } from '../errors';
import { newNonce } from './dashboard-page';

/** Headers every dashboard page answer carries: no caching, no referrer beyond the gateway, no sniffing, no framing. */
export function pageHeaders(ctx: Koa.Context, csp: string, referrerPolicy = 'no-referrer'): void {
  ctx.set('Content-Security-Policy', csp);
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Referrer-Policy', referrerPolicy);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('X-Frame-Options', 'DENY');
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/** Why the sign-in form is shown again, in words (never the key that was typed). */
function reasonOf(refusal: GatewayError, keyTried: boolean): string {
  if (refusal.kind === 'permission') return 'That is a client key. The dashboard opens only with the primary Agate key.';
  return keyTried ? 'That key is not valid.' : '';
}

/**
 * `/dashboard` without a sign-in, when auth is on: a form for the primary key instead of a JSON 401. It
 * sends the key to `/dashboard?key=…`, which signs in (a cookie) and redirects to the clean URL at once.
 */
export function signInPage(ctx: Koa.Context, refusal: GatewayError): void {
  const nonce = newNonce();
  pageHeaders(ctx, `default-src 'none'; style-src 'nonce-${nonce}'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`);
  const reason = reasonOf(refusal, typeof ctx.query.key === 'string');
  ctx.status = refusal.status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>Sign in · Agate dashboard</title>
<style nonce="${nonce}">
body { font: 15px/1.5 system-ui, sans-serif; color: #1f1a2e; background: #f5f4f8; display: grid; place-items: center; min-height: 100vh; margin: 0; }
@media (prefers-color-scheme: dark) { body { color: #e8e6ef; background: #1f1a2e; } input { background: #2b2540; color: inherit; } }
main { max-width: 26rem; padding: 2rem; }
h1 { font-size: 1.3rem; margin: 0 0 .5rem; }
label { display: block; margin: 1rem 0 .3rem; font-weight: 600; }
input { width: 100%; box-sizing: border-box; padding: .5rem; font: inherit; border: 1px solid #8a84a0; border-radius: 4px; }
button { margin-top: 1rem; padding: .5rem 1.2rem; font: inherit; border: 0; border-radius: 4px; background: #5b4bb7; color: #fff; cursor: pointer; }
.reason { color: #b3261e; }
code { font-size: .9em; }
</style>
</head>
<body>
<main>
<h1>Agate dashboard</h1>
<p>This gateway asks for its primary key. Print it with <code>agate keys primary</code>, or copy it with the VS Code command “Agate: Copy API Key”.</p>
${reason ? `<p class="reason" role="alert">${escapeHtml(reason)}</p>` : ''}
<form method="get" action="/dashboard" autocomplete="off">
<label for="key">Primary key</label>
<input id="key" name="key" type="password" required autofocus spellcheck="false" placeholder="sk-agate-…">
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>
`;
}
