import { promises as dns } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { Agent, Dispatcher } from 'undici';
import { GatewayError } from '../errors';
import type { ChatRequest, MediaPart } from '../ir';
import type { Logger } from '../ports';
import { loadUndici } from '../undici';
import { forbiddenAddressReason } from './address-policy';
import type { DownloadSlots } from './download-slots';

/**
 * Replaces the `url` source of every media part by the fetched bytes, so the
 * upstream only ever receives inline data. The URL comes from a client, so the
 * fetch is an SSRF risk, guarded here:
 * - http and https only, no credentials in the URL;
 * - every address the host resolves to must be public unicast
 *   (address-policy.ts), checked before connecting, on every redirect hop;
 * - redirects are followed by hand, at most MAX_REDIRECTS;
 * - a size cap (Content-Length first, then counted while reading) and a time
 *   cap covering all hops and the body;
 * - an image part must get an image content type.
 *
 * One request may not make the gateway hold more than `maxTotalBytes` of
 * fetched media (plus its base64 copy while each part is converted): the URL
 * count is capped before anything is fetched, every part's declared size is
 * counted against the total as soon as its headers arrive, every byte read is
 * counted while reading, and the first part to cross the total stops the whole
 * request's downloads. Downloads run at most `concurrency` at a time per
 * request and at most the shared `slots` across requests.
 *
 * TOCTOU: a hostile DNS server can answer our check with a public address and
 * the connection's own resolution with a private one (DNS rebinding). The
 * default fetch closes that window by pinning the connection to the addresses
 * we checked (a per-hop undici Agent whose `lookup` returns only them). What
 * remains: an injected `fetch` that ignores the `dispatcher` resolves on its
 * own and reopens the window, and a public host may itself proxy to private
 * networks, which no client-side check can see.
 *
 * One file of ~430 lines on purpose: the SSRF guard (address checks on every hop, pinned connections, caps) is
 * reviewed as one unit; the address policy itself is in address-policy.ts.
 */

const MAX_REDIRECTS = 3;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Every address of a host name (`dns.promises.lookup(host, {all: true})`). */
export type LookupAll = (hostname: string) => Promise<ResolvedAddress[]>;

export interface MediaFetchInit {
  method: 'GET';
  redirect: 'manual';
  signal: AbortSignal;
  headers: Record<string, string>;
  /** Pins the connection to the checked addresses; fetch implementations other than undici's ignore it. */
  dispatcher?: Dispatcher;
}

/** The part of a fetch Response the fetcher reads (global and undici Responses both fit). */
export interface MediaFetchResponse {
  status: number;
  headers: { get(name: string): string | null };
  body: { getReader(): MediaBodyReader } | null;
}

interface MediaBodyReader {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
  cancel(reason?: unknown): Promise<void>;
}

export type MediaFetch = (url: string, init: MediaFetchInit) => Promise<MediaFetchResponse>;

export interface ResolveMediaOptions {
  /** Largest accepted body, per media part. */
  maxBytes: number;
  /** Largest sum of the bodies of one request's media parts. */
  maxTotalBytes: number;
  /** Most media URLs one request may name. */
  maxUrls: number;
  /** Parallel downloads per request. */
  concurrency: number;
  /** The gateway-wide cap on downloads in flight; without it, only the per-request cap applies. */
  slots?: DownloadSlots;
  /** Time for one part, all redirect hops and the body included. */
  timeoutMs: number;
  /** Defaults to undici's fetch with connections pinned to the checked addresses. */
  fetch?: MediaFetch;
  /** Defaults to `dns.promises.lookup(hostname, {all: true, verbatim: true})`. */
  lookup?: LookupAll;
  /** The client went away: stop downloading. */
  signal?: AbortSignal;
  /** Where a refusal's details (the DNS answer, the address and its range) go; the client is told none of them. */
  logger?: Pick<Logger, 'info'>;
}

interface MediaJob {
  part: MediaPart;
  url: string;
  /** Where the part sits in the IR request, for the error's `param`. */
  param: string;
}

/**
 * The request with every URL media part (tool results' included) replaced by the fetched bytes, as a copy:
 * the decoded request stays as the client sent it. The same request when it names no URL.
 */
