/**
 * `[[sim:…]]` directives: how any client protocol steers the simulated model
 * through the text of its last user message.
 *   [[sim:call NAME {"json":"args"}]]   the model calls NAME (repeat for parallel calls)
 *   [[sim:words N]]                     a text answer of exactly N words
 *   [[sim:fault KIND {"param":1}]]      that fault for this request
 */
import { isObject } from './http';
import { SpecError, parseFaultSpec } from './specs';
import type { FaultSpec } from './types';

export type Directive = { kind: 'call'; name: string; args: Record<string, unknown> } | { kind: 'words'; count: number } | { kind: 'fault'; fault: FaultSpec };

export class DirectiveError extends Error {
  override name = 'DirectiveError';
}

const OPEN = '[[sim:';
const CLOSE = ']]';
const MAX_WORDS = 1_000_000;

/** Every directive in the text, in order; throws DirectiveError on a malformed one. */
export function parseDirectives(text: string): Directive[] {
  const directives: Directive[] = [];
  let at = text.indexOf(OPEN);
  while (at >= 0) {
    const cursor = new Cursor(text, at + OPEN.length, at);
    directives.push(parseOne(cursor));
    at = text.indexOf(OPEN, cursor.position);
  }
  return directives;
}

function parseOne(cursor: Cursor): Directive {
  const verb = cursor.word();
  switch (verb) {
    case 'call': {
      const name = cursor.word();
      if (!name) throw cursor.error('a call needs a function name');
      const args = cursor.optionalJsonObject() ?? {};
      cursor.close();
      return { kind: 'call', name, args };
    }
    case 'words': {
      const count = Number(cursor.word());
      if (!Number.isInteger(count) || count < 1 || count > MAX_WORDS) throw cursor.error(`words needs a count from 1 to ${MAX_WORDS}`);
      cursor.close();
      return { kind: 'words', count };
    }
    case 'fault': {
      const kind = cursor.word();
      const params = cursor.optionalJsonObject() ?? {};
      cursor.close();
      try {
        return { kind: 'fault', fault: parseFaultSpec({ ...params, kind }) };
      } catch (error) {
        throw cursor.error(error instanceof SpecError ? error.message : String(error));
      }
    }
    default:
      throw cursor.error(`unknown directive "${verb}"`);
  }
}

class Cursor {
  constructor(
    private readonly text: string,
    public position: number,
    private readonly start: number,
  ) {}

  error(reason: string): DirectiveError {
    const end = this.text.indexOf(CLOSE, this.start);
    const shown = this.text.slice(this.start, end < 0 ? this.start + 60 : end + CLOSE.length);
    return new DirectiveError(`Invalid simulator directive ${shown}: ${reason}.`);
  }

  private skipSpaces(): void {
    while (this.position < this.text.length && /\s/.test(this.text[this.position])) this.position += 1;
  }

  /** The next run of non-space characters that does not start the closing `]]` or a JSON object. */
  word(): string {
    this.skipSpaces();
    const from = this.position;
    while (
      this.position < this.text.length &&
      !/\s/.test(this.text[this.position]) &&
      !this.text.startsWith(CLOSE, this.position) &&
      this.text[this.position] !== '{'
    ) {
      this.position += 1;
    }
    return this.text.slice(from, this.position);
  }

  optionalJsonObject(): Record<string, unknown> | undefined {
    this.skipSpaces();
    if (this.text[this.position] !== '{') return undefined;
    const end = endOfJsonObject(this.text, this.position);
    if (end < 0) throw this.error('unterminated JSON object');
    let value: unknown;
    try {
      value = JSON.parse(this.text.slice(this.position, end));
    } catch (error) {
      throw this.error(`bad JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    if (!isObject(value)) throw this.error('expected a JSON object');
    this.position = end;
    return value;
  }

  close(): void {
    this.skipSpaces();
    if (!this.text.startsWith(CLOSE, this.position)) throw this.error('expected "]]"');
    this.position += CLOSE.length;
  }
}

/** Index just past the `}` that closes the object opening at `from`, or -1; braces inside strings do not count. */
function endOfJsonObject(text: string, from: number): number {
  let depth = 0;
  let inString = false;
  for (let i = from; i < text.length; i += 1) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i += 1;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === '{') {
      depth += 1;
    } else if (char === '}') {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}
