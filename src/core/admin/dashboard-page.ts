import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The dashboard bundle's files, as esbuild writes them to `dist/webview`. */
export const DASHBOARD_SCRIPT = 'main.js';
export const DASHBOARD_STYLES = 'main.css';

export type DashboardTransport = 'http' | 'vscode';

export const newNonce = (): string => randomBytes(18).toString('base64');

/**
 * The folder with the built dashboard: `webview/` beside the running bundle
 * (dist/cli.js, dist/extension.js), or the project's `dist/webview` when the
 * core runs from its sources (tests through tsx).
 */
export function findDashboardDir(): string | undefined {
  const candidates = [path.join(__dirname, 'webview'), path.resolve(__dirname, '../../../dist/webview')];
  return candidates.find((dir) => fs.existsSync(path.join(dir, DASHBOARD_SCRIPT)));
}

/** Only the characters that end a `<script>` or `<style>` element need care inside one. */
const inlineSafe = (code: string): string => code.replace(/<\/(script|style)/gi, '<\\/$1');

/**
 * The one HTML page both transports load. `head` carries the styles and
 * `scripts` the bundle, inline or by URL; `transport` tells the bundle how
 * to reach the admin API.
 */
export function dashboardHtml(page: {
  csp: string;
  head: string;
  scripts: string;
  transport: DashboardTransport;
  body?: string;
  /** Default `no-referrer`. */
  referrerPolicy?: string;
  /** The page's language (the webview: the editor's display language); the page's script follows it. Default `en`. */
  language?: string;
}): string {
  const language = page.language && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(page.language) ? page.language : 'en';
  return `<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${page.csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="${page.referrerPolicy ?? 'no-referrer'}">
<link rel="icon" href="data:,">
<title>Agate dashboard</title>
${page.head}
</head>
<body data-transport="${page.transport}">
<div id="app" role="application" aria-label="Agate dashboard"><noscript>The Agate dashboard needs JavaScript.</noscript></div>
${page.body ?? ''}${page.scripts}
</body>
</html>
`;
}

/**
 * The page's URL never holds the key (`?key=` is redirected away before it loads), so its own requests may name
 * their origin — a form post under `no-referrer` says `Origin: null`, which the origin guard refuses — while other
 * sites still learn nothing.
 */
export const BROWSER_REFERRER_POLICY = 'same-origin';

/** Ends the browser's sign-in (the session cookie): a plain form post, so it works whatever the bundle does. */
const signOutForm = (nonce: string): string => `<style nonce="${nonce}">
.agate-sign-out { position: fixed; right: .75rem; bottom: .75rem; z-index: 10; margin: 0; }
.agate-sign-out button { font: 12px system-ui, sans-serif; padding: .3rem .8rem; border: 1px solid #8a84a0; border-radius: 4px; background: transparent; color: inherit; cursor: pointer; opacity: .8; }
.agate-sign-out button:hover, .agate-sign-out button:focus-visible { opacity: 1; }
</style>
<form class="agate-sign-out" method="post" action="/dashboard/sign-out"><button type="submit">Sign out</button></form>
`;

/**
 * The browser page: bundle and styles inline, so that one request loads everything. `signOut`: the page was
 * opened with a sign-in cookie, and offers to end it.
 */
export async function browserDashboard(dir: string, options: { signOut?: boolean } = {}): Promise<{ html: string; csp: string }> {
  const [script, styles] = await Promise.all([
    fs.promises.readFile(path.join(dir, DASHBOARD_SCRIPT), 'utf8'),
    fs.promises.readFile(path.join(dir, DASHBOARD_STYLES), 'utf8').catch(() => ''),
  ]);
  const nonce = newNonce();
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    options.signOut ? "form-action 'self'" : "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  const html = dashboardHtml({
    // A <meta> policy cannot carry frame-ancestors (the header does).
    csp: csp.replace(/; frame-ancestors [^;]*/, ''),
    head: `<style nonce="${nonce}">${inlineSafe(styles)}</style>`,
    scripts: `<script type="module" nonce="${nonce}">${inlineSafe(script)}</script>`,
    transport: 'http',
    body: options.signOut ? signOutForm(nonce) : undefined,
    referrerPolicy: BROWSER_REFERRER_POLICY,
  });
  return { html, csp };
}
