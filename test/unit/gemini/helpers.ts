import assert from 'node:assert/strict';
import { GatewayError } from '../../../src/core/errors';
import type { InboundContext } from '../../../src/core/protocols/codec';

/** The context a `/v1beta/models/{model}:…` route hands the codec. */
export function routeContext(model: string, options: { stream?: boolean; alt?: string } = {}): InboundContext {
  return {
    headers: {},
    query: options.alt === undefined ? {} : { alt: options.alt },
    params: { model },
    streamFromPath: options.stream ?? false,
  };
}

/** Asserts `run` fails with a 400 naming `param`, and a message matching `message`. */
export function assertInvalid(run: () => unknown, param: string | undefined, message: RegExp): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof GatewayError, `expected a GatewayError, got ${String(err)}`);
    assert.equal(err.kind, 'invalid_request');
    assert.equal(err.param, param);
    assert.match(err.message, message);
    return true;
  });
}
