import type { Agate } from '../core/agate';
import { maskEmail } from '../core/monitor/mask';
import type { RequestRecord } from '../core/monitor/types';
import { UsageError } from './args';
import { l10n } from './l10n';

/** `agate serve`/`demo`: one line per finished request on stdout. */

export const ACCESS_LOG_FORMATS = ['text', 'json'] as const;
export type AccessLogFormat = (typeof ACCESS_LOG_FORMATS)[number];

export function accessLogFormatOf(value: string | undefined): AccessLogFormat {
  if (value === undefined) return 'text';
  if ((ACCESS_LOG_FORMATS as readonly string[]).includes(value)) return value as AccessLogFormat;
  throw new UsageError(l10n.t('--log-format must be one of {0} (got "{1}")', ACCESS_LOG_FORMATS.join(', '), value));
}

const pad = (n: number) => String(n).padStart(2, '0');
// Worded once per second: at hundreds of requests a second, most lines share their second.
let clockSecond = Number.NaN;
let clockText = '';
const clock = (at: number) => {
  const second = Math.floor(at / 1000);
  if (second !== clockSecond) {
    const date = new Date(at);
    clockSecond = second;
    clockText = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  }
  return clockText;
};
const duration = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);
const MAX_ERROR_CHARS = 160;

/**
 * `14:02:11 anthropic claude-sonnet-4-5 → claude-sonnet-4-6 de***@agate.local 200 1.2 s in 1234 out 56`;
 * a failure ends with its message, a retried request with its upstream call count.
 */
export function accessLine(record: RequestRecord, format: AccessLogFormat): string {
  // A request that failed on every account has none of its own: the last one tried stands for it.
  const email = record.accountEmail ?? record.attempts.at(-1)?.accountEmail;
  const account = email === undefined ? undefined : maskEmail(email);
  const usage = record.usage;
  if (format === 'json') {
    return JSON.stringify({
      time: new Date(record.startedAt).toISOString(),
      id: record.id,
      protocol: record.protocol,
      stream: record.stream,
      clientModel: record.clientModel,
      upstreamModel: record.upstreamModel,
      account,
      clientKey: record.clientKey,
      status: record.status,
      latencyMs: record.latencyMs,
      ttfbMs: record.ttfbMs,
      inputTokens: usage?.inputTokens,
      outputTokens: usage?.outputTokens,
      cachedInputTokens: usage?.cachedInputTokens,
      thinkingTokens: usage?.thinkingTokens,
      upstreamCalls: record.attempts.length,
      error: record.error,
    });
  }
  const model =
    record.upstreamModel && record.upstreamModel !== record.clientModel
      ? `${record.clientModel || '?'} → ${record.upstreamModel}`
      : record.clientModel || '(no model)';
  const parts = [clock(record.startedAt), record.protocol, model];
  if (account) parts.push(account);
  parts.push(String(record.status), duration(record.latencyMs));
  if (usage) parts.push(`in ${usage.inputTokens} out ${usage.outputTokens + usage.thinkingTokens}`);
  if (record.attempts.length > 1) parts.push(`(${record.attempts.length} upstream calls)`);
  let line = parts.join(' ');
  if (record.error) {
    const error = record.error.length > MAX_ERROR_CHARS ? `${record.error.slice(0, MAX_ERROR_CHARS - 1)}…` : record.error;
    line += ` — ${error}`;
  }
  return line;
}

/**
 * Lines for stdout gathered for up to ACCESS_LOG_FLUSH_MS, then written at once: each write is a system call and
 * a trip through the stream (at hundreds of requests a second, one per request), while a reader does not notice a
 * tenth of a second.
 */
function stdoutLines(): { write(line: string): void; flush(): void } {
  let pending: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return;
    const text = `${pending.join('\n')}\n`;
    pending = [];
    process.stdout.write(text);
  };
  return {
    write: (line) => {
      const count = pending.push(line);
      if (count >= ACCESS_LOG_MAX_PENDING) flush();
      else if (count === 1) timer = setTimeout(flush, ACCESS_LOG_FLUSH_MS).unref();
    },
    flush,
  };
}

const ACCESS_LOG_FLUSH_MS = 100;
/** A burst past this many lines is written at once rather than held. */
const ACCESS_LOG_MAX_PENDING = 1000;

/** Prints every finished request until the returned function is called; nothing without a request monitor. */
export function printAccessLog(agate: Agate, format: AccessLogFormat, write?: (line: string) => void): () => void {
  const monitor = agate.observability?.monitor;
  if (!monitor) return () => undefined;
  const stdout = write ? undefined : stdoutLines();
  const print = write ?? stdout!.write;
  const unsubscribe = monitor.subscribe((event) => {
    if (event.type === 'finished') print(accessLine(event.record, format));
  });
  return () => {
    unsubscribe();
    stdout?.flush();
  };
}
