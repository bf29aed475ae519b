import type { Clock } from '../ports';

/**
 * In-flight limits: per account, and per account × model (the scope in which
 * Cloud Code rate-limits, upstream-protocol §6). 0 means unlimited. Waiting is not
 * a FIFO queue: every release wakes the waiters, which then select again, so
 * a waiter can take any account that became free.
 */

export interface ConcurrencyLimits {
  perAccount: number;
  perAccountModel: number;
}

export interface Lease {
  /** Idempotent. */
  release(): void;
}

export interface ConcurrencyGate {
  tryAcquire(accountId: string, model: string): Lease | undefined;
  inFlight(accountId: string): number;
  /** Leases held now, over all accounts. */
  totalInFlight(): number;
  /** Resolves true when some lease was released, false at `deadline`; rejects when `signal` aborts. */
  waitForRelease(deadline: number, signal: AbortSignal): Promise<boolean>;
}

export function createConcurrencyGate(options: { limits: () => ConcurrencyLimits; clock: Clock }): ConcurrencyGate {
  const byAccount = new Map<string, number>();
  const byAccountModel = new Map<string, number>();
  const waiters = new Set<() => void>();

  const keyOf = (accountId: string, model: string) => `${accountId}\u0000${model}`;
  const bump = (map: Map<string, number>, key: string, delta: number) => {
    const next = (map.get(key) ?? 0) + delta;
    if (next <= 0) map.delete(key);
    else map.set(key, next);
  };
  const full = (count: number, limit: number) => limit > 0 && count >= limit;

  return {
    tryAcquire(accountId, model) {
      const { perAccount, perAccountModel } = options.limits();
      const key = keyOf(accountId, model);
      if (full(byAccount.get(accountId) ?? 0, perAccount) || full(byAccountModel.get(key) ?? 0, perAccountModel)) {
        return undefined;
      }
      bump(byAccount, accountId, 1);
      bump(byAccountModel, key, 1);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          bump(byAccount, accountId, -1);
          bump(byAccountModel, key, -1);
          for (const wake of [...waiters]) wake();
        },
      };
    },

    inFlight: (accountId) => byAccount.get(accountId) ?? 0,

    totalInFlight: () => [...byAccount.values()].reduce((sum, n) => sum + n, 0),

    async waitForRelease(deadline, signal) {
      signal.throwIfAborted();
      const ms = deadline - options.clock.now();
      if (ms <= 0) return false;
      const stopTimer = new AbortController();
      const onAbort = () => stopTimer.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      let wake!: () => void;
      const released = new Promise<boolean>((resolve) => (wake = () => resolve(true)));
      waiters.add(wake);
      try {
        const timedOut = options.clock.sleep(ms, stopTimer.signal).then(
          () => false,
          () => false,
        );
        const outcome = await Promise.race([released, timedOut]);
        signal.throwIfAborted();
        return outcome;
      } finally {
        waiters.delete(wake);
        stopTimer.abort();
        signal.removeEventListener('abort', onAbort);
      }
    },
  };
}
