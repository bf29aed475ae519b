/**
 * The two ways Google frames `:streamGenerateContent`, chosen by `?alt=`:
 *
 * - `alt=sse` (what @google/genai and gemini-cli always ask for): one
 *   `data: <GenerateContentResponse>` event per chunk. There is never a
 *   closing sentinel: the SDK parses every data line as JSON and throws on
 *   `data: [DONE]`. The keep-alive is a bare line break, not an SSE comment:
 *   the @google/genai 1.x bundled in gemini-cli matches events with
 *   `/^\s*data: (.*)(\n\n|\r\r|\r\n\r\n)/` at the start of its buffer, so
 *   a `: comment` would stall every later event, while leading whitespace is
 *   skipped (and an empty line dispatches nothing in any SSE parser).
 * - no `alt` / `alt=json` (Google's default, used by plain REST callers): one
 *   JSON array whose elements arrive one by one, `[` chunk `,\r\n` chunk … `]`.
 *   A keep-alive is a newline, which is JSON whitespace anywhere in it.
 */
import { invalidRequest } from '../../errors';
import type { InboundContext } from '../codec';

export type StreamFraming = 'sse' | 'json-array';

export function streamFramingOf(query: InboundContext['query']): StreamFraming {
  const raw = query.alt;
  const alt = Array.isArray(raw) ? raw[0] : raw;
  if (alt === 'sse') return 'sse';
  if (alt === undefined || alt === 'json') return 'json-array';
  throw invalidRequest(`Unsupported response format alt=${alt}: use alt=sse or alt=json`, 'alt');
}

/** Turns serialized chunks into the bytes of one framing. Stateful: one per response. */
export interface Framer {
  readonly contentType: string;
  chunk(json: string): string;
  /** A Google error object as the stream's last element. */
  error(json: string): string;
  /** Closing bytes; '' once closed. */
  close(): string;
  keepAlive(): string;
}

class SseFramer implements Framer {
  readonly contentType = 'text/event-stream';
  chunk(json: string): string {
    return `data: ${json}\r\n\r\n`;
  }
  /**
   * The error as a data event, which @google/genai 2.x turns into an ApiError
   * with its code, then once more as bare JSON: the 1.x in gemini-cli treats
   * the data event as an ordinary chunk (and would print the partial answer as
   * if complete), but throws on unparsed bytes left at the end of the stream.
   * Spec-following SSE parsers ignore the unterminated trailing line.
   */
  error(json: string): string {
    return `${this.chunk(json)}${json}`;
  }
  close(): string {
    return '';
  }
  keepAlive(): string {
    return '\r\n';
  }
}

class JsonArrayFramer implements Framer {
  readonly contentType = 'application/json; charset=UTF-8';
  private opened = false;
  private elements = 0;
  private closed = false;

  chunk(json: string): string {
    const separator = this.elements++ === 0 ? '' : ',\r\n';
    return this.open() + separator + json;
  }
  error(json: string): string {
    return this.chunk(json);
  }
  close(): string {
    if (this.closed) return '';
    this.closed = true;
    return `${this.open()}]`;
  }
  keepAlive(): string {
    return `${this.open()}\n`;
  }
  /** `[` the first time anything is written, '' after. */
  private open(): string {
    if (this.opened) return '';
    this.opened = true;
    return '[';
  }
}

export const createFramer = (framing: StreamFraming): Framer => (framing === 'sse' ? new SseFramer() : new JsonArrayFramer());
