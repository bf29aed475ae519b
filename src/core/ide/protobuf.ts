/**
 * The few protobuf wire-format operations the IDE's sign-in state needs:
 * walk the fields of a message keeping each field's exact bytes (so entries we
 * do not own are written back unchanged), and build the fields we do own.
 * No schema: field numbers are given by the caller (docs/antigravity-ide.md).
 */

export class ProtobufError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufError';
  }
}

export type WireType = 0 | 1 | 2 | 5;

export interface Field {
  no: number;
  wire: WireType;
  /** Varint value (wire 0); for fixed64/fixed32 the raw little-endian bytes are in `bytes`. */
  varint?: bigint;
  /** Payload of a length-delimited (wire 2) or fixed-width (1, 5) field. */
  bytes?: Uint8Array;
  /** The whole field as it was on the wire: tag, length and payload. */
  raw: Uint8Array;
}

function readVarint(buf: Uint8Array, at: number): [bigint, number] {
  let value = 0n;
  let shift = 0n;
  for (let i = at; i < buf.length && i < at + 10; i++) {
    const byte = buf[i];
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [value, i + 1];
    shift += 7n;
  }
  throw new ProtobufError(`truncated or overlong varint at byte ${at}`);
}

/** Every top-level field of a message, in wire order. Throws ProtobufError on malformed input. */
export function readFields(buf: Uint8Array): Field[] {
  const fields: Field[] = [];
  let at = 0;
  while (at < buf.length) {
    const start = at;
    const [tag, afterTag] = readVarint(buf, at);
    const no = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (no < 1) throw new ProtobufError(`invalid field number 0 at byte ${start}`);
    at = afterTag;
    const field: Partial<Field> & { no: number } = { no };
    switch (wire) {
      case 0: {
        const [value, next] = readVarint(buf, at);
        field.varint = value;
        at = next;
        break;
      }
      case 1:
      case 5: {
        const width = wire === 1 ? 8 : 4;
        if (at + width > buf.length) throw new ProtobufError(`truncated fixed-width field ${no}`);
        field.bytes = buf.subarray(at, at + width);
        at += width;
        break;
      }
      case 2: {
        const [length, next] = readVarint(buf, at);
        const end = next + Number(length);
        if (length > BigInt(buf.length) || end > buf.length) throw new ProtobufError(`field ${no} claims ${length} bytes past the end`);
        field.bytes = buf.subarray(next, end);
        at = end;
        break;
      }
      default:
        throw new ProtobufError(`unsupported wire type ${wire} for field ${no} at byte ${start}`);
    }
    fields.push({ ...field, wire: wire as WireType, raw: buf.subarray(start, at) } as Field);
  }
  return fields;
}

export function encodeVarint(value: number | bigint): Uint8Array {
  let v = BigInt(value);
  if (v < 0n) v = BigInt.asUintN(64, v);
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return Uint8Array.from(out);
}

export const concat = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};

const tag = (no: number, wire: WireType) => encodeVarint((no << 3) | wire);

export const varintField = (no: number, value: number | bigint): Uint8Array => concat([tag(no, 0), encodeVarint(value)]);

export const bytesField = (no: number, payload: Uint8Array): Uint8Array => concat([tag(no, 2), encodeVarint(payload.length), payload]);

export const stringField = (no: number, text: string): Uint8Array => bytesField(no, new TextEncoder().encode(text));

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A length-delimited field's payload as UTF-8 text; undefined when it is not valid UTF-8. */
export function textOf(field: Field | undefined): string | undefined {
  if (!field?.bytes || field.wire !== 2) return undefined;
  try {
    return utf8.decode(field.bytes);
  } catch {
    return undefined;
  }
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * Standard or URL-safe base64, padded or not: one reader of a real store found
 * the inner token blob unpadded while the outer layer was padded.
 */
export function decodeBase64(text: string, what: string): Uint8Array {
  const trimmed = text.trim();
  if (!BASE64.test(trimmed) || trimmed.replace(/=+$/, '').length % 4 === 1) throw new ProtobufError(`${what} is not base64`);
  return new Uint8Array(Buffer.from(trimmed, 'base64'));
}

/** What every tool writes: standard alphabet, padded. */
export const encodeBase64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
