import { createParser } from 'eventsource-parser';
import type { ProxyAgent } from 'undici';
import { silentLogger, type Logger } from '../../ports';
import { loadUndici } from '../../undici';
import { UpstreamFailure, type UpstreamFailureKind } from '../failure';
import { classifyHttpFailure, classifyNetworkError, parseGoogleError } from './classify';

/**
 * The Cloud Code HTTP layer (upstream-protocol §1, §2): `POST {host}/v1internal:{method}`
 * over the runtime's global fetch, ordered host fallback, SSE frames, timeouts
 * and abort propagation. It knows nothing of chat semantics.
 *
 * The global fetch is used as is (VS Code patches it in the extension host
 * for its proxy settings, and it pools keep-alive connections); no global
 * dispatcher is ever installed. An explicit `proxy` gets its own ProxyAgent,
 * passed per request.
 */

export type CloudCodeMethod =
  | 'generateContent'
  | 'streamGenerateContent'
  | 'countTokens'
  | 'loadCodeAssist'
  | 'onboardUser'
  | 'fetchAvailableModels';

export interface CloudCodeClientOptions {
  /** Ordered base URLs (without `/v1internal`). */
  hosts: string[];
  userAgent: string;
  /** Outbound HTTP proxy URL; empty = direct. */
  proxy?: string;
  /**
   * Connection establishment. Enforced by the proxy dispatcher when `proxy` is
   * set; direct connections use the runtime fetch's own connect timeout
   * (10 s in Node), because the global fetch exposes no per-request knob and
   * no global dispatcher may be installed.
   */
  connectTimeoutMs: number;
  /** From sending the request to the first byte of the response body. */
  firstByteTimeoutMs: number;
  /** Longest silence between two body chunks. */
  idleTimeoutMs: number;
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
  /** Whether the next host was tried after this one. */
  fellBack: boolean;
  durationMs: number;
}

export interface CloudCodeRequest {
  method: CloudCodeMethod;
  accessToken: string;
  body: unknown;
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
    super(
      `Refusing an answer from the Agate upstream simulator at ${host}: this gateway was not created with allowSimulator. Check upstream.hosts.`,
    );
    this.name = 'SimulatorRefused';
  }
}

interface OpenExchange {
  host: string;
  response: Response;
  control: AttemptControl;
}

export class CloudCodeClient {
  private readonly hosts: string[];
  private readonly logger: Logger;
  private readonly dispatcher: ProxyAgent | undefined;

