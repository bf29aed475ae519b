/**
 * One passed-through call: the request, the first-byte and idle timers, an
 * error answer read (bounded) and classified before anything reaches the
 * client, and a 2xx answer handed back as its bytes, each chunk fed to the
 * usage tap on its way out.
 */
import { BodyReader } from '../body-reader';
import type { RawAnswer } from '../../dispatch';
import type { Usage } from '../../ir';
import { UpstreamFailure } from '../failure';
import { callDeadline, type ProviderHttpOptions } from '../provider-http';
import type { TransportResponse } from '../transport';
import type { UsageTap } from './usage-tap';

export interface RawCall {
  url: URL;
  headers: Record<string, string>;
  body: Buffer[];
  model: string;
  signal: AbortSignal;
  tap: UsageTap;
  classify(status: number, body: unknown, header: (name: string) => string | undefined): UpstreamFailure;
}

/** An error answer is read up to this much for its message. */
const MAX_ERROR_BYTES = 1_000_000;

export async function openRaw(options: ProviderHttpOptions, call: RawCall): Promise<RawAnswer> {
  const { signal, arm, explain, release, cut } = callDeadline(call.signal, call.model);
  let response: TransportResponse;
  try {
    arm(options.firstByteTimeoutMs, 'first byte');
    try {
      response = await options.transport.request({ url: call.url, method: 'POST', headers: call.headers, body: call.body, signal });
    } catch (err) {
      throw explain(err);
    }
    if (response.status < 200 || response.status >= 300) {
      const chunks: Buffer[] = [];
      let size = 0;
      try {
        for await (const chunk of response.body as AsyncIterable<Buffer>) {
          arm(options.idleTimeoutMs, 'idle stream');
          size += chunk.length;
          if (size <= MAX_ERROR_BYTES) chunks.push(chunk);
        }
      } catch (err) {
        throw explain(err);
      }
      const text = Buffer.concat(chunks).toString('utf8');
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not JSON (a proxy's page): classified from the status and the text.
      }
      const answer = response;
      throw call.classify(response.status, parsed, (name) => answer.header(name));
    }
  } catch (err) {
    release();
    cut();
    throw err;
  }
  const answered = response;
  let usage: Usage | undefined;
  let usageRead = false;
  return {
    status: answered.status,
    contentType: answered.header('content-type') ?? 'application/json',
    body: bytesOf(answered, call, options, arm, explain, (complete) => {
      release();
      // A finished answer leaves its connection to the pool; an unfinished one is cut.
      if (!complete) cut();
    }),
    usage: () => {
      // Read once: the dispatcher counts it, the monitor records it.
      if (!usageRead) {
        usage = call.tap.result();
        usageRead = true;
      }
      return usage;
    },
  };
}

async function* bytesOf(
  response: TransportResponse,
  call: RawCall,
  options: ProviderHttpOptions,
  arm: (ms: number, what: string) => void,
  explain: (err: unknown) => unknown,
  done: (complete: boolean) => void,
): AsyncGenerator<Buffer, void, undefined> {
  let complete = false;
  try {
    arm(options.idleTimeoutMs, 'idle stream');
    const reader = new BodyReader<Buffer>(response.body, 'bytes');
    for (;;) {
      let chunk: Buffer | undefined;
      try {
        chunk = await reader.next();
      } catch (err) {
        throw explain(err);
      }
      if (chunk === undefined) break;
      arm(options.idleTimeoutMs, 'idle stream');
      call.tap.feed(chunk);
      yield chunk;
    }
    complete = true;
  } finally {
    // Done or cut short: the timers and the abort listener go; an unfinished answer closes its connection.
    if (!complete) response.body.destroy();
    done(complete);
  }
}
