/** Small node:http helpers shared by the simulator's handlers. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SimHttpError, googleError } from './google-errors';

const BODY_LIMIT_BYTES = 64 * 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size > BODY_LIMIT_BYTES) return; // already refused; let the rest drain
      size += chunk.length;
      if (size > BODY_LIMIT_BYTES) {
        chunks.length = 0;
        reject(new SimHttpError(413, googleError(413, `Request payload size exceeds the limit: ${BODY_LIMIT_BYTES} bytes.`)));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Google's wording for a body that is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SimHttpError(400, googleError(400, `Invalid JSON payload received. ${error instanceof Error ? error.message : 'Unexpected token.'}`));
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-length': 0 });
  res.end();
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1] : '';
}
