// The bare names, not `node:http`/`node:https`: VS Code's extension host hands its proxy-patched
// modules (settings `http.proxy`, `http.proxySupport`) only to `require('http')` and `require('https')`.
import http from 'http';
import https from 'https';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { loadUndici } from '../undici';

/**
 * How the gateway's upstream calls reach the network: one request, its status,
 * headers and body as a Node stream. No WHATWG Request/Response and no web
 * streams per call: on the 500 req/s profile the global `fetch` cost 2.5× the
 * CPU of `node:http` or undici's `request` (those two were within noise).
 *
 * - Default: `http`/`https` with keep-alive agents. In VS Code these are the
 *   modules the extension host patched, so the editor's proxy settings apply.
 * - An explicit `upstream.proxy`, or (CLI only) `HTTPS_PROXY` / `HTTP_PROXY` /
 *   `NO_PROXY`: undici's ProxyAgent / EnvHttpProxyAgent and its `request` API
 *   (CONNECT tunnels). Node's own modules know no proxy, and in VS Code the
 *   patched modules would replace an agent of ours by the editor's choice.
 */
export interface TransportRequest {
  url: URL;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** Text, or UTF-8 buffers written one after the other (a large body serialised in slices). */
  body?: string | Buffer[];
  /** Aborting destroys the exchange, whether or not the answer has started. */
  signal: AbortSignal;
}

export interface TransportResponse {
  status: number;
  /** A header by lower-case name; repeated headers joined by ", ". */
  header(name: string): string | undefined;
  /** The body; destroying it closes the connection instead of returning it to the pool. */
  body: Readable;
}

export interface UpstreamTransport {
  /** Resolves when the response head arrived; rejects on connection failures (with the system error code). */
  request(request: TransportRequest): Promise<TransportResponse>;
  /** The undici dispatcher behind a proxy, for fetch-based callers (OAuth); undefined when direct. */
  readonly proxyDispatcher: Dispatcher | undefined;
  close(): Promise<void>;
}

export interface TransportOptions {
  /** Outbound HTTP proxy URL; empty = none. */
  proxy?: string;
  /** Honour HTTPS_PROXY / HTTP_PROXY / NO_PROXY (the CLI; VS Code applies its own proxy settings). */
  proxyFromEnvironment?: boolean;
  /** TCP (+ TLS) connection establishment. */
  connectTimeoutMs: number;
}

const PROXY_ENV = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

export function createTransport(options: TransportOptions): UpstreamTransport {
  const timeout = options.connectTimeoutMs;
  if (options.proxy) {
    const undici = loadUndici();
    return new DispatcherTransport(new undici.ProxyAgent({ uri: options.proxy, proxyTls: { timeout }, requestTls: { timeout } }));
  }
  if (options.proxyFromEnvironment && PROXY_ENV.some((name) => process.env[name])) {
    const undici = loadUndici();
    return new DispatcherTransport(new undici.EnvHttpProxyAgent({ connect: { timeout } }));
  }
  return new NodeHttpTransport(timeout);
}

const byteLengthOf = (body: string | Buffer[]): number =>
  typeof body === 'string' ? Buffer.byteLength(body) : body.reduce((sum, buffer) => sum + buffer.length, 0);

const headerOf = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value.join(', ') : value);

/** The URL as `request` options, worked out once per URL object (a client reuses its few URLs). */
const targets = new WeakMap<URL, http.RequestOptions>();
function targetOf(url: URL): http.RequestOptions {
  let target = targets.get(url);
  if (!target) {
    // Brackets off an IPv6 literal, as Node's own URL-to-options conversion does.
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    target = { protocol: url.protocol, hostname, port: url.port || undefined, path: `${url.pathname}${url.search}` };
    if (url.username || url.password) target.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    targets.set(url, target);
  }
  return target;
}

/** What an aborted exchange fails with: an AbortError, as Node's `signal` option raises, its reason as cause. */
function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted', { cause: signal.reason }), { name: 'AbortError', code: 'ABORT_ERR' });
}

/** A connection not established in time; the code is one the classifier reads as a timeout. */
class ConnectTimeout extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(ms: number) {
    super(`connection not established within ${ms} ms`);
  }
}

/**
 * Keep-alive pools sized for streaming: an answer holds its socket for its
 * whole length, so the number of sockets is not capped (a cap would queue new
 * requests behind long streams); up to 256 idle ones stay open, most recent first.
 */
const AGENT_OPTIONS: http.AgentOptions = { keepAlive: true, maxFreeSockets: 256, scheduling: 'lifo' };

