/**
 * Generation on a paid provider: the adapter of its kind over the shared
 * transport. Any client protocol reaches any provider through the IR; a
 * provider speaking the client's own protocol can take its bytes as they are.
 */
import type { ChatEvent, ChatRequest } from '../ir';
import type { ProviderKind } from '../providers/types';
import { generateAnthropic } from './anthropic';
import { generateGeminiApi } from './gemini-api';
import { generateOpenAiCompatible } from './openai-compatible';
import { createPassthroughUpstream, type PassthroughUpstream } from './passthrough';
import type { ProviderCall, ProviderHttpOptions } from './provider-http';

export type { ProviderCall, ProviderHttpOptions } from './provider-http';

export interface ProviderUpstream {
  /** As Upstream.generate: failures before the first event reject the first `next()` with an UpstreamFailure. */
  generate(kind: ProviderKind, request: ChatRequest, call: ProviderCall): AsyncIterable<ChatEvent>;
  /** Same-protocol passthrough: a provider speaking the client's protocol takes the client's bytes. */
  passthrough?: PassthroughUpstream;
}

export function createProviderUpstream(options: ProviderHttpOptions): ProviderUpstream {
  return {
    passthrough: createPassthroughUpstream(options),
    generate(kind, request, call) {
      switch (kind) {
        case 'anthropic':
          return generateAnthropic(options, request, call);
        case 'gemini-api':
          return generateGeminiApi(options, request, call);
        case 'openai-compatible':
          return generateOpenAiCompatible(options, request, call);
      }
    },
  };
}
