// Undo actions for everything a test run starts, run once in reverse order of registration — whether the run
// ends, fails, or is interrupted by a signal while it is still starting things.
export type Cleanup = () => Promise<void> | void;

export class CleanupStack {
  private readonly cleanups: Cleanup[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly onError: (error: unknown) => void) {}

  /** Registers `cleanup`; if the stack is already unwinding (a signal came mid-start), runs it right away. */
  add(cleanup: Cleanup): void {
    if (this.running) {
      this.running = this.running.then(() => this.runOne(cleanup));
    } else {
      this.cleanups.push(cleanup);
    }
  }

  /** Runs every cleanup, newest first; later calls return the same promise. */
  unwind(): Promise<void> {
    this.running ??= (async () => {
      for (const cleanup of this.cleanups.splice(0).reverse()) await this.runOne(cleanup);
    })();
    return this.running;
  }

  private async runOne(cleanup: Cleanup): Promise<void> {
    try {
      await cleanup();
    } catch (error) {
      this.onError(error);
    }
  }
}
