import { systemClock, type Clock } from '../../src/core/ports';

/**
 * One clock for the gateway and the simulator in a test: real time plus an
 * offset the test moves forward, so "an hour later" (a token expired, a
 * cooldown over) takes no waiting and cannot be overtaken by a slow machine.
 * Sleeps stay real (queue timeouts and pollers rely on them) and are recorded,
 * so a test can tell whether the gateway chose to wait.
 */
export class TestClock implements Clock {
  private offsetMs = 0;
  /** Every sleep asked for, in milliseconds, in order. */
  readonly sleeps: number[] = [];

  readonly now = (): number => Date.now() + this.offsetMs;

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return systemClock.sleep(ms, signal);
  }

  /** Moves both sides' "now" forward at once. */
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
