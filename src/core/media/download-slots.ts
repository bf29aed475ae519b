/**
 * The gateway-wide cap on media downloads in flight, shared by all requests,
 * so that many requests each within their own cap cannot together open an
 * unbounded number of downloads. Waiters are served in arrival order.
 */
export interface DownloadSlots {
  /** Resolves with the function that frees the slot; rejects with `signal.reason` if aborted while waiting. */
  acquire(signal?: AbortSignal): Promise<() => void>;
  /** Downloads holding a slot now. */
  readonly inUse: number;
}

/** `limit` is read at each acquisition, so a changed setting applies to the next download. */
export function createDownloadSlots(limit: () => number): DownloadSlots {
  let inUse = 0;
  const waiting: Array<() => void> = [];

  const releaser = () => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      inUse--;
      while (waiting.length > 0 && inUse < limit()) waiting.shift()?.();
    };
  };

  return {
    get inUse() {
      return inUse;
    },
    acquire(signal) {
      signal?.throwIfAborted();
      if (inUse < limit() && waiting.length === 0) {
        inUse++;
        return Promise.resolve(releaser());
      }
      return new Promise((resolve, reject) => {
        const grant = () => {
          signal?.removeEventListener('abort', onAbort);
          inUse++;
          resolve(releaser());
        };
        const onAbort = () => {
          const at = waiting.indexOf(grant);
          if (at >= 0) waiting.splice(at, 1);
          reject(signal?.reason);
        };
        waiting.push(grant);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}
