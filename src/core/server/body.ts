import type { IncomingMessage } from 'node:http';
import { LARGE_BODY_BYTES, yieldToLoop } from '../loop-slices';
import { GatewayError, invalidRequest } from '../errors';
import { MAX_JSON_DEPTH } from '../json-depth';
import { type ParsedBody, parseReusing, parseReusingInSlices } from '../json-reuse';

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
  let parsed: ParsedBody;
  try {
    // Nesting is checked before anything is built: a body a million levels deep is refused cheaply. A large body
    // starts in a turn of its own and is parsed in slices, part by part.
    if (size >= LARGE_BODY_BYTES) {
      await yieldToLoop();
      parsed = await parseReusingInSlices(bytes, MAX_JSON_DEPTH);
    } else parsed = parseReusing(bytes, MAX_JSON_DEPTH);
  } catch {
    // The nesting was checked before any part was parsed. JSON.parse of the body as sent words the refusal, with
    // positions in it rather than in its escaped text or one part of it.
    parsed = { value: plainParse(bytes) };
  }
  if (parsed.tooDeep) throw invalidRequest(`The request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep.`);
  return { value: parsed.value, bytes };
}

function plainParse(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (err) {
    throw invalidRequest(`The request body is not valid JSON: ${(err as Error).message}`);
  }
}

const tooLarge = (limit: number) => new GatewayError('request_too_large', `The request body exceeds the gateway's limit of ${limit} bytes.`);
