import http from 'node:http';
import type { Socket } from 'node:net';
import type Koa from 'koa';
import { GatewayError, type GatewayErrorKind } from '../errors';
import type { ErrorReply } from '../protocols/codec';

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

export interface ListenOptions {
  /** Largest request head; Node answers 431 beyond it (`maxHeaderSize`). */
  maxHeaderBytes: number;
  /** Time to receive a whole request (headers and body); 408 after it. Answers are not bounded by it. */
  requestTimeoutMs: number;
  /** Renders a request Node itself rejects (malformed, head too large, too slow) in the shape of the path's protocol. */
  renderError(err: GatewayError, path: string): ErrorReply;
}

const hostForUrl = (host: string) => (host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host);

/** Binds a Koa app and tracks its sockets so that a stop releases the port promptly. */
export function listen(app: Koa, host: string, port: number, options: ListenOptions): Promise<Listening> {
  const server = http.createServer(
    {
      maxHeaderSize: options.maxHeaderBytes,
      // Covers receiving the request only: Node stops the clock once the body is in, so long streamed answers are unaffected.
      requestTimeout: options.requestTimeoutMs,
      headersTimeout: Math.min(66_000, options.requestTimeoutMs),
      // How often Node looks for requests over their time; its 30 s default would let a short timeout run long.
      connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(options.requestTimeoutMs / 4))),
    },
    app.callback(),
  );
  server.keepAliveTimeout = 65_000; // longer than common client pools, so reused sockets are not cut mid-request
  // The path of each connection's latest request: a body that stalls or breaks is answered in that path's protocol.
  const lastPath = new WeakMap<Socket, string>();
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    lastPath.set(req.socket, req.url ?? '/');
    res.once('finish', () => lastPath.delete(req.socket));
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => answerClientError(err, socket, lastPath.get(socket), options.renderError));
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

/** Node's own rejections, by its error codes, as a gateway error kind and the HTTP status Node would have used. */
function classifyClientError(code: string | undefined): { kind: GatewayErrorKind; status: number; message: string } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { kind: 'request_too_large', status: 431, message: 'The request headers are larger than the gateway accepts.' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { kind: 'timeout', status: 408, message: 'The request was not received completely in time.' };
    default:
      return { kind: 'invalid_request', status: 400, message: 'The request is not valid HTTP.' };
  }
}

/**
 * Replaces Node's bare-text answer to requests it cannot parse by a JSON error
 * in the protocol of the request's path, when the request line was readable.
 */
function answerClientError(
  err: NodeJS.ErrnoException & { rawPacket?: Buffer },
  socket: Socket,
  lastPath: string | undefined,
  render: ListenOptions['renderError'],
): void {
  const response = (socket as Socket & { _httpMessage?: http.ServerResponse })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || response?.headersSent) {
    socket.destroy();
    return;
  }
  const { kind, status, message } = classifyClientError(err.code);
  const path = /^[A-Z]+ (\/\S*) HTTP\//.exec(err.rawPacket?.toString('latin1', 0, 2048) ?? '')?.[1] ?? lastPath ?? '/';
  const reply = render(new GatewayError(kind, message), path.split('?')[0]);
  const body = JSON.stringify(reply.body);
  const headers = { ...reply.headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), connection: 'close' };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n${head}\r\n${body}`);
}