export async function resolveMediaUrls(request: ChatRequest, options: ResolveMediaOptions): Promise<ChatRequest> {
  const jobs = collectUrlParts(request);
  if (jobs.length === 0) {
    options.signal?.throwIfAborted();
    return request;
  }
  if (jobs.length > options.maxUrls) {
    throw new GatewayError(
      'invalid_request',
      `The request names ${jobs.length} media URLs; the gateway fetches at most ${options.maxUrls} per request (media.maxUrls).`,
      { param: jobs[options.maxUrls].param },
    );
  }
  // The first failure stops the other downloads: the request fails anyway, and a crossed total must not keep reading.
  const stop = new AbortController();
  const batch: MediaBatch = {
    options,
    budget: { used: 0, max: options.maxTotalBytes },
    stop: stop.signal,
    signal: options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal,
  };
  let next = 0;
  const failures: Array<{ index: number; error: unknown }> = [];
  const fetched = new Map<MediaPart, MediaPart>();
  const worker = async () => {
    while (next < jobs.length && !stop.signal.aborted) {
      const index = next++;
      try {
        fetched.set(jobs[index].part, await resolveOne(jobs[index], batch));
      } catch (error) {
        if (error !== STOPPED) failures.push({ index, error });
        stop.abort(STOPPED);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, jobs.length)) }, worker));
  if (options.signal?.aborted) throw options.signal.reason;
  // Report the first failing part in request order, whichever download finished first.
  failures.sort((a, b) => a.index - b.index);
  if (failures.length > 0) throw failures[0].error;
  return withParts(request, fetched);
}

/** A copy of the request with `replaced` parts swapped in; messages without one are shared. */
function withParts(request: ChatRequest, replaced: ReadonlyMap<MediaPart, MediaPart>): ChatRequest {
  const swap = <T>(part: T): T => (replaced.get(part as MediaPart) as T | undefined) ?? part;
  const messages = request.messages.map((message) => {
    let changed = false;
    const parts = message.parts.map((part) => {
      const next =
        part.type === 'tool_result' && part.content.some((inner) => replaced.has(inner as MediaPart))
          ? { ...part, content: part.content.map(swap) }
          : swap(part);
      if (next !== part) changed = true;
      return next;
    });
    return changed ? { ...message, parts } : message;
  });
  return { ...request, messages };
}

/** The reason a download was stopped because another part of the same request failed. */
const STOPPED: unknown = Symbol('stopped: another media part failed');

/** Bytes of one request's media, each part counted at the larger of its declared and its received size. */
interface MediaBudget {
  used: number;
  readonly max: number;
}

interface MediaBatch {
  options: ResolveMediaOptions;
  budget: MediaBudget;
  /** Aborted (with STOPPED) when a part fails. */
  stop: AbortSignal;
  /** The client went away, or a part failed. */
  signal: AbortSignal;
}

function collectUrlParts(request: ChatRequest): MediaJob[] {
  const jobs: MediaJob[] = [];
  const visit = (part: MediaPart, param: string) => {
    if (part.source.kind === 'url') jobs.push({ part, url: part.source.url, param });
  };
  request.messages.forEach((message, i) =>
    message.parts.forEach((part, j) => {
      const param = `messages[${i}].parts[${j}]`;
      if (part.type === 'media') visit(part, param);
      if (part.type === 'tool_result') {
        part.content.forEach((inner, k) => inner.type === 'media' && visit(inner, `${param}.content[${k}]`));
      }
    }),
  );
  return jobs;
}

