/**
 * Usage read from a passed-through answer as its bytes go by, for stats, spend
 * and caps. The bytes are never held back: an SSE stream is split into events
 * (only the few that carry usage are parsed), a whole JSON answer is copied
 * aside, up to a bound, and parsed when it ended.
 */
import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { Usage } from '../../ir';
import { readAnthropicUsage } from '../anthropic';
import { usageFromMetadata } from '../cloudcode/decode-response';
import type { UsageMetadata } from '../cloudcode/wire';
import { openAiUsage } from '../openai-compatible';

export interface UsageTap {
  feed(chunk: Buffer): void;
  /** What the answer used, as far as it said; undefined when it said nothing readable. */
  result(): Usage | undefined;
}

type Json = Record<string, unknown>;

/** A whole JSON answer larger than this is not copied for its usage (the caller falls back to an estimate). */
const MAX_COPIED_BYTES = 16 * 1024 * 1024;

const emptyUsage = (): Usage => ({ inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, thinkingTokens: 0 });

function parseObject(text: string): Json | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as Json) : undefined;
  } catch {
    return undefined; // the client gets the bytes as they are; only the count is lost
  }
}

function sseTap(onEvent: (event: EventSourceMessage) => void, result: () => Usage | undefined): UsageTap {
  const decoder = new StringDecoder('utf8');
  const parser = createParser({ onEvent });
  return {
    feed: (chunk) => parser.feed(decoder.write(chunk)),
    result: () => {
      parser.feed(decoder.end() + '\n\n');
      return result();
    },
  };
}

function copyTap(read: (body: unknown) => Usage | undefined): UsageTap {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    feed(chunk) {
      size += chunk.length;
      if (size <= MAX_COPIED_BYTES) chunks.push(chunk);
      else chunks.length = 0;
    },
    result() {
      if (size > MAX_COPIED_BYTES || chunks.length === 0) return undefined;
      const body = parseObject(Buffer.concat(chunks, size).toString('utf8'));
      return body ? read(body) : undefined;
    },
  };
}

/** Anthropic: `message_start` has the prompt's counts, each `message_delta` the output so far. */
export function anthropicTap(stream: boolean): UsageTap {
  if (!stream) return copyTap((body) => readUsageObject((body as Json).usage));
  const usage = emptyUsage();
  let seen = false;
  return sseTap(
    (event) => {
      if (event.event !== 'message_start' && event.event !== 'message_delta') return;
      const frame = parseObject(event.data);
      const counts = event.event === 'message_start' ? (frame?.message as Json | undefined)?.usage : frame?.usage;
      if (typeof counts !== 'object' || counts === null) return;
      readAnthropicUsage(counts as Json, usage);
      seen = true;
    },
    () => (seen ? { ...usage } : undefined),
  );
}

function readUsageObject(counts: unknown): Usage | undefined {
  if (typeof counts !== 'object' || counts === null) return undefined;
  const usage = emptyUsage();
  readAnthropicUsage(counts as Json, usage);
  return usage;
}

/**
 * OpenAI Chat Completions: the last chunk carries `usage` when the client
 * asked for it (`stream_options.include_usage`); otherwise the answer's text
 * is counted, about four characters a token.
 */
export function openAiTap(stream: boolean): UsageTap {
  if (!stream)
    return copyTap((body) => (typeof (body as Json).usage === 'object' && (body as Json).usage ? openAiUsage((body as Json).usage as Json) : undefined));
  let usage: Usage | undefined;
  let chars = 0;
  return sseTap(
    (event) => {
      if (event.data === '[DONE]') return;
      const frame = parseObject(event.data);
      if (!frame) return;
      if (typeof frame.usage === 'object' && frame.usage !== null) usage = openAiUsage(frame.usage as Json);
      if (usage || !Array.isArray(frame.choices)) return;
      for (const choice of frame.choices as Json[]) {
        const delta = choice.delta as Json | undefined;
        if (!delta) continue;
        for (const field of ['content', 'reasoning_content', 'reasoning'] as const)
          if (typeof delta[field] === 'string') chars += (delta[field] as string).length;
        if (Array.isArray(delta.tool_calls))
          for (const call of delta.tool_calls as Json[]) chars += String((call.function as Json | undefined)?.arguments ?? '').length;
      }
    },
    () => usage ?? (chars > 0 ? { ...emptyUsage(), outputTokens: Math.ceil(chars / 4) } : undefined),
  );
}

/** Gemini: every chunk repeats `usageMetadata` with the counts so far; the last one is kept and read at the end. */
export function geminiTap(stream: boolean, alt: string | undefined): UsageTap {
  const fromMetadata = (body: unknown): Usage | undefined => {
    const last = Array.isArray(body) ? (body.at(-1) as unknown) : body;
    const metadata = (last as Json | undefined)?.usageMetadata;
    return typeof metadata === 'object' && metadata !== null ? usageFromMetadata(metadata as UsageMetadata) : undefined;
  };
  if (!stream || alt !== 'sse') return copyTap(fromMetadata);
  let last: string | undefined;
  return sseTap(
    (event) => {
      if (event.data.includes('"usageMetadata"')) last = event.data;
    },
    () => (last === undefined ? undefined : fromMetadata(parseObject(last))),
  );
}