  constructor(private readonly options: CloudCodeClientOptions) {
    if (options.hosts.length === 0) throw new Error('Cloud Code client: upstream.hosts is empty');
    this.hosts = options.hosts.map((h) => h.replace(/\/+$/, ''));
    this.logger = options.logger ?? silentLogger;
    this.dispatcher = options.proxy
      ? new (loadUndici().ProxyAgent)({
          uri: options.proxy,
          proxyTls: { timeout: options.connectTimeoutMs },
          requestTls: { timeout: options.connectTimeoutMs },
        })
      : undefined;
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
   * A streaming call: each SSE `data:` frame, parsed, as it arrives. Nothing
   * is sent before the first `next()`; returning early (or the caller's
   * signal) aborts the request, so the upstream sees the connection close.
   */
  async *stream(request: CloudCodeRequest): AsyncGenerator<unknown, void, undefined> {
    const exchange = await this.open(request, true);
    const frames: string[] = [];
    const parser = createParser({ onEvent: (event) => frames.push(event.data) });
    const decoder = new TextDecoder();
    // Read here rather than through chunks(): one async generator less per body chunk.
    const reader = exchange.response.body?.getReader();
    let drained = reader === undefined;
    let complete = false;
    try {
      while (!drained) {
        const chunk = await this.nextChunk(reader!, exchange.control, request.model);
        if (chunk === undefined) {
          drained = true;
          break;
        }
        parser.feed(decoder.decode(chunk, { stream: true }));
        for (let index = 0; index < frames.length; index++) yield this.parseFrame(frames[index], request.model);
        frames.length = 0;
      }
      // A last frame without its blank line still counts.
      parser.feed(`${decoder.decode()}\n\n`);
      while (frames.length > 0) yield this.parseFrame(frames.shift()!, request.model);
      complete = true;
    } finally {
      if (!drained) await reader!.cancel().catch(() => undefined);
      reader?.releaseLock();
      // The consumer stopped early or a frame failed: cut the connection. A
      // complete answer leaves it to the keep-alive pool (aborting would close it).
      if (!complete) exchange.control.controller.abort();
      exchange.control.dispose();
    }
  }

  /** Releases the proxy dispatcher, if any. */
  async close(): Promise<void> {
    await this.dispatcher?.close();
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
    const body = JSON.stringify(request.body);
    let lastFailure: unknown;
    for (const [index, host] of this.hosts.entries()) {
      const started = Date.now();
      const isLast = index === this.hosts.length - 1;
      const report = (status: number | undefined, outcome: HostAttempt['outcome'], fellBack: boolean) => {
        const attempt: HostAttempt = { host, method: request.method, status, outcome, fellBack, durationMs: Date.now() - started };
        this.logger.debug('cloudcode attempt', { ...attempt, model: request.model });
        request.onAttempt?.(attempt);
      };
      const control = new AttemptControl(request.signal);
      control.arm(this.options.firstByteTimeoutMs, 'first byte', request.model);
      let response: Response;
      try {
        response = await fetch(`${host}/v1internal:${request.method}${stream ? '?alt=sse' : ''}`, this.init(request, body, control));
      } catch (err) {
        control.dispose();
        const failure = control.explain(err, request.model);
        if (!(failure instanceof UpstreamFailure)) throw failure; // the caller aborted
        // The request never reached a server (refused, reset, DNS, connect
        // timeout): another host may be reachable. A first-byte timeout means a
        // server has the request; repeating it elsewhere would double the work.
        const unreachable = control.timedOut === undefined;
        report(undefined, failure.kind, unreachable && !isLast);
        if (!unreachable) throw failure;
        lastFailure = failure;
        continue;
      }

      if (response.headers.get(SIMULATOR_HEADER) === '1' && !this.options.allowSimulator) {
        control.controller.abort();
        control.dispose();
        throw new SimulatorRefused(host);
      }
      if (response.ok) {
        report(response.status, 'ok', false);
        return { host, response, control };
      }

      const failure = await this.failureOf({ host, response, control }, request.model);
      control.dispose();
      if (!(failure instanceof UpstreamFailure)) throw failure;
      const fallBack = fallsBack(response.status);
      report(response.status, failure.kind, fallBack && !isLast);
      if (!fallBack) throw failure;
      lastFailure = failure;
    }
    throw lastFailure;
  }

  private init(request: CloudCodeRequest, body: string, control: AttemptControl): RequestInit {
    const init: RequestInit & { dispatcher?: ProxyAgent } = {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${request.accessToken}`,
        'Content-Type': 'application/json',
        Accept: request.method === 'streamGenerateContent' ? 'text/event-stream' : 'application/json',
        'User-Agent': this.options.userAgent,
      },
      body,
      signal: control.controller.signal,
      // Cloud Code never redirects its API calls. 'error' together with no window spares fetch
      // a clone of the request (a tee of its body stream) that it keeps only to replay it on a redirect.
      redirect: 'error',
      window: null,
    };
    if (this.dispatcher) init.dispatcher = this.dispatcher;
    return init;
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
      retryAfterHeader: exchange.response.headers.get('retry-after'),
    });
  }

  private async readAll(exchange: OpenExchange, model: string | undefined): Promise<string> {
    const decoder = new TextDecoder();
    let text = '';
    for await (const chunk of this.chunks(exchange, model)) text += decoder.decode(chunk, { stream: true });
    return text + decoder.decode();
  }

  /**
   * Body chunks under the timers: the first-byte timer armed at request time
   * runs until the first chunk, then each chunk re-arms the idle timer.
   */
  private async *chunks({ response, control }: OpenExchange, model: string | undefined): AsyncGenerator<Uint8Array> {
    if (!response.body) return;
    const reader = response.body.getReader();
    let done = false;
    try {
      for (;;) {
        const chunk = await this.nextChunk(reader, control, model);
        if (chunk === undefined) break;
        yield chunk;
      }
      done = true;
    } finally {
      if (!done) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
  }

  /** The next body chunk (undefined at the end), re-arming the idle timer; a broken read is explained. */
  private async nextChunk(
    reader: ReadableStreamDefaultReader<Uint8Array>,
    control: AttemptControl,
    model: string | undefined,
  ): Promise<Uint8Array | undefined> {
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await reader.read();
    } catch (err) {
      throw control.explain(err, model);
    }
    if (result.done) return undefined;
    control.arm(this.options.idleTimeoutMs, 'idle stream', model);
    return result.value;
  }
}

