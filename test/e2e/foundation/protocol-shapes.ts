/** The error body each client protocol expects, checked strictly: the foundation answers every failure in one of these. */
import assert from 'node:assert/strict';

export type Family = 'anthropic' | 'openai' | 'gemini';

/** Asserts `body` is `family`'s error shape for `status` and returns its message. */
export function assertErrorShape(family: Family, status: number, body: unknown): string {
  const text = JSON.stringify(body);
  const value = body as Record<string, any>;
  switch (family) {
    case 'anthropic':
      assert.equal(value.type, 'error', text);
      assert.equal(typeof value.error?.type, 'string', text);
      assert.equal(typeof value.error?.message, 'string', text);
      return value.error.message;
    case 'openai':
      assert.equal(typeof value.error?.type, 'string', text);
      assert.equal(typeof value.error?.message, 'string', text);
      assert.equal(value.type, undefined, text);
      return value.error.message;
    case 'gemini':
      assert.equal(value.error?.code, status, text);
      assert.equal(typeof value.error?.status, 'string', text);
      assert.equal(typeof value.error?.message, 'string', text);
      return value.error.message;
  }
}

/** One path per family that takes a JSON POST. */
export const GENERATION_PATHS: Record<Family, string> = {
  anthropic: '/v1/messages',
  openai: '/v1/chat/completions',
  gemini: '/v1beta/models/gemini-3-flash:generateContent',
};
