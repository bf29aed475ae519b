/** Which client protocol a path belongs to, so that even unknown routes and parse errors answer in the right shape. */
export type ProtocolFamily = 'anthropic' | 'openai' | 'gemini';

export function protocolFamilyOf(path: string): ProtocolFamily {
  if (path.startsWith('/v1/messages')) return 'anthropic';
  if (path.startsWith('/v1beta/') || path === '/v1beta' || /^\/v1\/models\/[^/]+:/.test(path)) return 'gemini';
  return 'openai';
}
