/**
 * Drives a running `bench/open-loop.mjs` child over IPC: one `run` message per load step, answered by its
 * `result` message. Resolves once the generator says it is ready.
 */
export async function openLoopClient(generator) {
  await new Promise((resolve) => generator.once('message', resolve));
  let nextId = 1;
  const pending = new Map();
  generator.on('message', (message) => {
    if (message.type === 'result') {
      pending.get(message.id)?.(message.result);
      pending.delete(message.id);
    }
  });
  return {
    /** Sends `target` at `rate` req/s for `durationMs` (after `warmupMs` unmeasured), waiting ≤ `drainMs` for stragglers. */
    run: (target, rate, durationMs, warmupMs, drainMs) =>
      new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        generator.send({ type: 'run', id, target: { url: target.url, body: target.body, headers: target.headers }, rate, durationMs, warmupMs, drainMs });
      }),
  };
}
