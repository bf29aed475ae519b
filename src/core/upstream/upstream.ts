import type { ChatEvent, ChatRequest } from '../ir';

/** What the pool knows of one upstream model for one account (upstream-protocol §4). */
export interface ModelInfo {
  id: string;
  displayName?: string;
  /** 0..1; a model listed with a resetTime but no fraction is at 0. */
  remainingFraction: number;
  /** Epoch ms when the quota resets. */
  resetAt?: number;
  maxTokens?: number;
  maxOutputTokens?: number;
  supportsImages?: boolean;
  supportsThinking?: boolean;
  thinkingBudget?: number;
  recommended?: boolean;
}

export interface ModelQuotaSnapshot {
  models: ModelInfo[];
  /** Deprecated id → its replacement. */
  deprecated: Record<string, string>;
  fetchedAt: number;
}

export interface CodeAssistInfo {
  projectId?: string;
  currentTier?: string;
  allowedTiers: Array<{ id: string; isDefault?: boolean }>;
  paidTier?: string;
}

/** Everything one generation attempt needs besides the request itself. */
export interface UpstreamCall {
  accountId: string;
  accessToken: string;
  projectId: string;
  /** The real upstream model id, after aliases and groups. */
  model: string;
  modelInfo?: ModelInfo;
  /**
   * The conversation's key (sticky routing, upstream-protocol §8), the same on
   * every turn; an upstream derives its own session id from it.
   */
  conversation: string;
  signal: AbortSignal;
}

/** Where generation happens. Cloud Code today; an official-API upstream would be another folder. */
export interface Upstream {
  /**
   * Streams the answer as IR events. Failures before the first event reject
   * the first `next()` with an UpstreamFailure (retryable by the scheduler);
   * later ones end the iteration with an UpstreamFailure.
   */
  generate(request: ChatRequest, call: UpstreamCall): AsyncIterable<ChatEvent>;
  countTokens(request: ChatRequest, call: UpstreamCall): Promise<number>;
}

/** The account-level calls the pool makes (sign-in, onboarding, quota). */
export interface AccountApi {
  loadCodeAssist(accessToken: string, signal?: AbortSignal): Promise<CodeAssistInfo>;
  /** Onboards and polls until done; resolves to the new project id. */
  onboardUser(accessToken: string, tierId: string, signal?: AbortSignal): Promise<string>;
  fetchAvailableModels(accessToken: string, projectId: string, signal?: AbortSignal): Promise<ModelQuotaSnapshot>;
}
