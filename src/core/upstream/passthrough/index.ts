/**
 * Same-protocol passthrough: an Anthropic client's request to an Anthropic
 * provider, an OpenAI Chat Completions request to an OpenAI-compatible one, a
 * Gemini request to the Gemini API. The client's body goes on byte for byte
 * but for the model id, with the headers that matter (`anthropic-version`,
 * `anthropic-beta`); the key is the provider's. The answer's bytes come back
 * untouched, as they arrive, and its usage is read on the way.
 */
import type { PassthroughOffer, RawAnswer } from '../../dispatch';
import type { ClientProtocol } from '../../ir';
import type { ProviderKind } from '../../providers/types';
import { ANTHROPIC_VERSION, classifyAnthropicFailure } from '../anthropic';
import type { UpstreamFailure } from '../failure';
import { classifyGeminiApiFailure } from '../gemini-api';
import { classifyOpenAiFailure } from '../openai-compatible';
import type { ProviderCall, ProviderHttpOptions } from '../provider-http';
import { withModel } from './model-field';
import { openRaw } from './raw-call';
import { anthropicTap, geminiTap, openAiTap, type UsageTap } from './usage-tap';

interface Route {
  url: URL;
  headers: Record<string, string>;
  body: Buffer[];
  tap: UsageTap;
  classify(status: number, body: unknown, header: (name: string) => string | undefined, model: string): UpstreamFailure;
}

/** The one client protocol each provider kind speaks. */
const PROTOCOL_OF: Readonly<Record<ProviderKind, ClientProtocol>> = {
  anthropic: 'anthropic',
  'openai-compatible': 'openai-chat',
  'gemini-api': 'gemini',
};

/** Headers of an Anthropic client that change what the API does; the rest (SDK telemetry, the client's key) stay behind. */
const ANTHROPIC_FORWARDED = ['anthropic-beta'];

function headerOf(offer: PassthroughOffer, name: string): string | undefined {
  const value = offer.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function routeOf(kind: ProviderKind, offer: PassthroughOffer, call: ProviderCall): Route {
  switch (kind) {
    case 'anthropic': {
      const headers: Record<string, string> = { 'x-api-key': call.key, 'anthropic-version': headerOf(offer, 'anthropic-version') ?? ANTHROPIC_VERSION };
      for (const name of ANTHROPIC_FORWARDED) {
        const value = headerOf(offer, name);
        if (value !== undefined) headers[name] = value;
      }
      return {
        url: new URL(`${call.baseUrl}/v1/messages`),
        headers,
        body: withModel(offer.body, call.model),
        tap: anthropicTap(offer.stream),
        classify: classifyAnthropicFailure,
      };
    }
    case 'openai-compatible':
      return {
        url: new URL(`${call.baseUrl}/chat/completions`),
        headers: { authorization: `Bearer ${call.key}` },
        body: withModel(offer.body, call.model),
        tap: openAiTap(offer.stream),
        classify: classifyOpenAiFailure,
      };
    case 'gemini-api': {
      // The model is in the path: the body goes on whole.
      const method = offer.stream ? 'streamGenerateContent' : 'generateContent';
      const url = new URL(`${call.baseUrl}/v1beta/models/${encodeURIComponent(call.model)}:${method}`);
      if (offer.stream && offer.alt !== undefined) url.searchParams.set('alt', offer.alt);
      return { url, headers: { 'x-goog-api-key': call.key }, body: [offer.body], tap: geminiTap(offer.stream, offer.alt), classify: classifyGeminiApiFailure };
    }
  }
}

export interface PassthroughUpstream {
  /** Whether a provider of `kind` speaks the client's protocol. */
  accepts(kind: ProviderKind, offer: PassthroughOffer): boolean;
  /** Resolves when the provider's 2xx head arrived; a failure before it rejects with an UpstreamFailure (its classification). */
  open(kind: ProviderKind, offer: PassthroughOffer, call: ProviderCall): Promise<RawAnswer>;
}

export function createPassthroughUpstream(options: ProviderHttpOptions): PassthroughUpstream {
  return {
    accepts: (kind, offer) => PROTOCOL_OF[kind] === offer.protocol,
    open(kind, offer, call) {
      const route = routeOf(kind, offer, call);
      return openRaw(options, {
        url: route.url,
        headers: { 'content-type': 'application/json', ...route.headers },
        body: route.body,
        model: call.model,
        signal: call.signal,
        tap: route.tap,
        classify: (status, body, header) => route.classify(status, body, header, call.model),
      });
    },
  };
}
