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

/**
 * Team mode: the same limits across the instances (src/core/team/semaphore.ts), with leases that expire so
 * that a crashed instance cannot hold slots. Absent: the limits are this instance's alone.
 */
export interface SharedSlots {
  /** A slot on the account and on the account × model; false when either is full; undefined when unreachable. */
  acquire(accountId: string, model: string, limits: ConcurrencyLimits): Promise<Lease | false | undefined>;
  /** Calls `listener` when another instance frees a slot; returns the unsubscribe. */
  onRelease(listener: () => void): () => void;
}

export interface ConcurrencyGate {
  /** Asynchronous only in team mode (one Redis round trip); the local limits are checked before it. */
  tryAcquire(accountId: string, model: string): Promise<Lease | undefined>;
  inFlight(accountId: string): number;
  /** Leases held now, over all accounts. */
  totalInFlight(): number;
  /** Resolves true when some lease was released, false at `deadline`; rejects when `signal` aborts. */
  waitForRelease(deadline: number, signal: AbortSignal): Promise<boolean>;
}

export function createConcurrencyGate(options: { limits: () => ConcurrencyLimits; clock: Clock; shared?: SharedSlots }): ConcurrencyGate {
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
  const wakeAll = () => {
    for (const wake of [...waiters]) wake();
  };
  // A slot freed on another instance may be the one a request here waits for.
  options.shared?.onRelease(wakeAll);

  return {
    async tryAcquire(accountId, model) {
      const limits = options.limits();
      const key = keyOf(accountId, model);
      if (full(byAccount.get(accountId) ?? 0, limits.perAccount) || full(byAccountModel.get(key) ?? 0, limits.perAccountModel)) {
        return undefined;
      }
      // Counted here before the team is asked: two requests of this instance never race for the last slot.
      bump(byAccount, accountId, 1);
      bump(byAccountModel, key, 1);
      let released = false;
      let teamSlot: Lease | undefined;
      const lease: Lease = {
        release() {
          if (released) return;
          released = true;
          bump(byAccount, accountId, -1);
          bump(byAccountModel, key, -1);
          teamSlot?.release();
          wakeAll();
        },
      };
      // Unlimited needs no team round trip; an unreachable team leaves the local limits alone in charge.
      if (!options.shared || (limits.perAccount === 0 && limits.perAccountModel === 0)) return lease;
      const slot = await options.shared.acquire(accountId, model, limits);
      if (slot === false) {
        // Undone without waking the waiters: nothing was freed, and waking them would spin them on the full team.
        released = true;
        bump(byAccount, accountId, -1);
        bump(byAccountModel, key, -1);
        return undefined;
      }
      teamSlot = slot;
      return lease;
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
