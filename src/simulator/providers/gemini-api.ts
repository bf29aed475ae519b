/**
 * A strict fake of the Gemini API (generativelanguage.googleapis.com):
 * `{base}/v1beta/models/{model}:{generateContent|streamGenerateContent|countTokens}`
 * and `GET {base}/v1beta/models`. The key comes in `x-goog-api-key` or
 * `?key=`; a missing key is Google's 403, a bad one its 400 API_KEY_INVALID.
 * Request bodies are checked by the same GenerateContentRequest validator as
 * Cloud Code's inner request; answers carry no envelope.
 */
import type { IncomingMessage } from 'node:http';
import type { Exchange } from '../exchange';
import { SimHttpError, googleError, invalidArgument } from '../google-errors';
import { isObject } from '../http';
import type { SimState } from '../state';
import { promptTokens } from '../tokens';
import type { FaultSpec } from '../types';
import { validateRequest } from '../validate-request';
import type { GenerateRequest, WirePart } from '../wire';
import { findProviderModel, PROVIDER_MODELS, type ProviderModel } from './catalog';
import { deliverFrames, deliverWhole, scriptAnswer } from './common';

const REQUEST_KEYS = ['model', 'contents', 'systemInstruction', 'tools', 'toolConfig', 'safetySettings', 'generationConfig', 'cachedContent'];
export const GEMINI_API_METHODS = ['generateContent', 'streamGenerateContent', 'countTokens'];
const HELP_LINKS = [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }];

/** The key from `x-goog-api-key` or `?key=`. */
export function geminiApiKey(req: IncomingMessage, query: URLSearchParams): string {
  const header = req.headers['x-goog-api-key'];
  const key = typeof header === 'string' && header !== '' ? header : query.get('key');
  if (!key) {
    throw new SimHttpError(
      403,
      googleError(
        403,
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      ),
    );
  }
  return key;
}

export function invalidApiKey(): SimHttpError {
  return new SimHttpError(
    400,
    googleError(400, 'API key not valid. Please pass a valid API key.', [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'API_KEY_INVALID',
        domain: 'googleapis.com',
        metadata: { service: 'generativelanguage.googleapis.com' },
      },
    ]),
  );
}

function modelNotFound(id: string, method: string): SimHttpError {
  return new SimHttpError(
    404,
    googleError(
      404,
      `models/${id} is not found for API version v1beta, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`,
    ),
  );
}

