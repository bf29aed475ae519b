import { createParser } from 'eventsource-parser';
import { silentLogger, type Logger } from '../../ports';
import { UpstreamFailure, type UpstreamFailureKind } from '../failure';
import { BodyReader } from '../body-reader';
import { createTransport, type TransportResponse, type UpstreamTransport } from '../transport';
import { classifyHttpFailure, classifyNetworkError, parseGoogleError } from './classify';

/**
 * The Cloud Code HTTP layer (upstream-protocol §1, §2): `POST {host}/v1internal:{method}`
 * over the upstream transport (keep-alive pools, proxies: see transport.ts),
 * ordered host fallback, SSE frames, timeouts and abort propagation. It knows
 * nothing of chat semantics.
 */

export type CloudCodeMethod = 'generateContent' | 'streamGenerateContent' | 'countTokens' | 'loadCodeAssist' | 'onboardUser' | 'fetchAvailableModels';

export interface CloudCodeClientOptions {
  /** Ordered base URLs (without `/v1internal`). */
  hosts: string[];
  userAgent: string;
  /** Outbound HTTP proxy URL; empty = direct. */
  proxy?: string;
  /** Honour HTTPS_PROXY / HTTP_PROXY / NO_PROXY (the CLI host). */
  proxyFromEnvironment?: boolean;
  /** Connection establishment (TCP and TLS). */
  connectTimeoutMs: number;
  /** Replaces the transport built from the options above (tests). */
  transport?: UpstreamTransport;
  /** From sending the request to the first byte of the response body. */
  firstByteTimeoutMs: number;
  /** Longest silence between two body chunks. */
  idleTimeoutMs: number;
  /** From sending a unary generation (`generateContent`) to the first byte of its answer, which comes whole. */
  answerTimeoutMs?: number;
  /** Accept answers from the Agate upstream simulator (tests and demos only). */
  allowSimulator?: boolean;
  logger?: Logger;
}

/** One host tried for one call: what the scheduler logs as the attempt's `host`. */
export interface HostAttempt {
  host: string;
  method: CloudCodeMethod;
  /** Absent when no HTTP response arrived. */
  status?: number;
  outcome: 'ok' | UpstreamFailureKind;
  /** The failure's words and Google reason, for the attempt trail. */
  message?: string;
  reason?: string;
  /** Whether the next host was tried after this one. */
  fellBack: boolean;
  durationMs: number;
}

export interface CloudCodeRequest {
  method: CloudCodeMethod;
  accessToken: string;
  body: unknown;
  /** `body` already serialised as UTF-8 (a large one is, in slices); else the client serialises it. */
  bodyBytes?: Buffer[];
  signal?: AbortSignal;
  /** The upstream model, for failure classification. */
  model?: string;
  onAttempt?: (attempt: HostAttempt) => void;
}

export const SIMULATOR_HEADER = 'x-agate-simulator';

/** upstream-protocol §1: network errors, 404, 408 and 5xx move on to the next host; 400/401/403/429 never do. */
function fallsBack(status: number): boolean {
  return status === 404 || status === 408 || status >= 500;
}

/**
 * One attempt's AbortController: linked to the caller's signal, and fired by
 * the first-byte / idle timers, which record the timeout they stand for.
 */
class AttemptControl {
  readonly controller = new AbortController();
  timedOut: UpstreamFailure | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private armed: { ms: number; what: string } | undefined;
  private readonly onCallerAbort = () => this.controller.abort(this.caller?.reason);

