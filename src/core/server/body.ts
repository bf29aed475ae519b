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
  return (await readJsonBodyAndBytes(req, limitBytes)).value;
}

/** As readJsonBody, with the body's bytes as read (a passthrough sends them on). */
export async function readJsonBodyAndBytes(req: IncomingMessage, limitBytes: number): Promise<{ value: unknown; bytes: Buffer }> {
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
  // Events rather than the stream's async iterator (an async generator with end-of-stream tracking per body).
  await new Promise<void>((resolve, reject) => {
    const done = (err?: unknown) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onBroken);
      req.off('close', onBroken);
      if (err === undefined) resolve();
      else reject(err);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        req.resume(); // drain so the connection can answer
        return done(tooLarge(limitBytes));
      }
      chunks.push(chunk);
      if (decoder) texts.push(decoder.write(chunk));
    };
    const onEnd = () => done();
    // The client closed the connection mid-body: nobody is left to answer, but it is not a gateway fault.
    const onBroken = () => done(invalidRequest('The request body ended before its declared length.'));
    if (req.readableEnded) return resolve();
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onBroken);
    req.once('close', onBroken);
  });
  if (size === 0) throw invalidRequest('The request body is empty; expected a JSON object.');
  const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
  chunks.length = 0;
  // Before parsing: a body nested a million levels deep is refused without building it.
  if (nestsDeeperThan(bytes, MAX_JSON_DEPTH)) {
    throw invalidRequest(`The request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep.`);
  }
  const text = decoder ? texts.join('') + decoder.end() : bytes.toString('utf8');
  // The parse of a large body gets a turn of its own.
  if (size >= LARGE_BODY_BYTES) await yieldToLoop();
  try {
    return { value: JSON.parse(text) as unknown, bytes };
  } catch (err) {
    throw invalidRequest(`The request body is not valid JSON: ${(err as Error).message}`);
  }
}

const tooLarge = (limit: number) => new GatewayError('request_too_large', `The request body exceeds the gateway's limit of ${limit} bytes.`);
