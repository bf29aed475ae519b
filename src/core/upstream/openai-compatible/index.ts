/**
 * An OpenAI-compatible Chat Completions API as an upstream (OpenAI, OpenRouter,
 * DeepSeek, Ollama, LM Studio, vLLM …): IR request → `POST {base}/chat/completions`
 * (streamed, with usage), its chunks → IR events. Reasoning text comes back
 * from servers that stream it (`reasoning_content`, `reasoning`).
 */
import { GatewayError } from '../../errors';
import type { ChatEvent, ChatRequest, FinishReason, MediaPart, ToolCallPart, Usage } from '../../ir';
import { UpstreamFailure } from '../failure';
import { classifyProviderStatus, errorMessageOf, frameJson, retryAfterMs, streamSse, type ProviderCall, type ProviderHttpOptions } from '../provider-http';

type Json = Record<string, unknown>;

/** OpenAI's reasoning models take `max_completion_tokens` and `reasoning_effort`, and refuse `max_tokens`. */
const REASONING_MODEL = /^(?:[\w.-]+\/)?(?:o\d|gpt-5)/;

const unsupported = (what: string) => new GatewayError('invalid_request', `An OpenAI-compatible provider cannot take ${what}`);

function imageUrl(part: MediaPart): Json {
  if (!part.mimeType.startsWith('image/')) throw unsupported(`${part.mimeType} media in chat messages (images only)`);
  const url = part.source.kind === 'url' ? part.source.url : `data:${part.mimeType};base64,${part.source.data}`;
  return { type: 'image_url', image_url: { url } };
}

/** A Chat Completions `usage` object as IR usage. */
export function openAiUsage(usage: Json): Usage {
  const details = (usage.prompt_tokens_details ?? {}) as Json;
  const completion = (usage.completion_tokens_details ?? {}) as Json;
  const reasoningTokens = typeof completion.reasoning_tokens === 'number' ? completion.reasoning_tokens : 0;
  return {
    inputTokens: typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens : 0,
    cachedInputTokens: typeof details.cached_tokens === 'number' ? details.cached_tokens : 0,
    // completion_tokens counts the reasoning; the IR keeps them apart.
    outputTokens: Math.max(0, (typeof usage.completion_tokens === 'number' ? usage.completion_tokens : 0) - reasoningTokens),
    thinkingTokens: reasoningTokens,
  };
}

export function encodeOpenAiRequest(request: ChatRequest, model: string): Json {
  if (request.webSearch) throw unsupported('built-in web search');
  const messages: Json[] = [];
  const system = request.system
    .map((part) => part.text)
    .filter(Boolean)
    .join('\n\n');
  if (system) messages.push({ role: 'system', content: system });
  for (const message of request.messages) {
    if (message.role === 'assistant') {
      const text = message.parts.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('');
      const calls = message.parts.filter((part): part is ToolCallPart => part.type === 'tool_call');
      if (text === '' && calls.length === 0) continue;
      const entry: Json = { role: 'assistant', content: text === '' ? null : text };
      if (calls.length > 0)
        entry.tool_calls = calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.args) } }));
      messages.push(entry);
      continue;
    }
    const content: Json[] = [];
    const flush = () => {
      if (content.length === 0) return;
      messages.push({ role: 'user', content: content.every((c) => c.type === 'text') ? content.map((c) => c.text).join('') : [...content] });
      content.length = 0;
    };
    for (const part of message.parts) {
      if (part.type === 'text') {
        if (part.text !== '') content.push({ type: 'text', text: part.text });
      } else if (part.type === 'media') {
        content.push(imageUrl(part));
      } else if (part.type === 'tool_result') {
        flush();
        if (part.content.some((item) => item.type === 'media')) throw unsupported('images inside tool results');
        messages.push({ role: 'tool', tool_call_id: part.callId, content: part.content.map((item) => (item.type === 'text' ? item.text : '')).join('') });
      }
    }
    flush();
  }
  const reasoning = REASONING_MODEL.test(model);
  const body: Json = { model, messages, stream: true, stream_options: { include_usage: true } };
  if (request.maxOutputTokens !== undefined) body[reasoning ? 'max_completion_tokens' : 'max_tokens'] = request.maxOutputTokens;
  if (reasoning && request.thinking?.type === 'effort') body.reasoning_effort = request.thinking.effort;
  else if (reasoning && request.thinking?.type === 'budget')
    body.reasoning_effort = request.thinking.budgetTokens <= 2048 ? 'low' : request.thinking.budgetTokens <= 8192 ? 'medium' : 'high';
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stopSequences?.length) body.stop = request.stopSequences;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.user) body.user = request.user;
  if (request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description ? { description: tool.description } : {}),
        parameters: tool.parameters ?? { type: 'object', properties: {} },
      },
    }));
    const choice = request.toolChoice;
    if (choice) body.tool_choice = choice.type === 'tool' ? { type: 'function', function: { name: choice.name } } : choice.type;
    if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  }
  if (request.responseFormat?.type === 'json') {
    body.response_format = request.responseFormat.schema
      ? { type: 'json_schema', json_schema: { name: request.responseFormat.name ?? 'response', schema: request.responseFormat.schema } }
      : { type: 'json_object' };
  }
  return body;
}

