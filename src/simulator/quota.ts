/**
 * Per-model remainingFraction of one account (upstream-protocol §4): it falls with
 * each served generation and comes back to full when its window ends.
 */

interface Window {
  fraction: number;
  resetAt: number;
}

export class ModelQuota {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly initial: Readonly<Record<string, number>>,
    private readonly now: () => number,
  ) {}

  /** The current window of the model, rolled over if it has ended. */
  window(model: string, windowMs: number): Readonly<Window> {
    const now = this.now();
    let window = this.windows.get(model);
    if (!window) {
      window = { fraction: this.initial[model] ?? 1, resetAt: now + windowMs };
      this.windows.set(model, window);
    } else if (now >= window.resetAt) {
      window.fraction = 1;
      window.resetAt = now + windowMs;
    }
    return window;
  }

  consume(model: string, cost: number, windowMs: number): void {
    const window = this.window(model, windowMs) as Window;
    // Rounded so that a hundred uses of 0.01 reach exactly 0.
    window.fraction = Math.max(0, Math.round((window.fraction - cost) * 1e9) / 1e9);
  }

  /** Fractions of the models touched so far or given at creation. */
  snapshot(windowMs: number): Record<string, number> {
    const models = new Set([...Object.keys(this.initial), ...this.windows.keys()]);
    const result: Record<string, number> = {};
    for (const model of models) result[model] = this.window(model, windowMs).fraction;
    return result;
  }
}
