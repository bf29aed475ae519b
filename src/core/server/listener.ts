import http from 'node:http';
import type { Socket } from 'node:net';
import type Koa from 'koa';

export interface Listening {
  url: string;
  port: number;
  host: string;
  /** Stops accepting, lets in-flight answers finish within `graceMs`, then cuts the rest; resolves when the port is free. */
  close(graceMs: number): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(`Port ${port} on ${host} is already in use`);
    this.name = 'PortInUseError';
  }
}

const hostForUrl = (host: string) => (host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host);

/** Binds a Koa app and tracks its sockets so that a stop releases the port promptly. */
export function listen(app: Koa, host: string, port: number): Promise<Listening> {
  const server = http.createServer(app.callback());
  server.keepAliveTimeout = 65_000; // longer than common client pools, so reused sockets are not cut mid-request
  server.headersTimeout = 66_000;
  server.requestTimeout = 0; // streamed answers can legitimately run for many minutes
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.once('close', () => sockets.delete(socket));
  });

  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(host, port) : err),
    );
    server.listen(port, host, () => {
      const address = server.address();
      const boundPort = typeof address === 'object' && address ? address.port : port;
      resolve({
        url: `http://${hostForUrl(host)}:${boundPort}`,
        port: boundPort,
        host,
        close: (graceMs) =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
            const cut = setTimeout(() => {
              for (const socket of sockets) socket.destroy();
            }, graceMs);
            cut.unref();
            server.once('close', () => clearTimeout(cut));
          }),
      });
    });
  });
}
