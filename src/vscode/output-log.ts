import * as vscode from 'vscode';
import { createLogger } from '../core/logging/logger';
import type { LogLevel, Logger } from '../core/ports';

/** Maps VS Code's log levels (chosen in the Output view or with "Developer: Set Log Level") onto the core's. */
function coreLevelOf(level: vscode.LogLevel): LogLevel {
  switch (level) {
    case vscode.LogLevel.Trace:
      return 'trace';
    case vscode.LogLevel.Debug:
      return 'debug';
    case vscode.LogLevel.Info:
      return 'info';
    case vscode.LogLevel.Warning:
      return 'warn';
    default:
      // Error and Off: the channel drops what is below its level anyway; errors are cheap to format.
      return 'error';
  }
}

/**
 * The core's logger writing to the "Agate" LogOutputChannel. Every line passes the core's redactor first (refresh
 * and access tokens, keys), so nothing secret reaches the channel or its log file. The channel stamps time and
 * level itself; the logger's threshold follows the channel's level so that dropped lines are not even formatted.
 */
export function createOutputLogger(channel: vscode.LogOutputChannel): Logger & vscode.Disposable {
  const logger = createLogger({
    level: coreLevelOf(channel.logLevel),
    timestamps: false,
    sink: (level, line) => {
      switch (level) {
        case 'trace':
          return channel.trace(line);
        case 'debug':
          return channel.debug(line);
        case 'info':
          return channel.info(line);
        case 'warn':
          return channel.warn(line);
        case 'error':
          return channel.error(line);
      }
    },
  });
  const subscription = channel.onDidChangeLogLevel((level) => logger.setLevel(coreLevelOf(level)));
  return {
    trace: logger.trace,
    debug: logger.debug,
    info: logger.info,
    warn: logger.warn,
    error: logger.error,
    dispose: () => subscription.dispose(),
  };
}
