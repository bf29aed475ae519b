/**
 * The Gemini API (generativelanguage.googleapis.com, AI Studio keys) as an
 * upstream. Its request body is the one Cloud Code wraps in an envelope, so
 * the Cloud Code encoder and decoder serve here too, without the envelope and
 * the session id: `POST {base}/v1beta/models/{model}:streamGenerateContent?alt=sse`.
 */
import type { ChatEvent, ChatRequest } from '../../ir';
import { encodeRequest } from '../cloudcode/encode-request';
import { ResponseDecoder } from '../cloudcode/decode-response';
import { SignatureCache } from '../cloudcode/signatures';
import { UpstreamFailure } from '../failure';
import { classifyProviderStatus, errorMessageOf, frameJson, retryAfterMs, streamSse, type ProviderCall, type ProviderHttpOptions } from '../provider-http';

type Json = Record<string, unknown>;

export function encodeGeminiApiRequest(request: ChatRequest, model: string, signatures: SignatureCache): Json {
  const encoded = encodeRequest(request, { model, conversation: request.sessionKey ?? '' }, { signatures, systemPreamble: '' });
  const body = encoded.request as Json;
  delete body.sessionId;
  return body;
}

function googleDetails(body: unknown): Json[] {
  const details = (body as { error?: { details?: unknown } } | undefined)?.error?.details;
  return Array.isArray(details) ? details.filter((d): d is Json => typeof d === 'object' && d !== null) : [];
}

/** `"17s"` / `"1.5s"` as ms. */
function protoDurationMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value);
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}

export function classifyGeminiApiFailure(status: number, body: unknown, header: (name: string) => string | undefined, model: string): UpstreamFailure {
  const message = errorMessageOf(body, status);
  const details = googleDetails(body);
  const reason = details.find((d) => typeof d.reason === 'string')?.reason as string | undefined;
  if (reason === 'API_KEY_INVALID') return new UpstreamFailure('forbidden', `key rejected: ${message}`, { status, model, body, reason: 'KEY_REJECTED' });
  const retry = protoDurationMs(details.find((d) => String(d['@type']).endsWith('RetryInfo'))?.retryDelay) ?? retryAfterMs(header('retry-after'));
  if (status === 429) {
    const violations = details.flatMap((d) => (Array.isArray(d.violations) ? (d.violations as Json[]) : []));
    const perDay = violations.some((v) => typeof v.quotaId === 'string' && /PerDay/i.test(v.quotaId));
    if (perDay) return new UpstreamFailure('quota_exhausted', message, { status, model, body, retryAfterMs: retry, reason: 'QUOTA_EXHAUSTED' });
  }
  return classifyProviderStatus(status, message, model, retry, body);
}

/** Gemini thought signatures this process saw, for replay on the next turn (gemini-3 requires them). */
const signatures = new SignatureCache();

export async function* generateGeminiApi(options: ProviderHttpOptions, request: ChatRequest, call: ProviderCall): AsyncGenerator<ChatEvent, void, undefined> {
  const body = JSON.stringify(encodeGeminiApiRequest(request, call.model, signatures));
  const decoder = new ResponseDecoder({ model: call.model, signatures });
  for await (const event of streamSse(options, {
    url: new URL(`${call.baseUrl}/v1beta/models/${encodeURIComponent(call.model)}:streamGenerateContent?alt=sse`),
    headers: { 'x-goog-api-key': call.key },
    body,
    model: call.model,
    signal: call.signal,
    classify: (status, error, header) => classifyGeminiApiFailure(status, error, header, call.model),
  })) {
    if (event.data === '') continue;
    const frame = frameJson(event.data, call.model);
    if (frame.error)
      throw classifyGeminiApiFailure(
        typeof (frame.error as Json).code === 'number' ? ((frame.error as Json).code as number) : 500,
        frame,
        () => undefined,
        call.model,
      );
    for (const chatEvent of decoder.decode(frame)) yield chatEvent;
  }
  if (!decoder.sawFinishReason) throw new UpstreamFailure('network', 'the provider ended the stream before its finish', { model: call.model });
  yield decoder.finish();
}
