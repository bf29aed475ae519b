/**
 * Generation on a paid provider: the adapter of its kind over the shared
 * transport. Any client protocol reaches any provider through the IR.
 */
import type { ChatEvent, ChatRequest } from '../ir';
import type { ProviderKind } from '../providers/types';
import { generateAnthropic } from './anthropic';
import { generateGeminiApi } from './gemini-api';
import { generateOpenAiCompatible } from './openai-compatible';
import type { ProviderCall, ProviderHttpOptions } from './provider-http';

export type { ProviderCall, ProviderHttpOptions } from './provider-http';

export interface ProviderUpstream {
  /** As Upstream.generate: failures before the first event reject the first `next()` with an UpstreamFailure. */
  generate(kind: ProviderKind, request: ChatRequest, call: ProviderCall): AsyncIterable<ChatEvent>;
}

export function createProviderUpstream(options: ProviderHttpOptions): ProviderUpstream {
  return {
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