  constructor(private readonly caller: AbortSignal | undefined) {
    if (caller?.aborted) this.controller.abort(caller.reason);
    else caller?.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  arm(ms: number, what: string, model: string | undefined): void {
    // Re-armed after every body chunk: restarting the same timer spares a new one each time.
    if (this.timer && this.armed?.ms === ms && this.armed.what === what) {
      this.timer.refresh();
      return;
    }
    clearTimeout(this.timer);
    this.armed = { ms, what };
    this.timer = setTimeout(() => {
      this.timedOut = new UpstreamFailure('timeout', `Cloud Code sent nothing for ${ms} ms (${what})`, { model });
      this.controller.abort(this.timedOut);
    }, ms);
  }

  /** The error to surface for something that broke the exchange. */
  explain(err: unknown, model: string | undefined): unknown {
    if (this.caller?.aborted) return this.caller.reason;
    if (this.timedOut) return this.timedOut;
    if (err instanceof UpstreamFailure || err instanceof SimulatorRefused) return err;
    return classifyNetworkError(err, model);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.caller?.removeEventListener('abort', this.onCallerAbort);
  }
}

/** Raised when a gateway not built for the simulator reaches it. Never retried. */
export class SimulatorRefused extends Error {
  constructor(host: string) {
    super(`Refusing an answer from the Agate upstream simulator at ${host}: this gateway was not created with allowSimulator. Check upstream.hosts.`);
    this.name = 'SimulatorRefused';
  }
}

/** An open streaming call (`CloudCodeClient.openStream`). */
export interface FrameReader {
  /** The parsed frames of the next body chunk (often one, sometimes none or several); undefined after the last. */
  next(): Promise<unknown[] | undefined>;
  /** Ends the call; idempotent. */
  close(): void;
}

interface OpenExchange {
  host: string;
  response: TransportResponse;
  control: AttemptControl;
}

export class CloudCodeClient {
  private readonly hosts: string[];
  private readonly logger: Logger;
  readonly transport: UpstreamTransport;

  constructor(private readonly options: CloudCodeClientOptions) {
    if (options.hosts.length === 0) throw new Error('Cloud Code client: upstream.hosts is empty');
    this.hosts = options.hosts.map((h) => h.replace(/\/+$/, ''));
    this.logger = options.logger ?? silentLogger;
    this.transport = options.transport ?? createTransport(options);
  }

  /** A unary call: the parsed JSON answer. */
  async call(request: CloudCodeRequest): Promise<unknown> {
    const exchange = await this.open(request, false);
    try {
      const text = await this.readAll(exchange, request.model);
      return text ? JSON.parse(text) : {};
    } catch (err) {
      throw err instanceof SyntaxError ? new UpstreamFailure('server', 'Cloud Code sent malformed JSON', { cause: err }) : err;
    } finally {
      exchange.control.dispose();
    }
  }

  /**
   * A streaming call, open: its SSE `data:` frames, parsed, a body chunk's worth at a time. Nothing is read
   * before the first `next()`. `close()` ends it: a complete answer leaves its connection to the keep-alive
   * pool; one abandoned early (or a failed frame) is cut, so the upstream sees the connection close.
   */
  async openStream(request: CloudCodeRequest): Promise<FrameReader> {
    const exchange = await this.open(request, true);
    const pending: string[] = [];
    const parser = createParser({ onEvent: (event) => pending.push(event.data) });
    const body = new BodyReader(exchange.response.body);
    let ended = false;
    let complete = false;
    let closed = false;
    return {
      next: async () => {
        if (ended) return undefined;
        const chunk = await this.nextChunk(body, exchange.control, request.model);
        // A last frame without its blank line still counts.
        if (chunk === undefined) ended = true;
        parser.feed(chunk ?? '\n\n');
        const frames = pending.map((data) => this.parseFrame(data, request.model));
        pending.length = 0;
        if (ended) complete = true;
        return ended && frames.length === 0 ? undefined : frames;
      },
      close: () => {
        if (closed) return;
        closed = true;
        if (!complete) {
          exchange.control.controller.abort();
          body.destroy();
        }
        exchange.control.dispose();
      },
    };
  }

  /** The frames of a streaming call one by one (`openStream` without the batching). */
  async *stream(request: CloudCodeRequest): AsyncGenerator<unknown, void, undefined> {
    const reader = await this.openStream(request);
    try {
      for (let frames = await reader.next(); frames; frames = await reader.next()) yield* frames;
    } finally {
      reader.close();
    }
  }

  /** One URL object per host and method, reused call after call (the transport keeps what it derives from it). */
  private readonly urls = new Map<string, URL>();
  private urlOf(host: string, method: CloudCodeMethod, stream: boolean): URL {
    const href = `${host}/v1internal:${method}${stream ? '?alt=sse' : ''}`;
    let url = this.urls.get(href);
    if (!url) this.urls.set(href, (url = new URL(href)));
    return url;
  }

  /** Releases the connection pools. */
  async close(): Promise<void> {
    await this.transport.close();
  }

  private parseFrame(data: string, model: string | undefined): unknown {
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch (err) {
      throw new UpstreamFailure('server', 'Cloud Code sent a malformed stream frame', { model, cause: err });
    }
    // An error after the 200: Google streams it as a frame of its own.
    const error = parseGoogleError(frame);
    if (error) throw classifyHttpFailure(error.code ?? 500, frame, { model });
    return frame;
  }

