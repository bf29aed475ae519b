import type { Clock, DocumentStore } from '../../../src/core/ports';

/** Documents kept as JSON text, so that tests can look at exactly what would be written to disk. */
export class MemoryDocuments implements DocumentStore {
  readonly texts = new Map<string, string>();
  async read<T>(name: string): Promise<T | undefined> {
    const text = this.texts.get(name);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }
  async write<T>(name: string, value: T): Promise<void> {
    this.texts.set(name, JSON.stringify(value));
  }
}

export class ManualClock implements Clock {
  constructor(public time = Date.UTC(2025, 0, 15, 10, 0, 0)) {}
  now(): number {
    return this.time;
  }
  async sleep(ms: number): Promise<void> {
    this.time += ms;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}
