import type { IncomingMessage } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { LARGE_BODY_BYTES, yieldToLoop } from '../loop-slices';
import { GatewayError, invalidRequest } from '../errors';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../json-depth';

/**
 * Reads and parses a JSON request body under a byte limit. Hand-written
 * rather than a body-parser dependency because it must fail in the client's
 * protocol shape (413 / 400), never with an HTML page.
 */
export async function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    req.resume(); // drain so the connection can answer
    throw tooLarge(limitBytes);
  }
  const chunks: Buffer[] = [];
  // A large body is decoded as its chunks arrive, not turned into text in one slice at the end.
  const decoder = Number.isFinite(declared) && declared >= LARGE_BODY_BYTES ? new StringDecoder('utf8') : undefined;
  const texts: string[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limitBytes) {
        req.resume();
        throw tooLarge(limitBytes);
      }
      chunks.push(chunk);
      if (decoder) texts.push(decoder.write(chunk));
    }
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    // The client closed the connection mid-body: nobody is left to answer, but it is not a gateway fault.
    throw invalidRequest('The request body ended before its declared length.');
  }
  if (size === 0) throw invalidRequest('The request body is empty; expected a JSON object.');
  // Before parsing: a body nested a million levels deep is refused without building it.
  if (nestsTooDeep(chunks, size)) {
    throw invalidRequest(`The request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep.`);
  }
  const text = decoder ? texts.join('') + decoder.end() : (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)).toString('utf8');
  chunks.length = 0; // the bytes are not needed beside their text while it is parsed
  // The parse of a large body gets a turn of its own.
  if (size >= LARGE_BODY_BYTES) await yieldToLoop();
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalidRequest(`The request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** The depth check on the whole body; its joined copy lives only here. */
function nestsTooDeep(chunks: Buffer[], size: number): boolean {
  return nestsDeeperThan(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size), MAX_JSON_DEPTH);
}

const tooLarge = (limit: number) =>
  new GatewayError('request_too_large', `The request body exceeds the gateway's limit of ${limit} bytes.`);
