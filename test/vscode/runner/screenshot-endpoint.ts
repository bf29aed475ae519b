// The loopback endpoint behind test/vscode/suite/screenshot.ts: a test in the extension host POSTs
// `{"name": "..."}` and gets `{"path": "..."}` back once the PNG is on disk, so it never races the capture.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScreenshotEndpoint {
  url: string;
  close(): Promise<void>;
}

/** A name is used as a file name inside the artifacts folder: nothing that could leave it. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export async function startScreenshotEndpoint(capture: (name: string) => Promise<string>): Promise<ScreenshotEndpoint> {
  const server = http.createServer(async (request, response) => {
    const reply = (status: number, body: object) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'POST' || request.url !== '/screenshot') return reply(404, { error: 'POST /screenshot' });
    let name: unknown;
    try {
      name = (JSON.parse(await readBody(request)) as { name?: unknown }).name;
    } catch {
      return reply(400, { error: 'body must be JSON: {"name": "..."}' });
    }
    if (typeof name !== 'string' || !SAFE_NAME.test(name)) {
      return reply(400, { error: `name must match ${SAFE_NAME}` });
    }
    try {
      reply(200, { path: await capture(name) });
    } catch (error) {
      reply(500, { error: String(error) });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/screenshot`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readBody(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
