/**
 * Waits for something that happens asynchronously (a file flushed, an event
 * handled) by checking it until it holds. The deadline is only a cap for a
 * broken build, generous enough for a loaded machine: a test never asserts
 * how long it took.
 */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, capMs = 10_000): Promise<void> {
  const deadline = Date.now() + capMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
