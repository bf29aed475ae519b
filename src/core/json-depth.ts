/**
 * The nesting budget of any JSON a client sends: the request body, and the
 * JSON text inside it that is parsed later (OpenAI tool-call `arguments`).
 * Checked once where the JSON enters, so that no walk over request data
 * (decoders, schema conversion, structuredClone, JSON.stringify) can run out
 * of stack: a deeper request is a 400, not a crash.
 *
 * 128 is serde_json's default recursion limit; Google's own JSON parser stops
 * at 100 levels, so a request the upstream would take fits with room for the
 * protocol envelope around it.
 */
export const MAX_JSON_DEPTH = 128;

/** The bytes of JSON's structure, for the scans over UTF-8 bodies (here and the passthrough's model field). */
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const OPEN_OBJECT = 0x7b;
export const CLOSE_OBJECT = 0x7d;
export const OPEN_ARRAY = 0x5b;
export const CLOSE_ARRAY = 0x5d;

/** Strings up to this long are skipped byte by byte; longer ones by `indexOf`, which is faster once past the call. */
const INLINE_STRING_BYTES = 32;

/**
 * Whether `json` opens more than `limit` arrays and objects inside one
 * another. A scan, not a parse: it costs a fraction of JSON.parse, and a body
 * made mostly of text costs least. Malformed JSON gives some answer, and
 * JSON.parse refuses it afterwards.
 *
 * On UTF-8 bytes: a quote or backslash byte never occurs inside a multi-byte
 * sequence, so bytes can be scanned without decoding.
 */
export function nestsDeeperThan(json: Buffer | string, limit: number = MAX_JSON_DEPTH): boolean {
  const bytes = typeof json === 'string' ? Buffer.from(json, 'utf8') : json;
  return scanNesting(bytes, 0, bytes.length, limit, false) === NESTS_DEEPER;
}

/** scanNesting's answer for nesting past the limit. */
export const NESTS_DEEPER = -2;

/**
 * The one scan of JSON's nesting over bytes[start, end): NESTS_DEEPER once more than `limit` arrays and objects
 * are open; with `untilClosed`, the index after the bracket that closes the value opened at `start`; else -1
 * (the text ended first, or malformed JSON: the parser judges).
 */
export function scanNesting(bytes: Buffer, start: number, end: number, limit: number, untilClosed: boolean): number {
  let depth = 0;
  for (let i = start; i < end; i++) {
    const byte = bytes[i];
    if (byte === QUOTE) {
      i = closingQuote(bytes, i);
      if (i < 0) return -1;
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      if (++depth > limit) return NESTS_DEEPER;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      if (--depth === 0 && untilClosed) return i + 1;
    }
  }
  return -1;
}

/** Where the string opened at `open` ends, or -1 when it does not. */
export function closingQuote(bytes: Buffer, open: number): number {
  const length = bytes.length;
  const inlineEnd = Math.min(length, open + 1 + INLINE_STRING_BYTES);
  let i = open;
  while (++i < inlineEnd) {
    const byte = bytes[i];
    if (byte === QUOTE) return i;
    if (byte === BACKSLASH) i++; // the escaped byte, a quote or not
  }
  for (; ; i++) {
    i = bytes.indexOf(QUOTE, i);
    if (i < 0) return -1;
    // Escaped only by an odd run of backslashes (`\\"` ends the string).
    let backslashes = 0;
    while (bytes[i - 1 - backslashes] === BACKSLASH) backslashes++;
    if ((backslashes & 1) === 0) return i;
  }
}
