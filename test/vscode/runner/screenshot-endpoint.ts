// The loopback endpoint behind test/vscode/suite/screenshot.ts, through which a test in the extension host looks at
// the workbench page the way a user sees it:
//   POST /screenshot {"name": "..."}   → {"path": "..."} once the PNG is on disk, so it never races the capture
//   POST /text {"selector": "...", "window"?: N} → {"texts": ["...", ...]}: the rendered text of each matching element
//   POST /window {"open": true}        → {"window": N}: another workbench page (a second window, its own extension host)
//   POST /window {"close": N}          → {}: closes it as a user closes the tab
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScreenshotEndpoint {
  url: string;
  close(): Promise<void>;
}

/** A name is used as a file name inside the artifacts folder: nothing that could leave it. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export interface WorkbenchProbe {
  /** Saves a PNG named `name` and returns its path. */
  capture(name: string): Promise<string>;
  /** The rendered text (innerText) of every element matching the CSS selector, in the test window or another one. */
  texts(selector: string, window?: number): Promise<string[]>;
  /** Opens a second window on another folder, with the extension under development; resolves with its number. */
  openWindow(): Promise<number>;
  closeWindow(window: number): Promise<void>;
}

export async function startScreenshotEndpoint(probe: WorkbenchProbe): Promise<ScreenshotEndpoint> {
  const server = http.createServer(async (request, response) => {
    const reply = (status: number, body: object) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'POST' || (request.url !== '/screenshot' && request.url !== '/text' && request.url !== '/window')) {
      return reply(404, { error: 'POST /screenshot, /text or /window' });
    }
    let body: { name?: unknown; selector?: unknown; window?: unknown; open?: unknown; close?: unknown };
    try {
      body = JSON.parse(await readBody(request)) as typeof body;
    } catch {
      return reply(400, { error: 'body must be JSON' });
    }
    try {
      if (request.url === '/text') {
        if (typeof body.selector !== 'string' || !body.selector) return reply(400, { error: 'selector must be a CSS selector' });
        if (body.window !== undefined && typeof body.window !== 'number') return reply(400, { error: 'window must be a window number' });
        return reply(200, { texts: await probe.texts(body.selector, body.window) });
      }
      if (request.url === '/window') {
        if (body.open === true) return reply(200, { window: await probe.openWindow() });
        if (typeof body.close === 'number') {
          await probe.closeWindow(body.close);
          return reply(200, {});
        }
        return reply(400, { error: 'send {"open": true} or {"close": N}' });
      }
      if (typeof body.name !== 'string' || !SAFE_NAME.test(body.name)) {
        return reply(400, { error: `name must match ${SAFE_NAME}` });
      }
      reply(200, { path: await probe.capture(body.name) });
    } catch (error) {
      reply(500, { error: String(error) });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
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
