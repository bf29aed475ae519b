import { promises as dns } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { Agent, Dispatcher } from 'undici';
import { GatewayError } from '../errors';
import type { ChatRequest, MediaPart } from '../ir';
import { loadUndici } from '../undici';
import { forbiddenAddressReason } from './address-policy';

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
 * TOCTOU: a hostile DNS server can answer our check with a public address and
 * the connection's own resolution with a private one (DNS rebinding). The
 * default fetch closes that window by pinning the connection to the addresses
 * we checked (a per-hop undici Agent whose `lookup` returns only them). What
 * remains: an injected `fetch` that ignores the `dispatcher` resolves on its
 * own and reopens the window, and a public host may itself proxy to private
 * networks, which no client-side check can see.
 */

const MAX_REDIRECTS = 3;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Parallel downloads per request. */
const CONCURRENCY = 4;

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
  /** Time for one part, all redirect hops and the body included. */
  timeoutMs: number;
  /** Defaults to undici's fetch with connections pinned to the checked addresses. */
  fetch?: MediaFetch;
  /** Defaults to `dns.promises.lookup(hostname, {all: true, verbatim: true})`. */
  lookup?: LookupAll;
  /** The client went away: stop downloading. */
  signal?: AbortSignal;
}

interface MediaJob {
  part: MediaPart;
  url: string;
  /** Where the part sits in the IR request, for the error's `param`. */
  param: string;
}

export async function resolveMediaUrls(request: ChatRequest, options: ResolveMediaOptions): Promise<void> {
  const jobs = collectUrlParts(request);
  if (jobs.length === 0) return options.signal?.throwIfAborted();
  let next = 0;
  const failures: Array<{ index: number; error: unknown }> = [];
  const worker = async () => {
    while (next < jobs.length) {
      const index = next++;
      try {
        await resolveOne(jobs[index], options);
      } catch (error) {
        failures.push({ index, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, jobs.length) }, worker));
  if (options.signal?.aborted) throw options.signal.reason;
  // Report the first failing part in request order, whichever download finished first.
  failures.sort((a, b) => a.index - b.index);
  if (failures.length > 0) throw failures[0].error;
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

async function resolveOne(job: MediaJob, options: ResolveMediaOptions): Promise<void> {
  const { part, param } = job;
  const fail = (reason: string, cause?: unknown) =>
    new GatewayError('invalid_request', `Could not fetch media from ${describe(job.url)}: ${reason}.`, { param, cause });
  const signal = AbortSignal.any([AbortSignal.timeout(options.timeoutMs), ...(options.signal ? [options.signal] : [])]);
  const agents: Agent[] = [];
  try {
    let url = parseAllowedUrl(job.url, fail);
    for (let hop = 0; ; hop++) {
      const addresses = await vettedAddresses(url, options.lookup ?? systemLookup, fail);
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
      const data = await readCapped(response, options.maxBytes, fail);
      part.mimeType = mimeType;
      part.source = { kind: 'base64', data: data.toString('base64') };
      return;
    }
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    if (options.signal?.aborted) throw options.signal.reason;
    if (signal.aborted) throw fail(`no complete answer within ${options.timeoutMs} ms`, err);
    throw fail('the connection failed', err);
  } finally {
    await Promise.all(agents.map((agent) => agent.destroy()));
  }
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
async function vettedAddresses(url: URL, lookup: LookupAll, fail: Fail): Promise<ResolvedAddress[]> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: ResolvedAddress[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await lookup(host);
    } catch (err) {
      throw fail(`the host '${host}' does not resolve`, err);
    }
  }
  if (addresses.length === 0) throw fail(`the host '${host}' does not resolve`);
  for (const { address } of addresses) {
    const reason = forbiddenAddressReason(address);
    if (reason) throw fail(`the host '${host}' resolves to a ${reason} address (${address})`);
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

async function readCapped(response: MediaFetchResponse, maxBytes: number, fail: Fail): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  const tooLarge = () => fail(`larger than the ${maxBytes}-byte limit`);
  const reader = response.body?.getReader();
  if (Number.isFinite(declared) && declared > maxBytes) {
    await reader?.cancel();
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = reader ? await reader.read() : { done: true, value: undefined };
    if (done) break;
    if (!value) continue;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader?.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
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
