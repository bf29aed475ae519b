import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A throwaway loopback server for the Cloud Code HTTP tests. */

export interface SeenRequest {
  /** Path and query, e.g. `/daily/v1internal:streamGenerateContent?alt=sse`. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: unknown) => void | Promise<void>;

export interface TestServer {
  url: string;
  requests: SeenRequest[];
  /** Resolves when a client closes a connection before its answer was complete. */
  clientHungUp(): Promise<void>;
  close(): Promise<void>;
}

export async function startServer(handle: Handler): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  let hungUp: () => void = () => undefined;
  const hangUp = new Promise<void>((resolve) => (hungUp = resolve));
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // keep the raw text
      }
      requests.push({ url: req.url ?? '', headers: req.headers, body });
      res.on('close', () => {
        if (!res.writableFinished) hungUp();
      });
      Promise.resolve(handle(req, res, body)).catch((err: unknown) => {
        res.destroy(err instanceof Error ? err : new Error(String(err)));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    clientHungUp: () => hangUp,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export function sseHead(res: http.ServerResponse, headers: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', ...headers });
  res.flushHeaders();
}

export function sseFrame(res: http.ServerResponse, data: unknown): void {
  res.write(`data: ${JSON.stringify(data)}\r\n\r\n`);
}

/** A promise with its resolver, for handshakes between a test and its server. */
export function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Fails instead of hanging when something that should happen does not. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
