/** The request log tests assert on: bounded, live entries, and a way to wait for one. */
import type { LogEntry } from './types';

interface Waiter {
  predicate: (entry: LogEntry) => boolean;
  resolve: (entry: LogEntry) => void;
}

export class RequestLog {
  readonly entries: LogEntry[] = [];
  private nextId = 1;
  private waiters: Waiter[] = [];

  constructor(private readonly maxEntries: number) {}

  start(fields: Pick<LogEntry, 'time' | 'label' | 'method' | 'stream' | 'body'>): LogEntry {
    const entry: LogEntry = { id: this.nextId++, ...fields, status: 0, aborted: false, frames: 0 };
    this.entries.push(entry);
    // Trim in batches: one splice per tenth of the cap keeps appends O(1) amortised.
    if (this.entries.length > this.maxEntries + Math.ceil(this.maxEntries / 10)) {
      this.entries.splice(0, this.entries.length - this.maxEntries);
    }
    return entry;
  }

  /** Call after an entry changed, so that waiters see it. */
  changed(entry: LogEntry): void {
    if (this.waiters.length === 0) return;
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.predicate(entry)) return true;
      waiter.resolve(entry);
      return false;
    });
  }

  waitFor(predicate: (entry: LogEntry) => boolean, timeoutMs: number): Promise<LogEntry> {
    const present = this.entries.find(predicate);
    if (present) return Promise.resolve(present);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== entryWaiter);
        reject(new Error(`no simulator log entry matched within ${timeoutMs} ms`));
      }, timeoutMs);
      const entryWaiter: Waiter = {
        predicate,
        resolve: (entry) => {
          clearTimeout(timer);
          resolve(entry);
        },
      };
      this.waiters.push(entryWaiter);
    });
  }

  clear(): void {
    this.entries.length = 0;
  }
}
