import fs from 'node:fs/promises';
import path from 'node:path';

export interface RotatingFileOptions {
  /** The live file, e.g. `…/requests.jsonl`; rolled files are `requests.1.jsonl` (newest) … `requests.{maxFiles-1}.jsonl`. */
  file: string;
  /** A file is rolled before a line would take it past this size (a single larger line gets a file of its own). */
  maxBytes: number;
  /** Files kept, the live one included; the oldest is deleted on each roll. */
  maxFiles: number;
}

/** An append-only line file that rolls over by size. Appends must not overlap (the caller serialises them). */
export class RotatingFile {
  private size: number | undefined;

  constructor(private readonly options: RotatingFileOptions) {
    if (options.maxBytes < 1 || options.maxFiles < 1) throw new RangeError('maxBytes and maxFiles must be at least 1');
  }

  /** Every file of the set, newest first (missing ones included). */
  files(): string[] {
    const { file, maxFiles } = this.options;
    const extension = path.extname(file);
    const stem = file.slice(0, file.length - extension.length);
    return Array.from({ length: maxFiles }, (_, index) => (index === 0 ? file : `${stem}.${index}${extension}`));
  }

  /** Appends lines (without their newline), one write per file touched. */
  async append(lines: string[]): Promise<void> {
    this.size ??= await cutTornTail(this.options.file);
    let chunk = '';
    let chunkBytes = 0;
    for (const line of lines) {
      const bytes = Buffer.byteLength(line) + 1;
      if (this.size + chunkBytes + bytes > this.options.maxBytes && this.size + chunkBytes > 0) {
        await this.write(chunk, chunkBytes);
        await this.roll();
        chunk = '';
        chunkBytes = 0;
      }
      chunk += line + '\n';
      chunkBytes += bytes;
    }
    await this.write(chunk, chunkBytes);
  }

  private async write(chunk: string, bytes: number): Promise<void> {
    if (!chunk) return;
    try {
      await fs.appendFile(this.options.file, chunk, { mode: 0o600 });
    } catch (err) {
      // The folder is made on first use (or after someone removed it), not before every append.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await fs.mkdir(path.dirname(this.options.file), { recursive: true, mode: 0o700 });
      await fs.appendFile(this.options.file, chunk, { mode: 0o600 });
    }
    this.size = (this.size ?? 0) + bytes;
  }

  private async roll(): Promise<void> {
    const files = this.files();
    await fs.rm(files[files.length - 1], { force: true });
    for (let index = files.length - 1; index > 0; index--) await renameIfExists(files[index - 1], files[index]);
    this.size = 0;
  }
}

/**
 * A crash mid-append can leave half a line at the end of the file; cuts it off
 * (it cannot be parsed anyway) so that new lines are not glued to it. Returns
 * the size of the file after the cut.
 */
async function cutTornTail(file: string, chunkBytes = 64 * 1024): Promise<number> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  try {
    const { size } = await handle.stat();
    let end = size;
    const chunk = Buffer.alloc(chunkBytes);
    while (end > 0) {
      const length = Math.min(chunkBytes, end);
      await handle.read(chunk, 0, length, end - length);
      const newline = chunk.subarray(0, length).lastIndexOf(0x0a);
      if (newline >= 0) {
        end = end - length + newline + 1;
        break;
      }
      end -= length;
    }
    if (end < size) await handle.truncate(end);
    return end;
  } finally {
    await handle.close();
  }
}

async function renameIfExists(from: string, to: string): Promise<void> {
  try {
    await fs.rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
