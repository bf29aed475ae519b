import http from 'node:http';
import type { Socket } from 'node:net';
import { GatewayError, type GatewayErrorKind } from '../errors';
import type { ErrorReply } from '../protocols/codec';

export interface Listening {
  url: string;
  port: number;
  host: string;
  /** Stops accepting, lets in-flight answers finish within `graceMs`, then cuts the rest; resolves when the port is free. */
  close(graceMs: number): Promise<void>;
  /** Client connections open now. */
  openConnections(): number;
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

/** The address cannot be listened on (a name that does not resolve, an address not of this machine, a privileged port). */
export class ListenError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly code: string | undefined,
  ) {
    super(`Cannot listen on ${host} port ${port}: ${listenFailureReason(code)}`);
    this.name = 'ListenError';
  }
}

function listenFailureReason(code: string | undefined): string {
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NODATA':
    case 'EAI_NONAME':
      return 'the host name does not resolve. Use an IP address such as 127.0.0.1, or a name this machine resolves.';
    case 'EADDRNOTAVAIL':
      return 'that address does not belong to this machine. Use 127.0.0.1, or one of its own addresses.';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied (ports below 1024 need privileges).';
    default:
      return `the system refused${code ? ` (${code})` : ''}.`;
  }
}

export interface ListenOptions {
  /** Largest request head; Node answers 431 beyond it (`maxHeaderSize`). */
  maxHeaderBytes: number;
  /** Time to receive a whole request (headers and body); 408 after it. Answers are not bounded by it. */
  requestTimeoutMs: number;
  /** Open connections beyond this are closed as they arrive. */
  maxConnections: number;
  /** Open connections from one remote address beyond this are closed as they arrive. */
  maxConnectionsPerAddress: number;
  /** Told of the 1st, 10th, 100th … connection closed by a cap (per cap), so a flood cannot flood the log. */
  onConnectionsRefused?(refusal: ConnectionRefusal): void;
  /** Renders a request Node itself rejects (malformed, head too large, too slow) in the shape of the path's protocol. */
  renderError(err: GatewayError, path: string): ErrorReply;
}

export interface ConnectionRefusal {
  /** Which cap: `server.maxConnections` or `server.maxConnectionsPerAddress`. */
  cap: 'maxConnections' | 'maxConnectionsPerAddress';
  limit: number;
  /** Connections this cap has closed so far. */
  refused: number;
  /** The remote address, when known. */
  address?: string;
}

const hostForUrl = (host: string) => (host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host);

/** Binds the gateway's request listener and tracks its sockets so that a stop releases the port promptly. */
export function listen(onRequest: http.RequestListener, host: string, port: number, options: ListenOptions): Promise<Listening> {
  const server = http.createServer(
    {
      maxHeaderSize: options.maxHeaderBytes,
      // Covers receiving the request only: Node stops the clock once the body is in, so long streamed answers are unaffected.
      requestTimeout: options.requestTimeoutMs,
      headersTimeout: Math.min(66_000, options.requestTimeoutMs),
      // How often Node looks for requests over their time; its 30 s default would let a short timeout run long.
      connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(options.requestTimeoutMs / 4))),
    },
    onRequest,
  );
  server.keepAliveTimeout = 65_000; // longer than common client pools, so reused sockets are not cut mid-request
  // Node closes connections beyond this before any JavaScript sees them.
  server.maxConnections = options.maxConnections;
  const refused = { maxConnections: 0, maxConnectionsPerAddress: 0 };
  const refuse = (cap: ConnectionRefusal['cap'], address: string | undefined) => {
    const count = ++refused[cap];
    if (/^10*$/.test(String(count))) options.onConnectionsRefused?.({ cap, limit: options[cap], refused: count, address });
  };
  server.on('drop', (data?: { remoteAddress?: string }) => refuse('maxConnections', data?.remoteAddress));
  // The path of each connection's latest request: a body that stalls or breaks is answered in that path's protocol.
  const lastPath = new WeakMap<Socket, string>();
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    lastPath.set(req.socket, req.url ?? '/');
    res.once('finish', () => lastPath.delete(req.socket));
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => answerClientError(err, socket, lastPath.get(socket), options.renderError));
  const sockets = new Set<Socket>();
  const perAddress = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    // One address may not take every descriptor: its excess connections are closed unread, at no cost to the others.
    const address = socket.remoteAddress;
    if (address === undefined) return void socket.destroy();
    const open = perAddress.get(address) ?? 0;
    if (open >= options.maxConnectionsPerAddress) {
      socket.destroy();
      return refuse('maxConnectionsPerAddress', address);
    }
    perAddress.set(address, open + 1);
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.once('close', () => {
      sockets.delete(socket);
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    });
  });

  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(host, port) : new ListenError(host, port, err.code)),
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
            // Only requests in flight get the grace: a connection without one (idle between keep-alive requests,
            // or opened and never used, which Node's closeIdleConnections leaves open) is closed now, and one
            // whose request finishes later is closed as it goes idle, so the port is free as soon as they end.
            const closeUnused = () => {
              for (const socket of sockets) if (!lastPath.has(socket)) socket.destroy();
            };
            closeUnused();
            const sweep = setInterval(closeUnused, 100);
            sweep.unref();
            const cut = setTimeout(() => {
              for (const socket of sockets) socket.destroy();
            }, graceMs);
            cut.unref();
            server.once('close', () => {
              clearTimeout(cut);
              clearInterval(sweep);
            });
          }),
        openConnections: () => sockets.size,
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
      return { kind: 'request_timeout', status: 408, message: 'The request was not received completely in time.' };
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
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  // Closed, not half-closed, once the answer is handed to the system: a client that never reads or closes
  // would otherwise hold the descriptor (FIN-WAIT-2 on its side, an open socket on ours) indefinitely.
  const linger = setTimeout(() => socket.destroy(), ANSWER_LINGER_MS);
  linger.unref();
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n${head}\r\n${body}`, () => {
    clearTimeout(linger);
    socket.destroy();
  });
}

/** How long an error answer may wait to be flushed (a client that does not read can fill the send buffer). */
const ANSWER_LINGER_MS = 5_000;
