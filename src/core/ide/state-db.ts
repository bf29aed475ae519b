import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Database, SqlJsStatic } from 'sql.js';

/**
 * The IDE's `state.vscdb` (SQLite, table `ItemTable(key, value)`), read and
 * written through sql.js: SQLite compiled to WebAssembly, so nothing is built
 * at install time and Node 20 (which has no `node:sqlite`) needs no flag. The
 * whole file is loaded, changed in one transaction, and written back by an
 * atomic rename — only while no process of the IDE has it open.
 */

export class StateDbError extends Error {
  constructor(
    readonly kind: 'missing' | 'locked' | 'corrupt' | 'changed' | 'io',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StateDbError';
  }
}

let engine: Promise<SqlJsStatic> | undefined;

/** Next to the bundle in dist/ (esbuild copies it), else from the package. */
function wasmPath(): string {
  const bundled = path.join(__dirname, 'sql-wasm.wasm');
  if (fs.existsSync(bundled)) return bundled;
  // Not a literal: the bundler must not try to bundle the .wasm (it is copied beside the bundle instead).
  const wasm = ['sql.js', 'dist', 'sql-wasm.wasm'].join('/');
  return require.resolve(wasm);
}

function sqlJs(): Promise<SqlJsStatic> {
  engine ??= (async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const init = require('sql.js') as (config: { wasmBinary: ArrayBuffer }) => Promise<SqlJsStatic>;
    const binary = await fs.promises.readFile(wasmPath());
    return init({ wasmBinary: binary.buffer.slice(binary.byteOffset, binary.byteOffset + binary.byteLength) as ArrayBuffer });
  })();
  engine.catch(() => (engine = undefined));
  return engine;
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

export interface StateSnapshot {
  /** Every ItemTable row, text as stored (BLOB values decoded as UTF-8). */
  rows: Map<string, string>;
  /** Of the file as read: a write refuses to go ahead if the file changed since. */
  sha256: string;
}

export interface StateChanges {
  set: Record<string, string>;
  delete: string[];
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * A leftover rollback journal or a non-empty write-ahead log means a writer
 * is active or was interrupted: the main file alone is not the whole state.
 */
function assertQuiescent(dbPath: string): void {
  for (const suffix of ['-journal', '-wal']) {
    let size: number;
    try {
      size = fs.statSync(dbPath + suffix).size;
    } catch {
      continue;
    }
    if (size > 0) {
      throw new StateDbError(
        'locked',
        `${path.basename(dbPath)}${suffix} exists (${size} bytes): the IDE (or another program) is writing the state database, or was stopped in the middle of a write. Start the IDE once and quit it normally, then try again.`,
      );
    }
  }
}

async function readBytes(dbPath: string): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(dbPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new StateDbError('missing', `${dbPath} does not exist: start the IDE and sign in once, then quit it`, { cause: err });
    if (code === 'EBUSY' || code === 'EPERM' || code === 'EACCES') {
      throw new StateDbError('locked', `${dbPath} cannot be read (${code}): is the IDE still running?`, { cause: err });
    }
    throw new StateDbError('io', `reading ${dbPath} failed: ${(err as Error).message}`, { cause: err });
  }
  if (bytes.length < 100 || !bytes.subarray(0, 16).equals(SQLITE_MAGIC)) {
    throw new StateDbError('corrupt', `${dbPath} is not a SQLite database (damaged?); nothing was changed`);
  }
  return bytes;
}

function open(SQL: SqlJsStatic, bytes: Uint8Array, dbPath: string): Database {
  let db: Database | undefined;
  try {
    db = new SQL.Database(bytes);
    const check = db.exec('PRAGMA quick_check');
    const verdict = check[0]?.values[0]?.[0];
    if (verdict !== 'ok') throw new Error(String(verdict ?? 'no answer'));
    const table = db.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ItemTable'");
    if (table.length === 0) throw new Error('it has no ItemTable');
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof StateDbError) throw err;
    throw new StateDbError('corrupt', `${dbPath} is damaged (${(err as Error).message}); nothing was changed`, { cause: err });
  }
}

const textOfValue = (value: unknown): string =>
  value instanceof Uint8Array ? new TextDecoder().decode(value) : value === null || value === undefined ? '' : String(value);

export async function readState(dbPath: string): Promise<StateSnapshot> {
  assertQuiescent(dbPath);
  const bytes = await readBytes(dbPath);
  const db = open(await sqlJs(), bytes, dbPath);
  try {
    const rows = new Map<string, string>();
    for (const [key, value] of db.exec('SELECT key, value FROM ItemTable')[0]?.values ?? []) rows.set(String(key), textOfValue(value));
    return { rows, sha256: sha256(bytes) };
  } finally {
    db.close();
  }
}

/**
 * Applies `changes` in one transaction and replaces the file atomically.
 * `expectedSha256` is the hash `readState` saw: a file changed since is not
 * overwritten. Returns the hash of the file written.
 */
export async function writeState(dbPath: string, changes: StateChanges, expectedSha256: string): Promise<string> {
  assertQuiescent(dbPath);
  const bytes = await readBytes(dbPath);
  if (sha256(bytes) !== expectedSha256) {
    throw new StateDbError('changed', `${dbPath} changed since it was read (is the IDE running?); nothing was changed`);
  }
  const db = open(await sqlJs(), bytes, dbPath);
  let out: Uint8Array;
  try {
    db.exec('BEGIN IMMEDIATE');
    try {
      // Values bound as text, as the IDE itself stores them.
      for (const [key, value] of Object.entries(changes.set)) db.run('INSERT OR REPLACE INTO ItemTable (key, value) VALUES (?, ?)', [key, value]);
      for (const key of changes.delete) db.run('DELETE FROM ItemTable WHERE key = ?', [key]);
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw new StateDbError('io', `writing ${dbPath} failed (${(err as Error).message}); nothing was changed`, { cause: err });
    }
    out = db.export();
  } finally {
    db.close();
  }
  // The journal mode is the IDE's business: a WAL-mode file stays one (header bytes 18 and 19).
  if (bytes[18] === 2 && bytes[19] === 2) {
    out[18] = 2;
    out[19] = 2;
  }
  await replaceFile(dbPath, out);
  return sha256(out);
}

/** Write beside, flush, rename over: a crash leaves the old file or the new one, never half of each. */
export async function replaceFile(file: string, bytes: Uint8Array): Promise<void> {
  const temp = `${file}.agate-tmp-${process.pid}`;
  const mode = (await fs.promises.stat(file).catch(() => undefined))?.mode;
  const handle = await fs.promises.open(temp, 'w', mode === undefined ? 0o600 : mode & 0o777);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.promises.rename(temp, file);
  } catch (err) {
    await fs.promises.rm(temp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    throw new StateDbError(
      code === 'EBUSY' || code === 'EPERM' ? 'locked' : 'io',
      `replacing ${file} failed (${code ?? (err as Error).message}): is the IDE still running?`,
      { cause: err },
    );
  }
}

export const fileSha256 = async (file: string): Promise<string> => sha256(await fs.promises.readFile(file));
