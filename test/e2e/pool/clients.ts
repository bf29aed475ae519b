/**
 * The pool tests' clients: one call through the real Anthropic or OpenAI SDK
 * (no SDK retries, so every retry seen is the gateway's), answered as text or
 * as the SDK's error, plus readers of the simulator log.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { LogEntry, Simulator } from '../../../src/simulator';
import type { Stack } from '../../helpers/stack';

export type SdkProtocol = 'anthropic' | 'openai';

export interface Ask {
  text: string;
  stream?: boolean;
  model?: string;
  /** Anthropic: `x-claude-code-session-id` header; OpenAI: `prompt_cache_key`. */
  session?: string;
  /** Anthropic `metadata.user_id`; OpenAI `user`. */
  userId?: string;
  /** Earlier turns (user, assistant, user, …) before `text`. */
  history?: string[];
}

export interface Answer {
  /** Everything the client received as answer text, in order. */
  text: string;
  /** The SDK's error, when the call (or the stream) failed. */
  error?: { status?: number; type?: string; message: string; headers?: Record<string, string> };
  usage?: { input?: number; cachedInput?: number };
}

export const DEFAULT_MODELS: Record<SdkProtocol, string> = { anthropic: 'claude-sonnet-4-6', openai: 'gemini-3-flash' };

function errorOf(err: unknown): NonNullable<Answer['error']> {
  const e = err as { status?: number; message?: string; error?: any; headers?: any; type?: string };
  const headers: Record<string, string> = {};
  if (e.headers && typeof e.headers.forEach === 'function') e.headers.forEach((v: string, k: string) => (headers[k] = v));
  else if (e.headers) Object.assign(headers, e.headers);
  const type = e.error?.error?.type ?? e.error?.type ?? e.type;
  return { status: e.status, type, message: String(e.message ?? err), headers };
}

const turns = (ask: Ask) => {
  const texts = [...(ask.history ?? []), ask.text];
  return texts.map((content, i) => ({ role: i % 2 === 0 ? ('user' as const) : ('assistant' as const), content }));
};

export async function askAnthropic(stack: Stack, ask: Ask): Promise<Answer> {
  const headers: Record<string, string> = ask.session ? { 'x-claude-code-session-id': ask.session } : {};
  const client = new Anthropic({ baseURL: stack.url, apiKey: 'unused', maxRetries: 0, defaultHeaders: headers });
  const params = {
    model: ask.model ?? DEFAULT_MODELS.anthropic,
    max_tokens: 256,
    messages: turns(ask),
    ...(ask.userId ? { metadata: { user_id: ask.userId } } : {}),
  };
  let text = '';
  try {
    if (!ask.stream) {
      const message = await client.messages.create(params);
      text = message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
      return { text, usage: { input: message.usage.input_tokens, cachedInput: message.usage.cache_read_input_tokens ?? 0 } };
    }
    const stream = await client.messages.create({ ...params, stream: true });
    const usage: Answer['usage'] = {};
    for await (const event of stream) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
      if (event.type === 'message_start') {
        usage.input = event.message.usage.input_tokens;
        usage.cachedInput = event.message.usage.cache_read_input_tokens ?? 0;
      }
    }
    return { text, usage };
  } catch (err) {
    return { text, error: errorOf(err) };
  }
}

export async function askOpenAI(stack: Stack, ask: Ask): Promise<Answer> {
  const client = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  const params = {
    model: ask.model ?? DEFAULT_MODELS.openai,
    messages: turns(ask),
    ...(ask.session ? { prompt_cache_key: ask.session } : {}),
    ...(ask.userId ? { user: ask.userId } : {}),
  };
  let text = '';
  try {
    if (!ask.stream) {
      const completion = await client.chat.completions.create(params);
      text = completion.choices[0]?.message.content ?? '';
      return { text, usage: { input: completion.usage?.prompt_tokens, cachedInput: completion.usage?.prompt_tokens_details?.cached_tokens ?? 0 } };
    }
    const stream = await client.chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } });
    const usage: Answer['usage'] = {};
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) {
        usage.input = chunk.usage.prompt_tokens;
        usage.cachedInput = chunk.usage.prompt_tokens_details?.cached_tokens ?? 0;
      }
    }
    return { text, usage };
  } catch (err) {
    return { text, error: errorOf(err) };
  }
}

export const ask = (protocol: SdkProtocol, stack: Stack, question: Ask): Promise<Answer> =>
  protocol === 'anthropic' ? askAnthropic(stack, question) : askOpenAI(stack, question);

/** The simulator's default answer to `text` on `model`. */
export const echoOf = (model: string, text: string): string => `Hello from ${model}. You said: ${text.slice(0, 60)}`;

/** Generation requests the simulator received, oldest first. */
export const generations = (sim: Simulator, since = 0): LogEntry[] =>
  sim.log.filter((e) => e.id > since && (e.method === 'streamGenerateContent' || e.method === 'generateContent'));

/** The id of the newest log entry, to read only what follows. */
export const logMark = (sim: Simulator): number => sim.log.at(-1)?.id ?? 0;

/** `{account, label, status, fault}` of each generation, compact for deepEqual. */
export const trail = (entries: LogEntry[]) =>
  entries.map((e) => ({ account: e.account, host: e.label, status: e.status, ...(e.fault ? { fault: e.fault } : {}) }));

export const ADA = { email: 'ada@example.com', refreshToken: '1//pool-ada', tier: 'g1-pro-tier' };
export const BOB = { email: 'bob@example.com', refreshToken: '1//pool-bob', tier: 'g1-pro-tier' };
export const CY = { email: 'cy@example.com', refreshToken: '1//pool-cy', tier: 'g1-pro-tier' };
export const DEE = { email: 'dee@example.com', refreshToken: '1//pool-dee', tier: 'g1-pro-tier' };

export function accountIdOf(stack: Stack, email: string): string {
  const view = stack.agate.pool.list().find((a) => a.email === email);
  if (!view) throw new Error(`no pool account ${email}`);
  return view.id;
}

export function viewOf(stack: Stack, email: string) {
  return stack.agate.pool.get(accountIdOf(stack, email))!;
}
