import type { AttemptNext, AttemptRecord } from '../dispatch';
import { coreMessage, type CoreMessage, type MessageCode } from '../messages';

/**
 * An attempt trail in words, for the dashboard and the console. Pure and
 * free of Node imports: the webview bundles it.
 */

const seconds = (ms: number): string => (ms < 10_000 ? (ms / 1000).toFixed(1).replace(/\.0$/, '') : String(Math.round(ms / 1000)));

const STEPS = {
  retry: 'attempt.retry',
  'fall-back': 'attempt.fallBack',
  switch: 'attempt.switch',
  wait: 'attempt.wait',
  'give-up': 'attempt.giveUp',
} as const satisfies Record<AttemptNext['action'], MessageCode>;

/** `retry same account in 0.5 s (after the rate limit)`, `fall back to the next host`, `give up: …`, as a message the host words. */
export function describeNext(next: AttemptNext): CoreMessage {
  // The scheduler's notes come as messages; others (a provider's) as English text, shown as it is.
  const note = next.why ?? next.note;
  if (next.action === 'give-up') return note ? coreMessage('attempt.giveUpWhy', { note }) : coreMessage('attempt.giveUp');
  let step = coreMessage(STEPS[next.action]);
  if (next.waitMs) {
    // A wait is its duration ("wait 2 s" in some languages, not "wait after 2 s").
    step =
      next.action === 'wait'
        ? coreMessage('attempt.waitFor', { seconds: seconds(next.waitMs) })
        : coreMessage('attempt.withWait', { step, seconds: seconds(next.waitMs) });
  }
  // Falling back to the next host needs no reason: it is the same account, another address.
  if (note && next.action !== 'fall-back') step = coreMessage('attempt.withNote', { step, note });
  return step;
}

/** `503 MODEL_CAPACITY_EXHAUSTED`, `server`, `ok`: the HTTP status (when one came) and the reason or outcome. */
export function describeOutcome(attempt: Pick<AttemptRecord, 'outcome' | 'status' | 'reason'>): string {
  const what = attempt.reason ?? attempt.outcome;
  return attempt.status !== undefined ? `${attempt.status} ${what}` : what;
}

/** `daily-cloudcode-pa.googleapis.com` from its URL; simulator labels (`127.0.0.1:1234/daily`) kept whole. */
export const hostLabel = (host: string): string => host.replace(/^https?:\/\//, '');
