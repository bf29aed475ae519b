/**
 * The Anthropic Messages API as an upstream: IR request → `POST {base}/v1/messages`
 * (always streamed), its SSE events → IR events.
 */
import { GatewayError } from '../../errors';
import type { ChatEvent, ChatRequest, FinishReason, MediaPart, Part, TextPart, Usage } from '../../ir';
import { UpstreamFailure } from '../failure';
import { classifyProviderStatus, errorMessageOf, frameJson, retryAfterMs, streamSse, type ProviderCall, type ProviderHttpOptions } from '../provider-http';

export const ANTHROPIC_VERSION = '2023-06-01';
/** When the client gives no limit: the Messages API requires one. */
const DEFAULT_MAX_TOKENS = 8192;
const MIN_THINKING_BUDGET = 1024;
const EFFORT_BUDGETS = { minimal: 0, low: 2048, medium: 8192, high: 24_576 } as const;

type Json = Record<string, unknown>;

const unsupported = (what: string) => new GatewayError('invalid_request', `An Anthropic provider cannot take ${what}`);

function media(part: MediaPart): Json {
  if (part.source.kind === 'url') return { type: 'image', source: { type: 'url', url: part.source.url } };
  if (part.mimeType === 'application/pdf') return { type: 'document', source: { type: 'base64', media_type: part.mimeType, data: part.source.data } };
  if (!['image/jpeg', 'image/png', 'image/gif', 'image/webp'].includes(part.mimeType))
    throw unsupported(`${part.mimeType} media (only JPEG, PNG, GIF, WebP images and PDF)`);
  return { type: 'image', source: { type: 'base64', media_type: part.mimeType, data: part.source.data } };
}

function block(part: Part): Json | undefined {
  switch (part.type) {
    case 'text':
      return part.text === '' ? undefined : { type: 'text', text: part.text };
    case 'media':
      return media(part);
    case 'thinking':
      // Only thinking the provider signed can go back; unsigned thought (from another upstream) is dropped.
      if (!part.signature) return undefined;
      return part.redacted ? { type: 'redacted_thinking', data: part.signature } : { type: 'thinking', thinking: part.text, signature: part.signature };
    case 'tool_call':
      return { type: 'tool_use', id: part.id, name: part.name, input: part.args };
    case 'tool_result': {
      const content = part.content
        .map((item) => (item.type === 'text' ? { type: 'text', text: item.text } : media(item)))
        .filter((item) => item.type !== 'text' || item.text !== '');
      const result: Json = { type: 'tool_result', tool_use_id: part.callId, content };
      if (part.isError) result.is_error = true;
      return result;
    }
  }
}

function maxTokensAndThinking(request: ChatRequest): { maxTokens: number; thinking?: Json } {
  const thinking = request.thinking;
  let budget: number | undefined;
  if (thinking?.type === 'budget') budget = Math.max(MIN_THINKING_BUDGET, thinking.budgetTokens);
  else if (thinking?.type === 'effort') budget = EFFORT_BUDGETS[thinking.effort] || undefined;
  if (thinking?.type === 'adaptive') return { maxTokens: request.maxOutputTokens ?? DEFAULT_MAX_TOKENS, thinking: { type: 'adaptive' } };
  if (budget === undefined) return { maxTokens: request.maxOutputTokens ?? DEFAULT_MAX_TOKENS };
  // The API requires max_tokens above the budget; the answer keeps the room the client asked for.
  const maxTokens = Math.max(request.maxOutputTokens ?? DEFAULT_MAX_TOKENS, budget + 1);
  return { maxTokens, thinking: { type: 'enabled', budget_tokens: budget } };
}