async function resolveOne(job: MediaJob, batch: MediaBatch): Promise<MediaPart> {
  const { part, param } = job;
  const { options } = batch;
  const fail = (reason: string, cause?: unknown) =>
    new GatewayError('invalid_request', `Could not fetch media from ${describe(job.url)}: ${reason}.`, { param, cause });
  const release = options.slots ? await options.slots.acquire(batch.signal).catch(() => undefined) : () => undefined;
  if (!release) throw stopReason(batch);
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = AbortSignal.any([timeout, batch.signal]);
  const agents: Agent[] = [];
  try {
    let url = parseAllowedUrl(job.url, fail);
    for (let hop = 0; ; hop++) {
      const addresses = await vettedAddresses(url, hop > 0, options.lookup ?? systemLookup, fail, options.logger);
      const init: MediaFetchInit = {
        method: 'GET',
        redirect: 'manual',
        signal,
        headers: { accept: part.mimeType.startsWith('image/') ? 'image/*' : part.mimeType, 'user-agent': 'Agate' },
      };
      if (!options.fetch) {
        const agent = new (loadUndici().Agent)({ connect: { lookup: pinnedLookup(addresses) } });
        agents.push(agent);
        init.dispatcher = agent;
      }
      const response = await (options.fetch ?? pinnedFetch)(url.href, init);
      if (REDIRECT_STATUSES.has(response.status)) {
        await response.body?.getReader().cancel();
        const location = response.headers.get('location');
        if (!location) throw fail(`redirect (HTTP ${response.status}) without a Location`);
        if (hop >= MAX_REDIRECTS) throw fail(`more than ${MAX_REDIRECTS} redirects`);
        url = parseAllowedUrl(new URL(location, url).href, fail);
        continue;
      }
      if (response.status < 200 || response.status > 299) {
        await response.body?.getReader().cancel();
        throw fail(`the server answered HTTP ${response.status}`);
      }
      const mimeType = acceptedType(part.mimeType, response.headers.get('content-type'), fail);
      const data = await readCapped(response, { maxBytes: options.maxBytes, budget: batch.budget, signal, param, fail });
      // The bytes are dropped as this returns: only the base64 copy outlives the conversion.
      return { ...part, mimeType, source: { kind: 'base64', data: data.toString('base64') } };
    }
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    if (batch.signal.aborted) throw stopReason(batch);
    if (timeout.aborted) throw fail(`no complete answer within ${options.timeoutMs} ms`, err);
    throw fail('the connection failed', err);
  } finally {
    release();
    await Promise.all(agents.map((agent) => agent.destroy()));
  }
}

/** Why the batch stopped: the client's own abort reason, or STOPPED when another part failed. */
function stopReason(batch: MediaBatch): unknown {
  return batch.options.signal?.aborted ? batch.options.signal.reason : batch.stop.aborted ? STOPPED : batch.signal.reason;
}

type Fail = (reason: string, cause?: unknown) => GatewayError;

function parseAllowedUrl(text: string, fail: Fail): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw fail('not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw fail(`the scheme '${url.protocol}' is not allowed (http and https only)`);
  if (url.username || url.password) throw fail('URLs with credentials are not allowed');
  return url;
}

/**
 * The addresses `url`'s host stands for, all of them public. The WHATWG URL
 * parser has already turned decimal, octal and hex IPv4 spellings
 * (`http://2130706433/`, `http://0x7f.1/`) into dotted quads.
 */
async function vettedAddresses(url: URL, redirected: boolean, lookup: LookupAll, fail: Fail, logger?: Pick<Logger, 'info'>): Promise<ResolvedAddress[]> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host)) {
    const reason = forbiddenAddressReason(host);
    if (!reason) return [{ address: host, family: isIP(host) }];
    // The client wrote this address itself: saying which kind it is tells it nothing new. A redirect's is not its own.
    if (!redirected) throw fail(`${host} is a ${reason} address, not a public one`);
    logger?.info('media URL refused', { redirectedTo: host, reason });
    throw fail('a redirect led to an address that is not public');
  }
  // A name gets one answer whatever DNS said (no answer, a private address, which range), so that nobody can
  // map internal names and addresses through the gateway; the log keeps the details.
  const refuse = (details: Record<string, unknown>, cause?: unknown) => {
    logger?.info('media URL refused', { host, ...details });
    return fail(`the host '${host}' does not resolve to a public address`, cause);
  };
  let addresses: ResolvedAddress[];
  try {
    addresses = await lookup(host);
  } catch (err) {
    throw refuse({ error: (err as Error)?.message ?? String(err) }, err);
  }
  if (addresses.length === 0) throw refuse({ error: 'no address' });
  for (const { address } of addresses) {
    const reason = forbiddenAddressReason(address);
    if (reason) throw refuse({ address, reason });
  }
  return addresses;
}

const pinnedFetch: MediaFetch = (url, init) => loadUndici().fetch(url, init);

