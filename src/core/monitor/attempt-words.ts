import type { AttemptNext, AttemptRecord } from '../dispatch';

/**
 * An attempt trail in words, for the dashboard and the console. Pure and
 * free of Node imports: the webview bundles it.
 */

const seconds = (ms: number): string => (ms < 10_000 ? `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} s` : `${Math.round(ms / 1000)} s`);

/** `retry same account in 0.5 s (after the rate limit)`, `fall back to the next host`, `give up: …`. */
export function describeNext(next: AttemptNext): string {
  const wait = next.waitMs ? ` in ${seconds(next.waitMs)}` : '';
  const note = next.note ? ` (${next.note})` : '';
  switch (next.action) {
    case 'retry':
      return `retry same account${wait}${note}`;
    case 'fall-back':
      return `fall back to the next host${wait}`;
    case 'switch':
      return `switch account${wait}${note}`;
    case 'wait':
      return `wait${wait}${note}`;
    case 'give-up':
      return `give up${next.note ? `: ${next.note}` : ''}`;
  }
}

/** `503 MODEL_CAPACITY_EXHAUSTED`, `server`, `ok`: the HTTP status (when one came) and the reason or outcome. */
export function describeOutcome(attempt: Pick<AttemptRecord, 'outcome' | 'status' | 'reason'>): string {
  const what = attempt.reason ?? attempt.outcome;
  return attempt.status !== undefined ? `${attempt.status} ${what}` : what;
}

/** `daily-cloudcode-pa.googleapis.com` from its URL; simulator labels (`127.0.0.1:1234/daily`) kept whole. */
export const hostLabel = (host: string): string => host.replace(/^https?:\/\//, '');
