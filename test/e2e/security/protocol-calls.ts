/**
 * One representative call per client protocol, and a check that an error
 * body has that protocol's shape: shared by the security e2e tests.
 */
import assert from 'node:assert/strict';

export type Protocol = 'anthropic' | 'openai' | 'gemini';

export interface ProtocolCall {
  protocol: Protocol;
  path: string;
  body: unknown;
}

export const PROTOCOL_CALLS: ProtocolCall[] = [
  {
    protocol: 'anthropic',
    path: '/v1/messages',
    body: { model: 'claude-sonnet-4-6', max_tokens: 32, messages: [{ role: 'user', content: 'ping' }] },
  },
  {
    protocol: 'openai',
    path: '/v1/chat/completions',
    body: { model: 'gemini-3-flash', messages: [{ role: 'user', content: 'ping' }] },
  },
  {
    protocol: 'gemini',
    path: '/v1beta/models/gemini-3-flash:generateContent',
    body: { contents: [{ role: 'user', parts: [{ text: 'ping' }] }] },
  },
];

export type KeyLocation = 'bearer' | 'x-api-key' | 'x-goog-api-key' | 'query';
export const KEY_LOCATIONS: KeyLocation[] = ['bearer', 'x-api-key', 'x-goog-api-key', 'query'];

/** Sends `call` to `baseUrl` with `key` (if any) where `location` says. */
export function send(
  baseUrl: string,
  call: ProtocolCall,
  key?: string,
  location: KeyLocation = 'bearer',
  extraHeaders: Record<string, string> = {},
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...extraHeaders };
  const url = new URL(call.path, baseUrl);
  if (key !== undefined) {
    if (location === 'bearer') headers.authorization = `Bearer ${key}`;
    else if (location === 'query') url.searchParams.set('key', key);
    else headers[location] = key;
  }
  return fetch(url, { method: 'POST', headers, body: JSON.stringify(call.body) });
}

/** Asserts `body` is an error in `protocol`'s shape and returns its message. */
export function assertProtocolError(protocol: Protocol, status: number, body: unknown): string {
  const value = body as Record<string, any>;
  assert.equal(typeof value, 'object', `expected a JSON error object, got ${JSON.stringify(body)}`);
  switch (protocol) {
    case 'anthropic':
      assert.equal(value.type, 'error', JSON.stringify(body));
      assert.equal(typeof value.error?.type, 'string', JSON.stringify(body));
      assert.equal(typeof value.error?.message, 'string', JSON.stringify(body));
      return value.error.message;
    case 'openai':
      assert.equal(typeof value.error?.message, 'string', JSON.stringify(body));
      assert.equal(typeof value.error?.type, 'string', JSON.stringify(body));
      assert.ok('code' in value.error && 'param' in value.error, JSON.stringify(body));
      return value.error.message;
    case 'gemini':
      assert.equal(value.error?.code, status, JSON.stringify(body));
      assert.equal(typeof value.error?.status, 'string', JSON.stringify(body));
      assert.equal(typeof value.error?.message, 'string', JSON.stringify(body));
      return value.error.message;
  }
}
