import type { LogLevel, Logger } from '../ports';
import { redactor, type Redactor } from './redactor';

const ORDER: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };

export interface LogLine {
  time: string;
  level: LogLevel;
  message: string;
  fields?: Record<string, unknown>;
}

/** Where formatted lines go: stderr for the CLI, a LogOutputChannel in VS Code. */
export type LogSink = (level: LogLevel, line: string) => void;

export const stderrSink: LogSink = (_level, line) => process.stderr.write(line + '\n');

/** A levelled logger whose every line is redacted before it reaches the sink. */
export function createLogger(options: {
  level: LogLevel;
  sink: LogSink;
  redactor?: Redactor;
  timestamps?: boolean;
}): Logger & { setLevel(level: LogLevel): void } {
  const redact = options.redactor ?? redactor;
  let threshold = ORDER[options.level];
  const emit = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < threshold) return;
    const tail = fields && Object.keys(fields).length ? ' ' + JSON.stringify(fields) : '';
    const head = options.timestamps === false ? '' : `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} `;
    options.sink(level, redact.redact(head + message + tail));
  };
  return {
    trace: emit('trace'),
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    setLevel(level) {
      threshold = ORDER[level];
    },
  };
}
