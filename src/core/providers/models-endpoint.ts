/**
 * The model ids a provider serves, from its own models endpoint:
 *   Anthropic            GET {base}/v1/models            (x-api-key, anthropic-version; paged by after_id)
 *   Gemini API           GET {base}/v1beta/models        (x-goog-api-key; paged by pageToken; generateContent models only)
 *   OpenAI-compatible    GET {base}/models               (Authorization: Bearer)
 */
import type { MinimalFetch } from '../upstream/transport';
import type { ProviderKind } from './types';

const MAX_PAGES = 20;
const TIMEOUT_MS = 15_000;
/** A models list past this is not a models list. */
const MAX_MODELS = 5_000;

/** The provider refused the key (401/403), with its message. */
export class KeyRejectedError extends Error {
  override name = 'KeyRejectedError';
}

export class ModelsEndpointError extends Error {
  override name = 'ModelsEndpointError';
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The message inside any of the three providers' error bodies, else the text's start. */
export function providerErrorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as unknown;
    const error = isObject(body) ? body.error : undefined;
    if (isObject(error) && typeof error.message === 'string') return error.message;
    if (typeof error === 'string') return error;
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.trim().slice(0, 200) || 'no message';
}

export function authHeaders(kind: ProviderKind, key: string): Record<string, string> {
  switch (kind) {
    case 'anthropic':
      return { 'x-api-key': key, 'anthropic-version': '2023-06-01' };
    case 'gemini-api':
      return { 'x-goog-api-key': key };
    case 'openai-compatible':
      return { authorization: `Bearer ${key}` };
  }
}

async function getJson(fetch: MinimalFetch, url: string, headers: Record<string, string>, signal: AbortSignal): Promise<Json> {
  const response = await fetch(url, { method: 'GET', headers: { accept: 'application/json', ...headers }, signal });
  const text = await response.text();
  if (response.status === 401 || response.status === 403) throw new KeyRejectedError(providerErrorMessage(text));
  if (response.status !== 200) throw new ModelsEndpointError(`${url} answered ${response.status}: ${providerErrorMessage(text)}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ModelsEndpointError(`${url} did not answer JSON`);
  }
  if (!isObject(body)) throw new ModelsEndpointError(`${url} did not answer a JSON object`);
  return body;
}

export async function fetchProviderModels(fetch: MinimalFetch, kind: ProviderKind, baseUrl: string, key: string): Promise<string[]> {
  const signal = AbortSignal.timeout(TIMEOUT_MS);
  const headers = authHeaders(kind, key);
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES && ids.length < MAX_MODELS; page += 1) {
    let next: string | undefined;
    if (kind === 'anthropic') {
      const body = await getJson(fetch, `${baseUrl}/v1/models?limit=1000${cursor ? `&after_id=${encodeURIComponent(cursor)}` : ''}`, headers, signal);
      const data = Array.isArray(body.data) ? body.data : [];
      for (const entry of data) if (isObject(entry) && typeof entry.id === 'string') ids.push(entry.id);
      next = body.has_more === true && typeof body.last_id === 'string' ? body.last_id : undefined;
    } else if (kind === 'gemini-api') {
      const body = await getJson(fetch, `${baseUrl}/v1beta/models?pageSize=1000${cursor ? `&pageToken=${encodeURIComponent(cursor)}` : ''}`, headers, signal);
      const models = Array.isArray(body.models) ? body.models : [];
      for (const entry of models) {
        if (!isObject(entry) || typeof entry.name !== 'string') continue;
        const methods = Array.isArray(entry.supportedGenerationMethods) ? entry.supportedGenerationMethods : ['generateContent'];
        if (methods.includes('generateContent')) ids.push(entry.name.replace(/^models\//, ''));
      }
      next = typeof body.nextPageToken === 'string' && body.nextPageToken !== '' ? body.nextPageToken : undefined;
    } else {
      const body = await getJson(fetch, `${baseUrl}/models`, headers, signal);
      const data = Array.isArray(body.data) ? body.data : Array.isArray(body.models) ? body.models : [];
      for (const entry of data) if (isObject(entry) && typeof entry.id === 'string') ids.push(entry.id);
    }
    if (!next) break;
    cursor = next;
  }
  return [...new Set(ids)].slice(0, MAX_MODELS);
}
