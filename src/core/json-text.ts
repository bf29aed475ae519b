import { isAscii } from 'node:buffer';
import { BACKSLASH } from './json-depth';

/**
 * The text of a UTF-8 JSON body, for JSON.parse, built so that V8 keeps it
 * one byte per character.
 *
 * A body with even one non-ASCII character decodes to a two-byte string:
 * twice the memory, a slower parse, and Node's slow UTF-8 path on the way in.
 * Claude Code's 117 KB request carries about 640 such bytes, and its decode
 * and parse took 0.6 ms where the same body with them escaped takes 0.35 ms.
 * So each run of non-ASCII bytes is written as the `\uXXXX` escapes of its
 * characters, which JSON.parse turns back into the same string.
 *
 * Why this is exact: in UTF-8, the bytes of a multi-byte character are all
 * 0x80 or above, so a run of them never splits an ASCII byte of JSON's
 * structure, and decoding the runs one by one yields what decoding the whole
 * body yields (an invalid sequence becomes U+FFFD either way). Inside a
 * string a raw character and its escape are the same; outside one, both are
 * a syntax error. The one context where they differ, a run right after a
 * backslash (an invalid escape written raw, or `\\` then text), takes the
 * plain decode, as does a body where such runs are more than 1/16 of the
 * bytes (Chinese text: the escapes would cost more than they save).
 */
export function jsonTextOf(bytes: Buffer): string {
  const length = bytes.length;
  if (isAscii(bytes)) return bytes.toString('latin1', 0, length);
  let budget = length >> 4;
  const parts: string[] = [];
  let copiedTo = 0;
  for (let block = 0; block < length; block += ASCII_BLOCK_BYTES) {
    const blockEnd = Math.min(length, block + ASCII_BLOCK_BYTES);
    if (isAscii(bytes.subarray(block, blockEnd))) continue;
    for (let i = Math.max(block, copiedTo); i < blockEnd; i++) {
      if (bytes[i] < 0x80) continue;
      if (bytes[i - 1] === BACKSLASH) return bytes.toString('utf8', 0, length);
      let runEnd = i + 1;
      while (runEnd < length && bytes[runEnd] >= 0x80) runEnd++;
      budget -= runEnd - i;
      if (budget < 0) return bytes.toString('utf8', 0, length);
      parts.push(bytes.toString('latin1', copiedTo, i), escapesOf(bytes.toString('utf8', i, runEnd)));
      copiedTo = runEnd;
      i = runEnd - 1;
    }
  }
  parts.push(bytes.toString('latin1', copiedTo, length));
  return parts.join('');
}

/** Blocks checked by the native ASCII test before any byte is looked at in JS. */
const ASCII_BLOCK_BYTES = 1024;

function escapesOf(text: string): string {
  let escaped = '';
  for (let i = 0; i < text.length; i++) escaped += '\\u' + text.charCodeAt(i).toString(16).padStart(4, '0');
  return escaped;
}