export function classifyOpenAiFailure(status: number, body: unknown, header: (name: string) => string | undefined, model: string): UpstreamFailure {
  const message = errorMessageOf(body, status);
  const code = (body as { error?: { code?: unknown; type?: unknown } } | undefined)?.error;
  if (status === 429 && (code?.code === 'insufficient_quota' || code?.type === 'insufficient_quota')) {
    return new UpstreamFailure('quota_exhausted', message, { status, model, body, reason: 'INSUFFICIENT_QUOTA' });
  }
  return classifyProviderStatus(status, message, model, retryAfterMs(header('retry-after')), body);
}

const FINISH: Readonly<Record<string, FinishReason>> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
  content_filter: 'content_filter',
};

export class OpenAiStreamDecoder {
  private usage: Usage = { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, thinkingTokens: 0 };
  private readonly calls = new Map<number, { id: string; name: string; args: string }>();
  private finishReason: string | undefined;
  finished = false;

  constructor(private readonly model: string) {}

  decode(data: string): ChatEvent[] {
    if (this.finished) return [];
    if (data.trim() === '[DONE]') return this.finish();
    if (data === '') return [];
    const frame = frameJson(data, this.model);
    if (frame.error) {
      const status = typeof (frame.error as Json).code === 'number' ? ((frame.error as Json).code as number) : 500;
      throw classifyOpenAiFailure(status, frame, () => undefined, this.model);
    }
    const events: ChatEvent[] = [];
    const choice = (Array.isArray(frame.choices) ? frame.choices[0] : undefined) as Json | undefined;
    const delta = choice?.delta as Json | undefined;
    if (delta) {
      const reasoning = typeof delta.reasoning_content === 'string' ? delta.reasoning_content : typeof delta.reasoning === 'string' ? delta.reasoning : '';
      if (reasoning) events.push({ type: 'thinking', text: reasoning });
      if (typeof delta.content === 'string' && delta.content !== '') events.push({ type: 'text', text: delta.content });
      for (const call of Array.isArray(delta.tool_calls) ? (delta.tool_calls as Json[]) : []) {
        const index = typeof call.index === 'number' ? call.index : this.calls.size;
        const fn = (call.function ?? {}) as Json;
        const current = this.calls.get(index) ?? { id: '', name: '', args: '' };
        if (typeof call.id === 'string' && call.id) current.id = call.id;
        if (typeof fn.name === 'string' && fn.name) current.name = fn.name;
        if (typeof fn.arguments === 'string') current.args += fn.arguments;
        this.calls.set(index, current);
      }
    }
    if (typeof choice?.finish_reason === 'string') this.finishReason = choice.finish_reason;
    const usage = frame.usage as Json | undefined | null;
    if (usage) {
      this.usage = openAiUsage(usage);
      events.push({ type: 'usage', usage: { ...this.usage } });
    }
    return events;
  }

  /** The calls, whole, then the finish; also when a server ends the stream without `[DONE]` after its finish_reason. */
  finish(): ChatEvent[] {
    if (this.finished) return [];
    this.finished = true;
    const events: ChatEvent[] = [];
    for (const [index, call] of [...this.calls.entries()].sort((a, b) => a[0] - b[0])) {
      let args: unknown;
      try {
        args = call.args === '' ? {} : JSON.parse(call.args);
      } catch (err) {
        throw new UpstreamFailure('server', 'the provider streamed tool arguments that are not JSON', { model: this.model, cause: err });
      }
      const id = /^[A-Za-z0-9_-]+$/.test(call.id) ? call.id : `call_${index}_${call.id.replace(/[^A-Za-z0-9_-]/g, '')}`;
      events.push({ type: 'tool_call', call: { type: 'tool_call', id, name: call.name, args: (args ?? {}) as Record<string, unknown> } });
    }
    const reason =
      this.calls.size > 0 && (this.finishReason === undefined || this.finishReason === 'stop') ? 'tool_calls' : (FINISH[this.finishReason ?? 'stop'] ?? 'stop');
    events.push({ type: 'finish', reason, usage: { ...this.usage } });
    return events;
  }

  get sawFinishReason(): boolean {
    return this.finishReason !== undefined;
  }
}

export async function* generateOpenAiCompatible(
  options: ProviderHttpOptions,
  request: ChatRequest,
  call: ProviderCall,
): AsyncGenerator<ChatEvent, void, undefined> {
  const body = JSON.stringify(encodeOpenAiRequest(request, call.model));
  const decoder = new OpenAiStreamDecoder(call.model);
  for await (const event of streamSse(options, {
    url: new URL(`${call.baseUrl}/chat/completions`),
    headers: { authorization: `Bearer ${call.key}` },
    body,
    model: call.model,
    signal: call.signal,
    classify: (status, error, header) => classifyOpenAiFailure(status, error, header, call.model),
  })) {
    for (const chatEvent of decoder.decode(event.data)) yield chatEvent;
    if (decoder.finished) return;
  }
  // Some servers end after the finish_reason chunk without [DONE].
  if (!decoder.sawFinishReason) throw new UpstreamFailure('network', 'the provider ended the stream before its finish', { model: call.model });
  yield* decoder.finish();
}
