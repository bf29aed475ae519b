import { randomUUID } from 'node:crypto';
import type { GenerateContentRequest, RequestType } from './wire';

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
 * Parts of requests the encoder shares between the requests that repeat them (a tool list, a long system
 * text: encode-tools.ts, encode-contents.ts), with their UTF-8 JSON text once it has been written: Claude
 * Code's 24 tools and system prompt, nine tenths of its request, are serialised once, not on every turn.
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

  /** Writes `value`'s JSON text; false when it is not shared, for the caller to write. */
  shared(value: unknown): boolean {
    if (typeof value !== 'object' || value === null || !sharedJson.has(value)) return false;
    let bytes = sharedJson.get(value);
    if (!bytes) {
      bytes = Buffer.from(JSON.stringify(value), 'utf8');
      sharedJson.set(value, bytes);
    }
    this.flush();
    this.pieces.push(bytes);
    return true;
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

/** Writes one member's value, or returns false for the caller to write it with JSON.stringify. */
type MemberWriter = (out: JsonPieces, name: string, value: unknown) => boolean;

/** A plain object's JSON text in JSON.stringify's order and form; `member` may write some values itself. */
function writeObject(out: JsonPieces, object: object, member: MemberWriter): void {
  let comma = '';
  out.text += '{';
  for (const [name, value] of Object.entries(object)) {
    const prefix = `${comma}${JSON.stringify(name)}:`;
    const mark = out.text.length;
    out.text += prefix;
    if (member(out, name, value)) {
      comma = ',';
      continue;
    }
    const text = JSON.stringify(value) as string | undefined;
    if (text === undefined) {
      out.text = out.text.slice(0, mark); // undefined (and functions) are left out, as JSON.stringify does
      continue;
    }
    out.text += text;
    comma = ',';
  }
  out.text += '}';
}

/** Whether the request holds a part whose JSON is kept: its tool list, or a part of its system text. */
function holdsShared(request: GenerateContentRequest): boolean {
  const { tools, systemInstruction } = request as { tools?: unknown; systemInstruction?: { parts?: unknown } };
  if (typeof tools === 'object' && tools !== null && sharedJson.has(tools)) return true;
  const parts = systemInstruction?.parts;
  return Array.isArray(parts) && parts.some((part) => typeof part === 'object' && part !== null && sharedJson.has(part));
}

const writeSystemInstruction: MemberWriter = (out, name, value) => {
  if (name !== 'parts' || !Array.isArray(value)) return false;
  out.text += '[';
  value.forEach((part: unknown, i) => {
    if (i > 0) out.text += ',';
    if (!out.shared(part)) out.text += (JSON.stringify(part) as string | undefined) ?? 'null';
  });
  out.text += ']';
  return true;
};

const writeRequest: MemberWriter = (out, name, value) => {
  if (name === 'tools') return out.shared(value);
  if (name === 'systemInstruction' && typeof value === 'object' && value !== null) {
    writeObject(out, value, writeSystemInstruction);
    return true;
  }
  return false;
};

/**
 * The envelope's JSON text, byte for byte what `JSON.stringify(envelope)` gives, in UTF-8 pieces to be written
 * one after another, the shared parts' kept text among them.
 */
export function serialiseEnvelope(envelope: CloudCodeEnvelope): Buffer[] {
  // Nothing kept to reuse (a short request without tools): one native stringify beats walking it here.
  if (!holdsShared(envelope.request)) return [Buffer.from(JSON.stringify(envelope), 'utf8')];
  const out = new JsonPieces();
  writeObject(out, envelope, (inner, name, value) => {
    if (name !== 'request' || typeof value !== 'object' || value === null) return false;
    writeObject(inner, value, writeRequest);
    return true;
  });
  return out.end();
}
