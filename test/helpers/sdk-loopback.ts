import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The loopback server of the "an official SDK reads our bytes" tests: the SDK is pointed at `baseUrl`, each of
 * its requests reaches `answer` with the body read whole, and `answer` replies with what the codec under test
 * encodes, so the SDK's own parser and accumulators judge the bytes.
 */
export interface LoopbackRequest {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface SdkLoopback {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  baseUrl: string;
  close(): Promise<void>;
}

export async function sdkLoopback(answer: (request: LoopbackRequest, res: http.ServerResponse) => void | Promise<void>): Promise<SdkLoopback> {
  const server = http.createServer((req, res) => {
    void (async () => {
      let body = '';
      for await (const chunk of req) body += chunk;
      await answer({ method: req.method ?? 'GET', url: new URL(req.url ?? '/', 'http://127.0.0.1'), headers: req.headers, body }, res);
    })().catch((err: unknown) => res.destroy(err instanceof Error ? err : new Error(String(err))));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** JSON with its status (and headers): a whole answer or an error reply. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string | number> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Waits a macrotask between two encoded events, so the SDK reads them as separate network chunks. */
export const nextChunk = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