  /** Tries the hosts in order until one answers 2xx or fails in a way another host cannot fix. */
  private async open(request: CloudCodeRequest, stream: boolean): Promise<OpenExchange> {
    const body = request.bodyBytes ?? JSON.stringify(request.body);
    let lastFailure: unknown;
    for (const [index, host] of this.hosts.entries()) {
      const started = Date.now();
      const isLast = index === this.hosts.length - 1;
      const report = (status: number | undefined, outcome: HostAttempt['outcome'], fellBack: boolean, failure?: UpstreamFailure) => {
        const attempt: HostAttempt = { host, method: request.method, status, outcome, fellBack, durationMs: Date.now() - started };
        if (failure) {
          attempt.message = failure.message;
          if (failure.reason) attempt.reason = failure.reason;
        }
        this.logger.debug('cloudcode attempt', { ...attempt, model: request.model });
        request.onAttempt?.(attempt);
      };
      const control = new AttemptControl(request.signal);
      const answerAtOnce = request.method === 'generateContent';
      control.arm(
        answerAtOnce ? (this.options.answerTimeoutMs ?? this.options.firstByteTimeoutMs) : this.options.firstByteTimeoutMs,
        answerAtOnce ? 'whole answer' : 'first byte',
        request.model,
      );
      let response: TransportResponse;
      try {
        response = await this.transport.request({
          url: this.urlOf(host, request.method, stream),
          method: 'POST',
          headers: {
            Authorization: `Bearer ${request.accessToken}`,
            'Content-Type': 'application/json',
            Accept: stream ? 'text/event-stream' : 'application/json',
            'User-Agent': this.options.userAgent,
          },
          body,
          signal: control.controller.signal,
        });
      } catch (err) {
        control.dispose();
        const failure = control.explain(err, request.model);
        if (!(failure instanceof UpstreamFailure)) throw failure; // the caller aborted
        // The request never reached a server (refused, reset, DNS, connect
        // timeout): another host may be reachable. A first-byte timeout means a
        // server has the request; repeating it elsewhere would double the work.
        const unreachable = control.timedOut === undefined;
        report(undefined, failure.kind, unreachable && !isLast, failure);
        if (!unreachable) throw failure;
        lastFailure = failure;
        continue;
      }

      if (response.header(SIMULATOR_HEADER) === '1' && !this.options.allowSimulator) {
        control.controller.abort();
        response.body.destroy();
        control.dispose();
        throw new SimulatorRefused(host);
      }
      if (response.status >= 200 && response.status < 300) {
        report(response.status, 'ok', false);
        return { host, response, control };
      }

      const failure = await this.failureOf({ host, response, control }, request.model);
      control.dispose();
      if (!(failure instanceof UpstreamFailure)) throw failure;
      const fallBack = fallsBack(response.status);
      report(response.status, failure.kind, fallBack && !isLast, failure);
      if (!fallBack) throw failure;
      lastFailure = failure;
    }
    throw lastFailure;
  }

  /** The classified failure of a non-2xx answer (or what interrupted reading it). */
  private async failureOf(exchange: OpenExchange, model: string | undefined): Promise<unknown> {
    let text: string;
    try {
      text = await this.readAll(exchange, model);
    } catch (err) {
      return err;
    }
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON (a proxy's HTML page, say): classified from the status and text.
    }
    return classifyHttpFailure(exchange.response.status, body, {
      model,
      retryAfterHeader: exchange.response.header('retry-after') ?? null,
    });
  }

  private async readAll({ response, control }: OpenExchange, model: string | undefined): Promise<string> {
    const body = new BodyReader(response.body);
    let text = '';
    let done = false;
    try {
      for (let chunk = await this.nextChunk(body, control, model); chunk !== undefined; chunk = await this.nextChunk(body, control, model)) {
        text += chunk;
      }
      done = true;
    } finally {
      if (!done) body.destroy();
    }
    return text;
  }

  /**
   * The next body chunk (undefined at the end) under the timers: the first-byte
   * timer armed at request time runs until the first chunk, then each chunk
   * re-arms the idle timer. A broken read is explained.
   */
  private async nextChunk(body: BodyReader, control: AttemptControl, model: string | undefined): Promise<string | undefined> {
    let chunk: string | undefined;
    try {
      chunk = await body.next();
    } catch (err) {
      throw control.explain(err, model);
    }
    if (chunk !== undefined) control.arm(this.options.idleTimeoutMs, 'idle stream', model);
    return chunk;
  }
}