function quotaExceeded(model: string, quotaId: string, delayMs: number): SimHttpError {
  const seconds = Math.max(1, Math.ceil(delayMs / 1000));
  return new SimHttpError(
    429,
    googleError(
      429,
      'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.',
      [
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: [
            {
              quotaMetric: 'generativelanguage.googleapis.com/generate_content_paid_tier_requests',
              quotaId,
              quotaDimensions: { location: 'global', model },
            },
          ],
        },
        { '@type': 'type.googleapis.com/google.rpc.Help', links: HELP_LINKS },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${seconds}s` },
      ],
    ),
  );
}

export function geminiApiFaultError(fault: FaultSpec, model: string): SimHttpError | undefined {
  switch (fault.kind) {
    case 'rate_limited':
      return quotaExceeded(model, 'GenerateRequestsPerMinutePerProjectPerModel', fault.retryDelayMs ?? 1000);
    case 'quota_exhausted':
      return quotaExceeded(model, 'GenerateRequestsPerDayPerProjectPerModel', fault.resetInMs ?? 3_600_000);
    case 'capacity':
      return new SimHttpError(503, googleError(503, 'The model is overloaded. Please try again later.'));
    case 'server_error': {
      const status = fault.status ?? 500;
      return new SimHttpError(
        status,
        googleError(status, 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting'),
      );
    }
    case 'unauthorized':
      return invalidApiKey();
    case 'validation_required':
    case 'tos_disabled':
      return new SimHttpError(403, googleError(403, 'Permission denied: Consumer has been suspended.'));
    case 'bad_request':
      return invalidArgument(fault.message ?? 'Request contains an invalid argument.');
    case 'hang':
    case 'reset_after':
      return undefined;
  }
}

function modelEntry(m: ProviderModel): Record<string, unknown> {
  return {
    name: `models/${m.id}`,
    version: '001',
    displayName: m.displayName,
    description: `${m.displayName} (simulated)`,
    inputTokenLimit: m.maxTokens,
    outputTokenLimit: m.maxOutputTokens,
    supportedGenerationMethods: GEMINI_API_METHODS,
    temperature: 1,
    maxTemperature: 2,
    topP: 0.95,
    topK: 64,
    thinking: m.thinking,
  };
}

export function geminiApiModels(): unknown {
  return { models: PROVIDER_MODELS['gemini-api'].map(modelEntry) };
}

export function geminiApiModel(id: string): unknown {
  const m = findProviderModel('gemini-api', id);
  if (!m) throw modelNotFound(id, 'get');
  return modelEntry(m);
}

function validBody(state: SimState, modelId: string, method: string, body: unknown): { model: ProviderModel; request: GenerateRequest } {
  const model = findProviderModel('gemini-api', modelId);
  if (!model) throw modelNotFound(modelId, method);
  if (!isObject(body)) throw invalidArgument('Invalid JSON payload received. Expected an object.');
  validateRequest(body as GenerateRequest, model, state.signer, REQUEST_KEYS);
  return { model, request: body as GenerateRequest };
}

export function countGeminiApiTokens(state: SimState, modelId: string, body: unknown): unknown {
  if (isObject(body) && isObject(body.generateContentRequest)) {
    const { request } = validBody(state, modelId, 'countTokens', body.generateContentRequest);
    return { totalTokens: promptTokens(request) };
  }
  const contents = isObject(body) ? body.contents : undefined;
  const { request } = validBody(state, modelId, 'countTokens', { contents });
  return { totalTokens: promptTokens(request) };
}

export async function handleGeminiApiGeneration(
  state: SimState,
  exchange: Exchange,
  modelId: string,
  body: unknown,
  delivery: 'single' | 'sse' | 'json-array',
): Promise<void> {
  const { model, request } = validBody(state, modelId, delivery === 'single' ? 'generateContent' : 'streamGenerateContent', body);
  exchange.annotate({ model: model.id });
  const scripted = scriptAnswer(state, exchange, model, request, delivery !== 'single', invalidArgument);
  const { answer, fault, sequence } = scripted;
  if (fault) {
    const error = geminiApiFaultError(fault, model.id);
    if (error) throw error;
  }
  const usage: Record<string, unknown> = {
    promptTokenCount: scripted.promptTokens,
    candidatesTokenCount: answer.candidatesTokenCount,
    totalTokenCount: scripted.promptTokens + answer.candidatesTokenCount + answer.thoughtsTokenCount,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: scripted.promptTokens }],
  };
  if (answer.thoughtsTokenCount > 0) usage.thoughtsTokenCount = answer.thoughtsTokenCount;
  const responseId = `sim-resp-${sequence}`;
  const shape = (parts: WirePart[], final: boolean): Record<string, unknown> => {
    const candidate: Record<string, unknown> = { content: { role: 'model', parts }, index: 0 };
    const response: Record<string, unknown> = { candidates: [candidate] };
    if (final) {
      candidate.finishReason = answer.finishReason;
      if (answer.groundingMetadata) candidate.groundingMetadata = answer.groundingMetadata;
    }
    // The Gemini API reports running usage on every chunk.
    response.usageMetadata = final ? usage : { promptTokenCount: scripted.promptTokens, totalTokenCount: scripted.promptTokens };
    response.modelVersion = model.id;
    response.responseId = responseId;
    return response;
  };
  if (delivery === 'single') {
    return deliverWhole(state, exchange, answer.frames.length, shape(mergeParts(answer.frames.flat()), true), fault);
  }
  const frames = answer.frames.map((parts, i) => {
    const json = JSON.stringify(shape(parts, i === answer.frames.length - 1));
    return delivery === 'sse' ? `data: ${json}\r\n\r\n` : `${i === 0 ? '[' : ',\r\n'}${json}`;
  });
  const contentType = delivery === 'sse' ? 'text/event-stream' : 'application/json; charset=UTF-8';
  return deliverFrames(state, exchange, frames, fault, { 'content-type': contentType }, delivery === 'json-array' ? ']' : undefined);
}

/** Adjacent text of the same kind merged, as a non-streaming answer has it. */
function mergeParts(all: WirePart[]): WirePart[] {
  const parts: WirePart[] = [];
  for (const part of all) {
    const previous = parts[parts.length - 1];
    const mergeable = previous?.text !== undefined && part.text !== undefined && previous.thought === part.thought && previous.thoughtSignature === undefined;
    if (mergeable) parts[parts.length - 1] = { ...previous, ...part, text: previous.text + part.text! };
    else parts.push({ ...part });
  }
  return parts;
}
