/** Shared bits of the openai SDK end-to-end tests. */
import OpenAI from 'openai';
import type { LogEntry } from '../../../src/simulator';
import type { Stack } from '../../helpers/stack';

export const GEMINI = 'gemini-3-flash';
export const CLAUDE = 'claude-sonnet-4-6';

/** A 1×1 PNG, the smallest image the upstream accepts. */
export const PNG_1PX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

export function clientFor(stack: Stack, apiKey = 'sk-test'): OpenAI {
  // maxRetries 0: a gateway failure must not hide behind the SDK's own retries.
  return new OpenAI({ baseURL: `${stack.url}/v1`, apiKey, maxRetries: 0 });
}

/** The upstream request body the simulator logged last (the gateway's translation of the client's request). */
export function lastUpstream(stack: Stack): LogEntry & { body: Record<string, any> } {
  const entry = stack.sim.log.filter((e) => e.method === 'generateContent' || e.method === 'streamGenerateContent').at(-1);
  if (!entry) throw new Error('the upstream saw no generation request');
  return entry as LogEntry & { body: Record<string, any> };
}

export async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}