const systemLookup: LookupAll = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/** A `net.connect` lookup that answers only with addresses already checked. */
export function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const family = typeof options === 'object' ? options.family : undefined;
    const usable = addresses.filter((a) => !family || a.family === family);
    if (usable.length === 0) {
      callback(Object.assign(new Error('no vetted address of the requested family'), { code: 'ENOTFOUND' }), '', 0);
    } else if (typeof options === 'object' && options.all) {
      callback(null, usable);
    } else {
      callback(null, usable[0].address, usable[0].family);
    }
  };
}

/**
 * The served type, if it fits what the part expects: an image part (`image/*`
 * or a given image type) takes any image type, anything else its exact type.
 */
function acceptedType(expected: string, served: string | null, fail: Fail): string {
  const type = (served ?? '').split(';')[0].trim().toLowerCase();
  const fits = expected.startsWith('image/') ? type.startsWith('image/') : type === expected;
  if (!fits) throw fail(`expected ${expected.startsWith('image/') ? 'an image' : expected}, got content type '${type || 'none'}'`);
  return type;
}

interface ReadLimits {
  maxBytes: number;
  budget: MediaBudget;
  /** Checked between chunks too, for fetch implementations whose bodies ignore the abort. */
  signal: AbortSignal;
  param: string;
  fail: Fail;
}

/**
 * The body, refused as soon as it crosses the part's cap or the request's
 * total: by its Content-Length before reading, then by the bytes read. A
 * declared size is read straight into one buffer, so each chunk is released
 * as soon as it is copied.
 */
async function readCapped(response: MediaFetchResponse, limits: ReadLimits): Promise<Buffer> {
  const { maxBytes, budget } = limits;
  const header = response.headers.get('content-length');
  const declared = header !== null && /^\d+$/.test(header.trim()) ? Number(header) : undefined;
  const reader = response.body?.getReader();
  const refuse = async (error: GatewayError): Promise<never> => {
    await reader?.cancel().catch(() => undefined);
    throw error;
  };
  const overPart = () => limits.fail(`larger than the ${maxBytes}-byte limit`);
  const overTotal = () =>
    new GatewayError(
      'request_too_large',
      `The media of this request add up to more than ${budget.max} bytes, the most the gateway fetches for one request (media.maxTotalBytes).`,
      { param: limits.param },
    );
  // Counted so far against the request's total: the declared size, then the received one if larger.
  let counted = 0;
  const count = (bytes: number) => {
    if (bytes <= counted) return true;
    budget.used += bytes - counted;
    counted = bytes;
    return budget.used <= budget.max;
  };
  if (declared !== undefined && declared > maxBytes) return refuse(overPart());
  if (declared !== undefined && !count(declared)) return refuse(overTotal());

  let buffer = declared !== undefined ? Buffer.allocUnsafe(declared) : undefined;
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = reader ? await reader.read() : { done: true, value: undefined };
    if (limits.signal.aborted) {
      await reader?.cancel().catch(() => undefined);
      limits.signal.throwIfAborted();
    }
    if (done) break;
    if (!value) continue;
    const size = received + value.byteLength;
    if (size > maxBytes) return refuse(overPart());
    if (!count(size)) return refuse(overTotal());
    if (buffer && size <= buffer.length) buffer.set(value, received);
    else {
      // More than declared (or nothing declared): keep the chunks and join them at the end.
      if (buffer) chunks.push(buffer.subarray(0, received));
      buffer = undefined;
      chunks.push(value);
    }
    received = size;
  }
  if (buffer) return received === buffer.length ? buffer : buffer.subarray(0, received);
  const joined = Buffer.concat(chunks, received);
  chunks.length = 0;
  return joined;
}

/** The URL as errors show it: origin and path, never the query (it may hold tokens), at most 100 characters. */
function describe(url: string): string {
  try {
    const { protocol, origin, pathname } = new URL(url);
    if (protocol !== 'http:' && protocol !== 'https:') return `a ${protocol} URL`;
    const shown = origin + pathname;
    return shown.length > 100 ? `${shown.slice(0, 97)}...` : shown;
  } catch {
    return 'an invalid URL';
  }
}