class NodeHttpTransport implements UpstreamTransport {
  readonly proxyDispatcher = undefined;
  private readonly httpAgent = new http.Agent(AGENT_OPTIONS);
  private readonly httpsAgent = new https.Agent(AGENT_OPTIONS);

  constructor(private readonly connectTimeoutMs: number) {}

  request(request: TransportRequest): Promise<TransportResponse> {
    return new Promise((resolve, reject) => {
      const secure = request.url.protocol === 'https:';
      // Encoded once: the length and the bytes written come from the same pass over the text.
      const body = typeof request.body === 'string' ? [Buffer.from(request.body, 'utf8')] : request.body;
      // Said outright, not left to the agent: in VS Code the editor's proxy support replaces the agent of every
      // request to a host other than localhost with a fresh one of its own (keep-alive off), which sends
      // "Connection: close" and reopened a TCP (and TLS) connection for every upstream call. With the header, a
      // direct connection goes back to Node's global pool and is reused (test/vscode/suite/upstream-keep-alive.test.ts).
      const headers: Record<string, string> = { ...request.headers, Connection: 'keep-alive' };
      if (body !== undefined) headers['Content-Length'] = String(byteLengthOf(body));
      const outgoing = (secure ? https : http).request(
        {
          ...targetOf(request.url),
          method: request.method,
          headers,
          agent: secure ? this.httpsAgent : this.httpAgent,
        },
        (incoming) => resolve({ status: incoming.statusCode ?? 0, header: (name) => headerOf(incoming.headers[name]), body: incoming }),
      );
      outgoing.on('error', reject);
      // One abort listener, gone with the exchange: Node's own `signal` option also tracks the request's end of
      // stream, listeners and all, on every call.
      const { signal } = request;
      if (signal.aborted) outgoing.destroy(abortError(signal));
      else {
        const onAbort = () => outgoing.destroy(abortError(signal));
        signal.addEventListener('abort', onAbort, { once: true });
        outgoing.once('close', () => signal.removeEventListener('abort', onAbort));
      }
      outgoing.once('socket', (socket) => {
        if (!socket.connecting) return; // a pooled connection
        const timer = setTimeout(() => outgoing.destroy(new ConnectTimeout(this.connectTimeoutMs)), this.connectTimeoutMs);
        socket.once(secure ? 'secureConnect' : 'connect', () => clearTimeout(timer));
        outgoing.once('close', () => clearTimeout(timer));
      });
      // Several pieces (a body serialised around its kept parts) leave in one socket write.
      const pieces = body ?? [];
      if (pieces.length > 1) outgoing.cork();
      for (const buffer of pieces) outgoing.write(buffer);
      outgoing.end();
      if (pieces.length > 1) outgoing.uncork();
    });
  }

  async close(): Promise<void> {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

class DispatcherTransport implements UpstreamTransport {
  constructor(readonly proxyDispatcher: Dispatcher) {}

  async request(request: TransportRequest): Promise<TransportResponse> {
    const answer = await this.proxyDispatcher.request({
      origin: request.url.origin,
      path: request.url.pathname + request.url.search,
      method: request.method,
      headers: request.headers,
      // The proxy path is not the hot one: slices are joined for undici's single-body API.
      body: Array.isArray(request.body) ? Buffer.concat(request.body) : request.body,
      signal: request.signal,
      // The caller's first-byte and idle timers govern; undici's own defaults (300 s) stay out of the way.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    return { status: answer.statusCode, header: (name) => headerOf(answer.headers[name]), body: answer.body };
  }

  async close(): Promise<void> {
    await this.proxyDispatcher.close();
  }
}

/** The part of `fetch` the OAuth client uses; `transportFetch` serves it without loading the runtime's fetch. */
export type MinimalFetch = (
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal | null },
) => Promise<{ status: number; text(): Promise<string> }>;

/**
 * OAuth over the upstream transport: the same proxy and pools as Cloud Code, and no WHATWG fetch in the
 * process at all (its first use costs about 13 MB of RSS). Failures look like fetch's: "fetch failed"
 * with the system error as the cause.
 */
export function transportFetch(transport: UpstreamTransport): MinimalFetch {
  return async (url, init) => {
    try {
      const response = await transport.request({
        url: new URL(url),
        method: init.method === 'POST' ? 'POST' : 'GET',
        headers: init.headers ?? {},
        body: init.body,
        signal: init.signal ?? new AbortController().signal,
      });
      response.body.setEncoding('utf8');
      let text = '';
      for await (const chunk of response.body) text += chunk;
      return { status: response.status, text: async () => text };
    } catch (err) {
      if (init.signal?.aborted) throw init.signal.reason;
      throw Object.assign(new TypeError('fetch failed'), { cause: err });
    }
  };
}
