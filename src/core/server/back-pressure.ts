import type { ServerResponse } from 'node:http';

/**
 * Resolves when the client's socket takes more (`drain`), or when waiting is pointless (the socket closed, the
 * request was aborted): the one wait both the encoded answer and the passed-through bytes use, so a slow
 * client holds back the upstream instead of ballooning the gateway's memory.
 */
export function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
