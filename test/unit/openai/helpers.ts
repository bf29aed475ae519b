import assert from 'node:assert/strict';
import { createParser } from 'eventsource-parser';
import { GatewayError } from '../../../src/core/errors';
import type { ChatEvent, Usage } from '../../../src/core/ir';
import type { StreamEncoder } from '../../../src/core/protocols/codec';

export interface SseMessage {
  event?: string;
  data: string;
}

/** Parses SSE text the way an EventSource client does (comments dropped). */
export function parseSse(text: string): SseMessage[] {
  const messages: SseMessage[] = [];
  const parser = createParser({ onEvent: (e) => messages.push({ event: e.event, data: e.data }) });
  parser.feed(text);
  return messages;
}

/** Runs events through an encoder and returns the full stream text (end() included). */
export function encodeAll(encoder: StreamEncoder, events: ChatEvent[]): string {
  return events.map((e) => encoder.encode(e)).join('') + encoder.end();
}

export const usage = (over: Partial<Usage> = {}): Usage => ({
  inputTokens: 100,
  cachedInputTokens: 40,
  outputTokens: 20,
  thinkingTokens: 5,
  ...over,
});

/** Asserts that `fn` throws a GatewayError of `kind` naming `param`; returns it for further checks. */
export function throwsGateway(fn: () => unknown, kind: GatewayError['kind'], param?: string): GatewayError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof GatewayError, `expected a GatewayError, got ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    assert.equal(err.param, param, err.message);
    return err;
  }
  assert.fail('expected a GatewayError');
}
