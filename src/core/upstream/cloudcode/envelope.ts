import { randomUUID } from 'node:crypto';
import { runInSlices } from '../../loop-slices';
import type { GeminiContent, GeminiPart, GenerateContentRequest, RequestType } from './wire';

/** The Cloud Code wrapper around a Gemini request (upstream-protocol §2). */
export interface CloudCodeEnvelope {
  project: string;
  model: string;
  userAgent: 'antigravity';
  requestType: RequestType;
  requestId: string;
  request: GenerateContentRequest;
}

export function wrapInEnvelope(project: string, model: string, requestType: RequestType, request: GenerateContentRequest): CloudCodeEnvelope {
  return { project, model, userAgent: 'antigravity', requestType, requestId: `agent-${randomUUID()}`, request };
}

/**
 * Parts of requests the encoder shares between the requests that repeat them (a tool list, a long text of the
 * system prompt or of a turn, a long tool result: encode-tools.ts, encode-contents.ts), with their UTF-8 JSON
 * text once it has been written: Claude Code's 24 tools and system prompt, nine tenths of its first requests,
 * and the earlier turns of a long conversation are serialised once, not on every turn.
 */
const sharedJson = new WeakMap<object, Buffer | undefined>();

/** Marks `value`, never to be modified again, as shared: its JSON text is kept with it. */
export function shareSerialised<T extends object>(value: T): T {
  sharedJson.set(value, undefined);
  return value;
}

/** JSON text built up as strings, with the kept UTF-8 text of shared values between them. */
class JsonPieces {
  private readonly pieces: Buffer[] = [];
  text = '';

  /** Writes `value`'s kept JSON text. */
  shared(value: object): void {
    let bytes = sharedJson.get(value);
    if (!bytes) {
      bytes = Buffer.from(JSON.stringify(value), 'utf8');
      sharedJson.set(value, bytes);
    }
    this.flush();
    this.pieces.push(bytes);
  }

  /** Encodes what text there is once it is long: a large body never exists as one string. */
  settle(): void {
    if (this.text.length >= SETTLE_CHARS) this.flush();
  }

  end(): Buffer[] {
    this.flush();
    return this.pieces;
  }

  private flush(): void {
    if (this.text) this.pieces.push(Buffer.from(this.text, 'utf8'));
    this.text = '';
  }
}

const SETTLE_CHARS = 64 * 1024;

/**
 * The writing of a value, paused (`yield`) after each turn and part: where a large body's serialisation may
 * give the event loop a turn (runInSlices).
 */
type Steps = Generator<void, void>;

/** The steps that write one member's value, or undefined for the caller to write it with JSON.stringify. */
type MemberWriter = (out: JsonPieces, name: string, value: unknown) => Steps | undefined;

const isShared = (value: unknown): boolean => typeof value === 'object' && value !== null && sharedJson.has(value);
const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;

/** A plain object's JSON text in JSON.stringify's order and form; `member` may write some values itself. */
function* writeObject(out: JsonPieces, object: object, member: MemberWriter): Steps {
  let comma = '';
  out.text += '{';
  for (const [name, value] of Object.entries(object)) {
    const prefix = `${comma}${JSON.stringify(name)}:`;
    const steps = member(out, name, value);
    if (steps) {
      out.text += prefix;
      yield* steps;
      comma = ',';
      continue;
    }
    const text = JSON.stringify(value) as string | undefined;
    if (text === undefined) continue; // undefined (and functions) are left out, as JSON.stringify does
    out.text += prefix + text;
    comma = ',';
  }
  out.text += '}';
}

/** `[…]` of `values`, each written by `element`, with a pause after each. */
function* writeArray<T>(out: JsonPieces, values: readonly T[], element: (out: JsonPieces, value: T) => Steps | undefined): Steps {
  out.text += '[';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out.text += ',';
    const value = values[i];
    const steps = element(out, value);
    if (steps) yield* steps;
    // As JSON.stringify does: undefined, functions and symbols in an array become null.
    else out.text += (JSON.stringify(value) as string | undefined) ?? 'null';
    out.settle();
    yield;
  }
  out.text += ']';
}

/** Only for a value isShared holds. */
function* writeShared(out: JsonPieces, value: unknown): Steps {
  out.shared(value as object);
  yield;
}

/** A part that is shared, or whose function response is (a tool result's long text: encode-contents.ts). */
const partHoldsShared = (part: GeminiPart | null): boolean => isShared(part) || isShared(part?.functionResponse?.response);
const contentsHoldShared = (contents: readonly GeminiContent[]): boolean => contents.some((content) => content.parts.some(partHoldsShared));

/** Whether the request holds a part whose JSON is kept: its tool list, a part of its system text or of its turns. */
function holdsShared(request: GenerateContentRequest): boolean {
  return isShared(request.tools) || request.systemInstruction?.parts.some(isShared) === true || contentsHoldShared(request.contents);
}

const writeResponse: MemberWriter = (out, name, value) => (name === 'response' && isShared(value) ? writeShared(out, value) : undefined);

const writeFunctionResponse: MemberWriter = (out, name, value) =>
  name === 'functionResponse' && isObject(value) ? writeObject(out, value, writeResponse) : undefined;

function writePart(out: JsonPieces, part: GeminiPart | null): Steps | undefined {
  if (isShared(part)) return writeShared(out, part);
  if (part && isShared(part.functionResponse?.response)) return writeObject(out, part, writeFunctionResponse);
  return undefined;
}

/** A list of parts (of a turn, or of the system text), written one by one. */
const writeParts: MemberWriter = (out, name, value) =>
  name === 'parts' && Array.isArray(value) ? writeArray(out, value as (GeminiPart | null)[], writePart) : undefined;

const writeContent = (out: JsonPieces, content: GeminiContent | null): Steps | undefined =>
  isObject(content) ? writeObject(out, content, writeParts) : undefined;

const writeRequest: MemberWriter = (out, name, value) => {
  if (name === 'tools') return isShared(value) ? writeShared(out, value) : undefined;
  if (name === 'systemInstruction') return isObject(value) ? writeObject(out, value, writeParts) : undefined;
  if (name === 'contents') return Array.isArray(value) ? writeArray(out, value as (GeminiContent | null)[], writeContent) : undefined;
  return undefined;
};

const writeEnvelope: MemberWriter = (out, name, value) => (name === 'request' && isObject(value) ? writeObject(out, value, writeRequest) : undefined);

function* envelopeSteps(envelope: CloudCodeEnvelope): Generator<void, Buffer[]> {
  const out = new JsonPieces();
  yield* writeObject(out, envelope, writeEnvelope);
  return out.end();
}

/**
 * The envelope's JSON text, byte for byte what `JSON.stringify(envelope)` gives, in UTF-8 pieces to be written
 * one after another, the shared parts' kept text among them.
 */
export function serialiseEnvelope(envelope: CloudCodeEnvelope): Buffer[] {
  // Nothing kept to reuse (a short request without tools): one native stringify beats walking it here.
  if (!holdsShared(envelope.request)) return [Buffer.from(JSON.stringify(envelope), 'utf8')];
  const steps = envelopeSteps(envelope);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** As serialiseEnvelope, for a large conversation: a turn of the event loop whenever a slice has run its time. */
export function serialiseEnvelopeInSlices(envelope: CloudCodeEnvelope): Promise<Buffer[]> {
  return runInSlices(envelopeSteps(envelope));
}
