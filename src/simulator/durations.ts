/** The three time notations Google error bodies use (upstream-protocol §6). */

function trimDecimals(value: number, digits: number): string {
  return value.toFixed(digits).replace(/\.?0+$/, '');
}

/** protobuf Duration JSON, as in RetryInfo.retryDelay: "0.479417207s", "60s". */
export function protoDuration(ms: number): string {
  return `${trimDecimals(ms / 1000, 9)}s`;
}

/** Go time.Duration text, as in ErrorInfo.metadata.quotaResetDelay and messages: "479.417207ms", "1h2m3s", "0s". */
export function goDuration(ms: number): string {
  if (ms <= 0) return '0s';
  if (ms < 1000) return `${trimDecimals(ms, 6)}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = trimDecimals((ms % 60_000) / 1000, 9);
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

/** RFC 3339 to the second, as in quotaResetTimeStamp and quotaInfo.resetTime: "2026-04-20T09:19:49Z". */
export function isoSeconds(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
