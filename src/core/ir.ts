/**
 * The internal representation every protocol codec translates to and from.
 *
 * Inbound codecs (Anthropic, OpenAI, Gemini) decode a client request into a
 * `ChatRequest`; an upstream (Cloud Code today) turns it into its own wire
 * format and answers with a stream of `ChatEvent`s, which the inbound codec
 * encodes back into the client's protocol. N protocols + M upstreams = N + M
 * codecs, never N × M translators.
 */

export type ClientProtocol = 'anthropic' | 'openai-chat' | 'openai-responses' | 'openai-completions' | 'gemini';

export type JsonSchema = Record<string, unknown>;

export interface TextPart {
  type: 'text';
  text: string;
}

/** An image or other inline media. `url` sources are fetched (SSRF-guarded) before reaching an upstream. */
export interface MediaPart {
  type: 'media';
  mimeType: string;
  source: { kind: 'base64'; data: string } | { kind: 'url'; url: string };
}

/**
 * Model reasoning. `signature` is the upstream's opaque thought signature
 * (upstream-protocol §7); `redacted` parts carry no readable text, only the signature.
 */
export interface ThinkingPart {
  type: 'thinking';
  text: string;
  signature?: string;
  redacted?: boolean;
}

export interface ToolCallPart {
  type: 'tool_call';
  /** Client-visible id, valid for every protocol (`[A-Za-z0-9_-]`). */
  id: string;
  name: string;
  args: Record<string, unknown>;
  /** Thought signature attached to the call by Gemini-family models. */
  signature?: string;
}

export interface ToolResultPart {
  type: 'tool_result';
  callId: string;
  /** Function name; codecs fill it from the matching call when the client protocol omits it. */
  name: string;
  content: Array<TextPart | MediaPart>;
  isError?: boolean;
  /** The structured result a Gemini client sent (`functionResponse.response`), for an upstream that takes it as is. */
  response?: Record<string, unknown>;
}

export type Part = TextPart | MediaPart | ThinkingPart | ToolCallPart | ToolResultPart;

export type Role = 'user' | 'assistant';

export interface Message {
  role: Role;
  parts: Part[];
}

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema as the client sent it; upstream codecs clean it to what they accept. */
  parameters?: JsonSchema;
}

export type ToolChoice = { type: 'auto' } | { type: 'none' } | { type: 'required' } | { type: 'tool'; name: string };

/**
 * What the client asked of the model's reasoning. Upstream codecs map it onto
 * their own knobs (Gemini: thinkingConfig, with maxOutputTokens > budget).
 */
export type ThinkingRequest =
  { type: 'disabled' } | { type: 'adaptive' } | { type: 'budget'; budgetTokens: number } | { type: 'effort'; effort: 'minimal' | 'low' | 'medium' | 'high' };

export type ResponseFormat = { type: 'text' } | { type: 'json'; schema?: JsonSchema; name?: string };

export interface ChatRequest {
  protocol: ClientProtocol;
  /** The model id exactly as the client named it (aliases resolve later, in the router). */
  model: string;
  system: TextPart[];
  messages: Message[];
  tools: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: string[];
  seed?: number;
  thinking?: ThinkingRequest;
  /** Whether thought text should be returned to the client at all. */
  includeThoughts?: boolean;
  responseFormat?: ResponseFormat;
  stream: boolean;
  /** Conversation identity for sticky routing (upstream-protocol §8); the pipeline derives one when absent. */
  sessionKey?: string;
  /** Client-supplied end-user id (OpenAI `user`, Anthropic `metadata.user_id`). */
  user?: string;
  /** Built-in web search (Gemini googleSearch); never mixed with function tools upstream. */
  webSearch?: boolean;
  /** What the decoder left out of the client's request and why (tool-notes.ts); logged and shown in the monitor. */
  notes?: string[];
  imageConfig?: { aspectRatio?: string; imageSize?: string };
  /**
   * Fields of a native Gemini request that the IR does not model
   * (safetySettings, cachedContent, extra generationConfig keys …). Only the
   * Gemini codec sets it; the Cloud Code upstream merges it verbatim.
   */
  geminiExtras?: Record<string, unknown>;
  /**
   * Opaque data the inbound codec attaches in `decodeRequest` and reads back in
   * `encodeResponse` / `createStreamEncoder`: client-only options the IR does not
   * model (OpenAI `stream_options.include_usage`, Responses `store`/`include`,
   * namespaced tool names, Gemini's `?alt=` stream framing). Every other layer carries it along untouched; a
   * copy of the request (`{...request}`) keeps it.
   */
  inboundCodecState?: unknown;
}

export interface Usage {
  /** Every prompt token, cached ones included. */
  inputTokens: number;
  /** Prompt tokens served from the upstream's cache (a subset of inputTokens). */
  cachedInputTokens: number;
  /**
   * Prompt tokens written to the upstream's cache (a subset of inputTokens, priced as cache writes).
   * Only Anthropic reports them (`cache_creation_input_tokens`); OpenAI's and Gemini's caches have no write count.
   */
  cacheWriteTokens?: number;
  /** Visible output tokens (thinking excluded). */
  outputTokens: number;
  thinkingTokens: number;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'stop_sequence' | 'content_filter';

/** One step of an answer, in the order the upstream produced it. Deltas, not snapshots. */
export type ChatEvent =
  | { type: 'text'; text: string }
  | { type: 'thinking'; text: string }
  /** Ends the current thinking run with the upstream's signature. */
  | { type: 'thinking_signature'; signature: string }
  /** Gemini sends whole calls in one frame; encoders that stream arguments split them. */
  | { type: 'tool_call'; call: ToolCallPart }
  | { type: 'media'; mimeType: string; data: string }
  | { type: 'grounding'; metadata: Record<string, unknown> }
  /** Latest cumulative usage; upstreams may report it several times. */
  | { type: 'usage'; usage: Usage }
  | { type: 'finish'; reason: FinishReason; usage: Usage; stopSequence?: string };

export interface ChatResponse {
  id: string;
  model: string;
  parts: Array<TextPart | ThinkingPart | ToolCallPart | MediaPart>;
  finishReason: FinishReason;
  stopSequence?: string;
  usage: Usage;
  grounding?: Record<string, unknown>;
}

export const emptyUsage = (): Usage => ({ inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, thinkingTokens: 0 });