export function encodeAnthropicRequest(request: ChatRequest, model: string): Json {
  if (request.webSearch) throw unsupported('built-in web search');
  if (request.responseFormat?.type === 'json') throw unsupported('JSON-schema output (response_format); ask for JSON in the prompt instead');
  if (request.temperature !== undefined && request.temperature > 1) throw unsupported(`temperature ${request.temperature} (its range is 0 to 1)`);
  const { maxTokens, thinking } = maxTokensAndThinking(request);
  const body: Json = { model, max_tokens: maxTokens };
  const system = request.system.filter((part: TextPart) => part.text !== '').map((part) => ({ type: 'text', text: part.text }));
  if (system.length > 0) body.system = system;
  body.messages = request.messages
    .map((message) => ({ role: message.role, content: message.parts.map(block).filter((b): b is Json => b !== undefined) }))
    .filter((message) => message.content.length > 0);
  if (request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      input_schema: tool.parameters && tool.parameters.type === 'object' ? tool.parameters : { type: 'object', properties: {}, ...(tool.parameters ?? {}) },
    }));
    const choice = request.toolChoice;
    const toolChoice: Json | undefined =
      choice?.type === 'required'
        ? { type: 'any' }
        : choice?.type === 'tool'
          ? { type: 'tool', name: choice.name }
          : choice?.type === 'none'
            ? { type: 'none' }
            : choice
              ? { type: 'auto' }
              : undefined;
    if (request.parallelToolCalls === false) body.tool_choice = { ...(toolChoice ?? { type: 'auto' }), disable_parallel_tool_use: true };
    else if (toolChoice) body.tool_choice = toolChoice;
  }
  if (thinking) body.thinking = thinking;
  // With thinking on, the API takes neither temperature nor top_k.
  if (!thinking && request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (!thinking && request.topK !== undefined) body.top_k = request.topK;
  if (request.stopSequences?.length) body.stop_sequences = request.stopSequences;
  if (request.user) body.metadata = { user_id: request.user };
  body.stream = true;
  return body;
}

export function classifyAnthropicFailure(status: number, body: unknown, header: (name: string) => string | undefined, model: string): UpstreamFailure {
  const message = errorMessageOf(body, status);
  const type = (body as { error?: { type?: unknown } } | undefined)?.error?.type;
  if (status === 400 && /credit balance is too low/i.test(message)) {
    return new UpstreamFailure('quota_exhausted', message, { status, model, body, reason: 'CREDIT_BALANCE' });
  }
  if (type === 'overloaded_error') return new UpstreamFailure('capacity', message, { status, model, body, reason: 'OVERLOADED' });
  return classifyProviderStatus(status, message, model, retryAfterMs(header('retry-after')), body);
}

const STOP_REASONS: Readonly<Record<string, FinishReason>> = {
  end_turn: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
  stop_sequence: 'stop_sequence',
  refusal: 'content_filter',
  pause_turn: 'stop',
  model_context_window_exceeded: 'length',
};

/** Reads one Messages stream into IR events. */
export class AnthropicStreamDecoder {
  private usage: Usage = { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, thinkingTokens: 0 };
  private readonly blocks = new Map<number, { type: string; id?: string; name?: string; json: string }>();
  private stopReason: string | undefined;
  private stopSequence: string | undefined;
  finished = false;

  constructor(private readonly model: string) {}

