import { invalidRequest } from '../errors';
import type { MediaPart } from '../ir';

/**
 * Client-supplied media references (`data:` URLs and http(s) URLs) as IR
 * media parts. `data:` URLs decode here; http(s) URLs stay `url` sources that
 * `resolveMediaUrls` fetches under the SSRF guard before the upstream sees them.
 */

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export interface DecodedDataUrl {
  mimeType: string;
  /** Standard base64, whitespace removed. */
  data: string;
}

/** `data:[<type>][;base64],<payload>`; undefined when `url` is not a data URL. Throws on a malformed one. */
export function parseDataUrl(url: string, param: string): DecodedDataUrl | undefined {
  if (!/^data:/i.test(url)) return undefined;
  const comma = url.indexOf(',');
  if (comma < 0) throw invalidRequest(`Invalid '${param}': malformed data URL (no comma).`, param);
  const header = url.slice(5, comma).split(';');
  const payload = url.slice(comma + 1);
  const mimeType = (header[0] || 'text/plain').trim().toLowerCase();
  const isBase64 = header.slice(1).some((p) => p.trim().toLowerCase() === 'base64');
  if (!isBase64) {
    let bytes: string;
    try {
      bytes = decodeURIComponent(payload);
    } catch {
      throw invalidRequest(`Invalid '${param}': malformed percent-encoding in data URL.`, param);
    }
    return { mimeType, data: Buffer.from(bytes, 'utf8').toString('base64') };
  }
  const data = payload.replace(/\s+/g, '');
  if (data.length === 0 || data.length % 4 === 1 || !BASE64.test(data)) {
    throw invalidRequest(`Invalid '${param}': the data URL does not hold valid base64.`, param);
  }
  return { mimeType, data };
}

/** What the referenced media must be: an image (`image/*`), or any type a `data:` URL declares. */
export type ExpectedMedia = 'image' | 'any';

/**
 * A media part from a URL a client sent. Remote images keep the provisional
 * type `image/*` until the fetcher learns the real one.
 */
export function mediaPartFromUrl(url: string, param: string, expected: ExpectedMedia): MediaPart {
  const decoded = parseDataUrl(url, param);
  if (decoded) {
    if (expected === 'image' && !decoded.mimeType.startsWith('image/')) {
      throw invalidRequest(`Invalid '${param}': expected an image, got a data URL of type '${decoded.mimeType}'.`, param);
    }
    return { type: 'media', mimeType: decoded.mimeType, source: { kind: 'base64', data: decoded.data } };
  }
  let scheme: string;
  try {
    scheme = new URL(url).protocol;
  } catch {
    throw invalidRequest(`Invalid '${param}': not a valid URL.`, param);
  }
  if (scheme !== 'http:' && scheme !== 'https:') {
    throw invalidRequest(`Invalid '${param}': only http(s) and data: URLs are accepted, got '${scheme}'.`, param);
  }
  if (expected !== 'image') {
    throw invalidRequest(`Invalid '${param}': only images can be referenced by URL; send other files as data: URLs.`, param);
  }
  return { type: 'media', mimeType: 'image/*', source: { kind: 'url', url } };
}
