import { BACKSLASH, CLOSE_ARRAY, CLOSE_OBJECT, NESTS_DEEPER, OPEN_ARRAY, OPEN_OBJECT, QUOTE, closingQuote, nestsDeeperThan, scanNesting } from './json-depth';
import { jsonTextOf } from './json-text';
import { runInSlices } from './loop-slices';

/**
 * JSON.parse for request bodies that repeat most of their bytes from one
 * request to the next, as an agent's do: Claude Code sends the same 81 KB of
 * tools and 27 KB of system text with every turn, and every earlier turn of
 * the conversation again. A large member of the top-level object (or a large
 * element of a large array member, a turn of `messages`) whose bytes equal
 * ones seen before is not parsed again: the value parsed then is used, deeply
 * frozen, so that nothing downstream can change what the next request gets.
 *
 * The result equals JSON.parse's (members in the same order); a body this
 * cannot split (not an object, a duplicated or `__proto__` name, malformed
 * text) is parsed whole, so JSON.parse still words every refusal. Bytes are
 * compared in full, never by a hash; a part is copied and kept only when its
 * key comes a second time, so a conversation's ever-growing parts are not.
 */
export function parseReusing(bytes: Buffer, depthLimit: number): ParsedBody {
  const steps = parseSteps(bytes, depthLimit);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** As parseReusing, for a large body: a turn of the event loop whenever a slice has run its time. */
export function parseReusingInSlices(bytes: Buffer, depthLimit: number): Promise<ParsedBody> {
  return runInSlices(parseSteps(bytes, depthLimit));
}

/** The parse, pausing (`yield`) after each part it parses: where a turn of the event loop may come. */
function* parseSteps(bytes: Buffer, depthLimit: number): Generator<void, ParsedBody> {
  if (bytes.length < REUSE_BODY_BYTES) return wholeParse(bytes, depthLimit);
  const members = splitObject(bytes, 0, bytes.length, depthLimit);
  if (members === TOO_DEEP) return { tooDeep: true };
  // An agent's request has a dozen members; thousands of small ones parse faster whole.
  if (members === undefined || members.length > MAX_SPLIT_MEMBERS) return wholeParse(bytes, depthLimit);
  const names = new Set<string>();
  const value: Record<string, unknown> = {};
  for (const member of members) {
    const name = JSON.parse(jsonTextOf(bytes.subarray(member.nameStart, member.nameEnd))) as string;
    if (names.has(name) || name === '__proto__') return wholeParse(bytes, depthLimit);
    names.add(name);
    value[name] = yield* memberValue(bytes, member.valueStart, member.valueEnd, name);
    yield;
  }
  return { value };
}

export type ParsedBody = { value: unknown; tooDeep?: undefined } | { tooDeep: true; value?: undefined };

/** Bodies from this size on are split; a smaller one costs more to split than to parse. */
const REUSE_BODY_BYTES = 32 * 1024;
/** Objects with more members, and arrays with more elements, are parsed whole. */
const MAX_SPLIT_MEMBERS = 64;
const MAX_SPLIT_ELEMENTS = 10_000;
/** Members and elements from this size on are looked up among the values kept. */
const REUSE_VALUE_BYTES = 2 * 1024;
/** Larger ones are parsed every time rather than crowding out the rest. */
const REUSE_VALUE_MAX_BYTES = 1024 * 1024;
/** What the kept bytes, values and noted keys may hold (weights below), least recently used out first. */
const REUSE_WEIGHT_LIMIT = 12 * 1024 * 1024;

interface Kept {
  /** Absent while only the key has come once: a part sent once (most of a new conversation) is not copied. */
  bytes?: Buffer;
  value?: unknown;
  weight: number;
}

/**
 * Keyed by where the bytes came from, their length and a few samples of them; the candidates under a key (turns of
 * a conversation often begin and run alike) are compared in full, the most recently used first.
 */
const kept = new Map<string, Kept[]>();
let keptWeight = 0;
/** Candidates under one key. */
const KEPT_PER_KEY = 8;

function* memberValue(bytes: Buffer, start: number, end: number, name: string): Generator<void, unknown> {
  const length = end - start;
  if (length < REUSE_VALUE_BYTES) return parseSpan(bytes, start, end);
  if (length <= REUSE_VALUE_MAX_BYTES) {
    const reused = reuse(`${name}\u0000`, bytes, start, end);
    if (reused !== NOT_KEPT) return reused;
  }
  // A growing array (a conversation) is new as a whole while most of its elements are not.
  if (bytes[start] === OPEN_ARRAY) {
    const elements = splitArray(bytes, start, end);
    if (elements && elements.some((element) => element.end - element.start >= REUSE_VALUE_BYTES)) {
      const values: unknown[] = [];
      for (let i = 0; i < elements.length;) {
        if (elements[i].end - elements[i].start >= REUSE_VALUE_BYTES) {
          values.push(elementValue(bytes, elements[i].start, elements[i].end));
          i++;
        } else {
          // A run of small elements is parsed at once, as the array it is part of.
          let last = i;
          while (last + 1 < elements.length && elements[last + 1].end - elements[last + 1].start < REUSE_VALUE_BYTES) last++;
          for (const value of JSON.parse(`[${jsonTextOf(bytes.subarray(elements[i].start, elements[last].end))}]`) as unknown[]) values.push(value);
          i = last + 1;
        }
        yield;
      }
      return values;
    }
  }
  return parseSpan(bytes, start, end);
}

function elementValue(bytes: Buffer, start: number, end: number): unknown {
  const length = end - start;
  if (length < REUSE_VALUE_BYTES || length > REUSE_VALUE_MAX_BYTES) return parseSpan(bytes, start, end);
  const reused = reuse('[\u0000', bytes, start, end);
  return reused === NOT_KEPT ? parseSpan(bytes, start, end) : reused;
}

const NOT_KEPT = Symbol('not kept');

/** The kept value of these bytes; else NOT_KEPT, having noted their key (or, on its second coming, kept them and their value). */
function reuse(kind: string, bytes: Buffer, start: number, end: number): unknown {
  const span = bytes.subarray(start, end);
  const quarter = (end - start) >> 2;
  const key = `${kind}${end - start}\u0000${sample(bytes, start + quarter)}${sample(bytes, start + 2 * quarter)}${sample(bytes, start + 3 * quarter)}`;
  const candidates = kept.get(key) ?? [];
  kept.delete(key);
  kept.set(key, candidates); // most recently used last
  const index = candidates.findIndex((candidate) => candidate.bytes?.equals(span));
  if (index >= 0) {
    const [entry] = candidates.splice(index, 1);
    candidates.unshift(entry);
    return entry.value;
  }
  const noted = candidates.findIndex((candidate) => candidate.bytes === undefined);
  if (noted < 0) {
    const weight = NOTE_WEIGHT + 2 * key.length;
    candidates.unshift({ weight });
    keptWeight += weight;
    trim(candidates);
    return NOT_KEPT;
  }
  // The key's second coming: these bytes are likely a repeat, so they are kept with their value from now on.
  const value = parseSpan(bytes, start, end); // a syntax error leaves the note as it was
  const containers = deepFreeze(value);
  const [entry] = candidates.splice(noted, 1);
  entry.bytes = Buffer.from(span);
  entry.value = value;
  const noteWeight = entry.weight;
  entry.weight = 3 * span.length + CONTAINER_WEIGHT * containers + noteWeight;
  keptWeight += entry.weight - noteWeight;
  candidates.unshift(entry);
  trim(candidates);
  return entry.value;
}

/** What an object or array of a kept value costs beyond three times the value's bytes (small objects measured about 24 bytes). */
const CONTAINER_WEIGHT = 32;
/** What a noted key costs besides its text (a map entry, an array, an object): about 500 bytes, as measured. */
const NOTE_WEIGHT = 512;

function trim(candidates: Kept[]): void {
  for (const dropped of candidates.splice(KEPT_PER_KEY)) keptWeight -= dropped.weight;
  evict();
}

const sample = (bytes: Buffer, at: number) => bytes.toString('latin1', at - 8, at + 8);

function evict(): void {
  for (const [key, candidates] of kept) {
    if (keptWeight <= REUSE_WEIGHT_LIMIT) return;
    kept.delete(key);
    for (const dropped of candidates) keptWeight -= dropped.weight;
  }
}

/** Freezes `value` and everything in it; returns how many objects and arrays that was. */
function deepFreeze(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  Object.freeze(value);
  let containers = 1;
  for (const inner of Object.values(value)) containers += deepFreeze(inner);
  return containers;
}

function parseSpan(bytes: Buffer, start: number, end: number): unknown {
  return JSON.parse(jsonTextOf(bytes.subarray(start, end)));
}

function wholeParse(bytes: Buffer, depthLimit: number): ParsedBody {
  if (nestsDeeperThan(bytes, depthLimit)) return { tooDeep: true };
  return { value: JSON.parse(jsonTextOf(bytes)) };
}

const TOO_DEEP = Symbol('too deep');

interface Member {
  nameStart: number;
  nameEnd: number;
  valueStart: number;
  valueEnd: number;
}

/** The members of the object that is all of bytes[start, end), or undefined when it is not one; TOO_DEEP past the limit. */
function splitObject(bytes: Buffer, start: number, end: number, depthLimit: number): Member[] | undefined | typeof TOO_DEEP {
  let i = skipSpace(bytes, start, end);
  if (bytes[i] !== OPEN_OBJECT) return undefined;
  const members: Member[] = [];
  i = skipSpace(bytes, i + 1, end);
  if (bytes[i] === CLOSE_OBJECT) return skipSpace(bytes, i + 1, end) === end ? members : undefined;
  for (;;) {
    if (bytes[i] !== QUOTE) return undefined;
    const nameEnd = closingQuote(bytes, i) + 1;
    if (nameEnd <= 0) return undefined;
    const colon = skipSpace(bytes, nameEnd, end);
    if (bytes[colon] !== COLON) return undefined;
    const valueStart = skipSpace(bytes, colon + 1, end);
    const valueEnd = valueEndOf(bytes, valueStart, end, depthLimit - 1);
    if (valueEnd === TOO_DEEP || valueEnd === undefined) return valueEnd;
    members.push({ nameStart: i, nameEnd, valueStart, valueEnd });
    i = skipSpace(bytes, valueEnd, end);
    if (bytes[i] === COMMA) {
      i = skipSpace(bytes, i + 1, end);
      continue;
    }
    if (bytes[i] !== CLOSE_OBJECT) return undefined;
    return skipSpace(bytes, i + 1, end) === end ? members : undefined;
  }
}

/** The elements of the array at bytes[start, end) (already scanned whole), or undefined when it is not one. */
function splitArray(bytes: Buffer, start: number, end: number): Array<{ start: number; end: number }> | undefined {
  const elements: Array<{ start: number; end: number }> = [];
  let i = skipSpace(bytes, start + 1, end);
  if (bytes[i] === CLOSE_ARRAY) return elements;
  for (;;) {
    const elementEnd = valueEndOf(bytes, i, end, Infinity);
    if (elementEnd === TOO_DEEP || elementEnd === undefined) return undefined;
    // A conversation has hundreds of turns; a list of many thousands is parsed whole rather than scanned on.
    if (elements.push({ start: i, end: elementEnd }) > MAX_SPLIT_ELEMENTS) return undefined;
    i = skipSpace(bytes, elementEnd, end);
    if (bytes[i] === COMMA) {
      i = skipSpace(bytes, i + 1, end);
      continue;
    }
    return bytes[i] === CLOSE_ARRAY && i === end - 1 ? elements : undefined;
  }
}

/**
 * Where the value starting at bytes[start] ends: after its closing quote or bracket, or at the byte that ends a
 * number or literal. Undefined for a value that does not end; TOO_DEEP when it opens more than `depthLimit` levels.
 * Anything malformed inside is left to JSON.parse.
 */
function valueEndOf(bytes: Buffer, start: number, end: number, depthLimit: number): number | undefined | typeof TOO_DEEP {
  const first = bytes[start];
  if (first === QUOTE) {
    const close = closingQuote(bytes, start);
    return close < 0 || close >= end ? undefined : close + 1;
  }
  if (first !== OPEN_OBJECT && first !== OPEN_ARRAY) {
    let i = start;
    while (i < end && !ENDS_SCALAR[bytes[i]]) i++;
    return i > start ? i : undefined;
  }
  const close = scanNesting(bytes, start, end, depthLimit, true);
  return close === NESTS_DEEPER ? TOO_DEEP : close < 0 ? undefined : close;
}

function skipSpace(bytes: Buffer, start: number, end: number): number {
  let i = start;
  while (i < end && IS_SPACE[bytes[i]]) i++;
  return i;
}

const COLON = 0x3a;
const COMMA = 0x2c;
const IS_SPACE = new Uint8Array(256);
for (const byte of [0x20, 0x09, 0x0a, 0x0d]) IS_SPACE[byte] = 1;
/** A number or literal runs to the next byte of structure or space; JSON.parse judges what it holds. */
const ENDS_SCALAR = new Uint8Array(256);
for (const byte of [0x20, 0x09, 0x0a, 0x0d, COMMA, CLOSE_OBJECT, CLOSE_ARRAY, OPEN_OBJECT, OPEN_ARRAY, QUOTE, COLON, BACKSLASH]) ENDS_SCALAR[byte] = 1;