  decode(event: string | undefined, data: string): ChatEvent[] {
    if (data === '' || this.finished) return [];
    const frame = frameJson(data, this.model);
    const type = event ?? (frame.type as string | undefined);
    switch (type) {
      case 'message_start': {
        const usage = (frame.message as Json | undefined)?.usage as Json | undefined;
        if (usage) this.readUsage(usage);
        return [{ type: 'usage', usage: { ...this.usage } }];
      }
      case 'content_block_start': {
        const index = frame.index as number;
        const content = frame.content_block as Json;
        this.blocks.set(index, { type: content.type as string, id: content.id as string | undefined, name: content.name as string | undefined, json: '' });
        if (content.type === 'text' && typeof content.text === 'string' && content.text) return [{ type: 'text', text: content.text }];
        if (content.type === 'redacted_thinking' && typeof content.data === 'string') return [{ type: 'thinking_signature', signature: content.data }];
        return [];
      }
      case 'content_block_delta': {
        const delta = frame.delta as Json;
        const current = this.blocks.get(frame.index as number);
        if (delta.type === 'text_delta') return [{ type: 'text', text: delta.text as string }];
        if (delta.type === 'thinking_delta') return [{ type: 'thinking', text: delta.thinking as string }];
        if (delta.type === 'signature_delta') return [{ type: 'thinking_signature', signature: delta.signature as string }];
        if (delta.type === 'input_json_delta' && current) current.json += delta.partial_json as string;
        return [];
      }
      case 'content_block_stop': {
        const current = this.blocks.get(frame.index as number);
        this.blocks.delete(frame.index as number);
        if (current?.type !== 'tool_use' && current?.type !== 'server_tool_use') return [];
        let args: unknown;
        try {
          args = current.json === '' ? {} : JSON.parse(current.json);
        } catch (err) {
          throw new UpstreamFailure('server', 'the provider streamed tool arguments that are not JSON', { model: this.model, cause: err });
        }
        return [
          { type: 'tool_call', call: { type: 'tool_call', id: current.id ?? '', name: current.name ?? '', args: (args ?? {}) as Record<string, unknown> } },
        ];
      }
      case 'message_delta': {
        const delta = frame.delta as Json | undefined;
        if (typeof delta?.stop_reason === 'string') this.stopReason = delta.stop_reason;
        if (typeof delta?.stop_sequence === 'string') this.stopSequence = delta.stop_sequence;
        if (frame.usage) this.readUsage(frame.usage as Json);
        return [{ type: 'usage', usage: { ...this.usage } }];
      }
      case 'message_stop':
        return [this.finish()];
      case 'error': {
        const status = (frame.error as Json | undefined)?.type === 'overloaded_error' ? 529 : 500;
        throw classifyAnthropicFailure(status, frame, () => undefined, this.model);
      }
      default:
        return []; // ping, and event types added later
    }
  }

  finish(): ChatEvent {
    this.finished = true;
    const event: ChatEvent = { type: 'finish', reason: STOP_REASONS[this.stopReason ?? 'end_turn'] ?? 'stop', usage: { ...this.usage } };
    if (this.stopSequence) event.stopSequence = this.stopSequence;
    return event;
  }

  private readUsage(usage: Json): void {
    readAnthropicUsage(usage, this.usage);
  }
}

/** Reads a Messages `usage` object (whole in `message_start`, counts so far in `message_delta`) into `into`. */
export function readAnthropicUsage(usage: Json, into: Usage): void {
  const number = (name: string) => (typeof usage[name] === 'number' ? (usage[name] as number) : undefined);
  const input = number('input_tokens');
  const read = number('cache_read_input_tokens');
  const written = number('cache_creation_input_tokens');
  if (input !== undefined || read !== undefined || written !== undefined) {
    // Anthropic's input_tokens leaves the cached and cache-written tokens out; the IR counts every prompt token.
    into.inputTokens = (input ?? 0) + (read ?? 0) + (written ?? 0);
    into.cachedInputTokens = read ?? 0;
    into.cacheWriteTokens = written ?? 0;
  }
  const output = number('output_tokens');
  if (output !== undefined) into.outputTokens = output;
}

export function anthropicHeaders(key: string): Record<string, string> {
  return { 'x-api-key': key, 'anthropic-version': ANTHROPIC_VERSION };
}

export async function* generateAnthropic(options: ProviderHttpOptions, request: ChatRequest, call: ProviderCall): AsyncGenerator<ChatEvent, void, undefined> {
  const body = JSON.stringify(encodeAnthropicRequest(request, call.model));
  const decoder = new AnthropicStreamDecoder(call.model);
  for await (const event of streamSse(options, {
    url: new URL(`${call.baseUrl}/v1/messages`),
    headers: anthropicHeaders(call.key),
    body,
    model: call.model,
    signal: call.signal,
    classify: (status, error, header) => classifyAnthropicFailure(status, error, header, call.model),
  })) {
    for (const chatEvent of decoder.decode(event.event, event.data)) yield chatEvent;
    if (decoder.finished) return;
  }
  if (!decoder.finished) throw new UpstreamFailure('network', 'the provider ended the stream before message_stop', { model: call.model });
}
