import fs from 'node:fs/promises';

const NEWLINE = 0x0a;

/**
 * The last `maxLines` non-empty lines of a file, newest first, read backwards
 * in chunks so that a large log costs only its tail. A missing file has none.
 * Splitting on the newline byte is safe in UTF-8: it never occurs inside a
 * multi-byte character.
 */
export async function readLastLines(file: string, maxLines: number, chunkBytes = 64 * 1024): Promise<string[]> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  try {
    const lines: string[] = [];
    let position = (await handle.stat()).size;
    let carry = Buffer.alloc(0); // the start of a line whose beginning lies further back
    while (position > 0 && lines.length < maxLines) {
      const length = Math.min(chunkBytes, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      await handle.read(chunk, 0, length, position);
      const buffer = Buffer.concat([chunk, carry]);
      let end = buffer.length;
      for (let index = buffer.length - 1; index >= 0 && lines.length < maxLines; index--) {
        if (buffer[index] !== NEWLINE) continue;
        if (end > index + 1) lines.push(buffer.toString('utf8', index + 1, end));
        end = index;
      }
      carry = buffer.subarray(0, end);
    }
    if (position === 0 && carry.length > 0 && lines.length < maxLines) lines.push(carry.toString('utf8'));
    return lines;
  } finally {
    await handle.close();
  }
}
