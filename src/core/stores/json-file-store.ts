import fs from 'node:fs/promises';
import path from 'node:path';
import type { DocumentStore } from '../ports';
import { writeFileAtomic } from './atomic-file';

/** JSON documents as files in one folder, each replaced atomically. */
export class JsonFileStore implements DocumentStore {
  /** Serialises writes per document so that the last write wins on disk too. */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(private readonly dir: string) {}

  private fileOf(name: string): string {
    if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`invalid document name "${name}"`);
    return path.join(this.dir, `${name}.json`);
  }

  async read<T>(name: string): Promise<T | undefined> {
    try {
      return JSON.parse(await fs.readFile(this.fileOf(name), 'utf8')) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`cannot read ${this.fileOf(name)}: ${(err as Error).message}`, { cause: err });
    }
  }

  write<T>(name: string, value: T): Promise<void> {
    const file = this.fileOf(name);
    const previous = this.queues.get(name) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n'));
    this.queues.set(name, next);
    return next;
  }
}
