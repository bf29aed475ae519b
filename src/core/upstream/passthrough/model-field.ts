/**
 * The model id of a passed-through body, changed without parsing the body:
 * a scan finds the top-level `"model"` string (text is skipped by `indexOf`,
 * as the depth check does) and the body goes out as three slices, the new id
 * between the client's bytes. Anything the scan cannot vouch for (an escaped
 * key, a repeated one, a non-string value) takes the slow, exact way: parse,
 * set, serialise.
 */
import { BACKSLASH, CLOSE_ARRAY, CLOSE_OBJECT, closingQuote, OPEN_ARRAY, OPEN_OBJECT, QUOTE } from '../../json-depth';

const COMMA = 0x2c;
const COLON = 0x3a;
const MODEL_KEY = Buffer.from('model');

const isSpace = (byte: number) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

/** Where the value of the one top-level `"model"` key sits (its quotes included), or undefined when the scan cannot say. */
export function modelValueSpan(body: Buffer): { start: number; end: number } | undefined {
  const length = body.length;
  let depth = 0;
  let expectKey = false;
  let found: { start: number; end: number } | undefined;
  for (let i = 0; i < length; i++) {
    const byte = body[i];
    if (byte === QUOTE) {
      const close = closingQuote(body, i);
      if (close < 0) return undefined;
      if (depth === 1 && expectKey) {
        expectKey = false;
        const key = body.subarray(i + 1, close);
        if (key.equals(MODEL_KEY)) {
          if (found) return undefined; // a repeated key: JSON.parse keeps the last, the slow way does too
          let at = close + 1;
          while (at < length && isSpace(body[at])) at++;
          if (body[at] !== COLON) return undefined;
          at++;
          while (at < length && isSpace(body[at])) at++;
          if (body[at] !== QUOTE) return undefined;
          const end = closingQuote(body, at);
          if (end < 0) return undefined;
          found = { start: at, end: end + 1 };
          i = end;
          continue;
        }
        // An escaped spelling of "model" is not worth a decoder here.
        if (key.includes(BACKSLASH) && key.length <= 40) return undefined;
      }
      i = close;
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      depth++;
      expectKey = depth === 1 && byte === OPEN_OBJECT;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      depth--;
    } else if (byte === COMMA && depth === 1) {
      expectKey = true;
    }
  }
  return found;
}

/** The body with its top-level `model` set to `model`: slices of the client's bytes around the new id when the scan finds it. */
export function withModel(body: Buffer, model: string): Buffer[] {
  const span = modelValueSpan(body);
  if (span) {
    const current = body.toString('utf8', span.start + 1, span.end - 1);
    if (current === model) return [body];
    return [body.subarray(0, span.start), Buffer.from(JSON.stringify(model)), body.subarray(span.end)];
  }
  const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  if (parsed.model === model) return [body];
  parsed.model = model;
  return [Buffer.from(JSON.stringify(parsed))];
}
