import type Koa from 'koa';

/**
 * The key a client sent, wherever its protocol puts it:
 * - OpenAI SDKs, Codex, Claude Code with ANTHROPIC_AUTH_TOKEN: `Authorization: Bearer <key>`;
 * - Anthropic SDKs with an API key: `x-api-key`;
 * - Gemini SDKs and CLI: `x-goog-api-key`, or `?key=` on the URL.
 * The first one present wins; the value is never logged.
 */
export function presentedKey(ctx: Koa.Context): string | undefined {
  const authorization = ctx.get('authorization');
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
  if (bearer) return bearer;
  for (const header of ['x-api-key', 'x-goog-api-key']) {
    const value = ctx.get(header).trim();
    if (value) return value;
  }
  const query = ctx.query.key;
  const fromQuery = Array.isArray(query) ? query[0] : query;
  return fromQuery ? fromQuery.trim() || undefined : undefined;
}
