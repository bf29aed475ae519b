import type { Clock, Logger } from '../ports';

/**
 * Polls each account's quota (upstream-protocol §4) every `intervalMs`, each account
 * on its own jittered schedule so that a pool never polls in one burst.
 * A fetch made elsewhere (after a 429, on add) pushes the next poll back.
 */

export interface PollableAccount {
  id: string;
  /** Last successful fetch (epoch ms). */
  fetchedAt?: number;
}

export interface QuotaPollerOptions {
  clock: Clock;
  logger: Logger;
  random: () => number;
  intervalMs: () => number;
  /** Accounts worth polling now (enabled, signed in). */
  pollable(): PollableAccount[];
  poll(accountId: string): Promise<void>;
}

export interface QuotaPoller {
  stop(): void;
}

/** ±10 % around the interval. */
const JITTER = 0.1;
/** The loop never spins faster than this, whatever the schedule says. */
const MIN_TICK_MS = 1_000;

export function startQuotaPoller(options: QuotaPollerOptions): QuotaPoller {
  const { clock, logger } = options;
  const controller = new AbortController();
  const attemptedAt = new Map<string, number>();
  const factor = new Map<string, number>();

  const factorOf = (id: string): number => {
    let f = factor.get(id);
    if (f === undefined) {
      f = 1 - JITTER + 2 * JITTER * options.random();
      factor.set(id, f);
    }
    return f;
  };

  /** Never fetched: due at once. Otherwise the later of the last fetch and the last try, plus the jittered interval. */
  const dueAt = (account: PollableAccount): number => {
    const last = Math.max(account.fetchedAt ?? -Infinity, attemptedAt.get(account.id) ?? -Infinity);
    return last + options.intervalMs() * factorOf(account.id);
  };

  const loop = async () => {
    while (!controller.signal.aborted) {
      const now = clock.now();
      for (const account of options.pollable()) {
        if (controller.signal.aborted) return;
        if (dueAt(account) > now) continue;
        attemptedAt.set(account.id, clock.now());
        factor.delete(account.id);
        try {
          await options.poll(account.id);
        } catch (err) {
          logger.warn('quota poll failed', { accountId: account.id, error: (err as Error).message });
        }
      }
      const accounts = options.pollable();
      const next = Math.min(clock.now() + options.intervalMs(), ...accounts.map(dueAt));
      await clock.sleep(Math.max(MIN_TICK_MS, next - clock.now()), controller.signal);
    }
  };

  loop().catch((err) => {
    if (!controller.signal.aborted) logger.error('quota poller stopped', { error: (err as Error).message });
  });

  return { stop: () => controller.abort() };
}
