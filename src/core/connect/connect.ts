/**
 * Connecting a client: plan (each file before and after, with a diff to show),
 * apply (a backup of each file as it was before the first connect, then the
 * new content), and undo (the backup put back byte for byte, or the file
 * removed when there was none). Hosts (CLI, VS Code) only ask and report.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type { ConnectClient, ConnectEnvironment, ConnectValues } from './clients';
import { applySettings, SettingsFileError } from './documents';

/** Beside each file Agate changed: what it held before (`<file>.agate-backup`). */
export const BACKUP_SUFFIX = '.agate-backup';

interface Backup {
  version: 1;
  client: string;
  /** The file did not exist: undo removes it. */
  existed: boolean;
  /** The original bytes, base64. */
  content?: string;
  /** sha256 of what connect wrote, to tell the user on undo that the file changed since. */
  written: string;
}

export interface FilePlan {
  path: string;
  displayPath: string;
  /** Undefined: the file does not exist. */
  before?: string;
  after: string;
  changed: boolean;
  /** Unified diff, with the key masked. */
  diff: string;
}

export interface ConnectPlan {
  client: ConnectClient;
  files: FilePlan[];
  /** True when nothing would change (already connected with these values). */
  upToDate: boolean;
}

/** The files of the user running this process: what `agate connect` and the VS Code command write. */
export const ownerEnvironment = (): ConnectEnvironment => ({ home: os.homedir(), env: process.env });

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The key shown in diffs and messages: enough to recognise, not enough to use. */
export function maskKey(text: string, key: string): string {
  if (key.length < 12) return text;
  return text.split(key).join(`${key.slice(0, 6)}…${key.slice(-2)}`);
}

export async function planConnect(client: ConnectClient, values: ConnectValues, where: ConnectEnvironment): Promise<ConnectPlan> {
  const files: FilePlan[] = [];
  for (const definition of client.files) {
    const settings = definition.settings(values);
    if (settings.length === 0) continue;
    const file = definition.path(where);
    const before = (await readIfExists(file))?.toString('utf8');
    const after = applySettings(definition.format, before, settings, file);
    const changed = after !== before;
    const diff = changed
      ? maskKey(createTwoFilesPatch(file, file, before ?? '', after, before === undefined ? '(new file)' : 'now', 'after connect', { context: 3 }), values.key)
      : '';
    files.push({ path: file, displayPath: definition.displayPath, before, after, changed, diff });
  }
  return { client, files, upToDate: files.every((file) => !file.changed) };
}

/** Writes the plan's changed files; the first connect keeps the original in a backup that later connects leave alone. */
export async function applyConnect(plan: ConnectPlan): Promise<string[]> {
  const written: string[] = [];
  for (const file of plan.files) {
    if (!file.changed) continue;
    await fs.mkdir(path.dirname(file.path), { recursive: true });
    const backupFile = file.path + BACKUP_SUFFIX;
    const original = await readIfExists(file.path);
    const previous = await readBackup(backupFile);
    const backup: Backup = previous
      ? { ...previous, written: sha256(file.after) }
      : {
          version: 1,
          client: plan.client.id,
          existed: original !== undefined,
          ...(original ? { content: original.toString('base64') } : {}),
          written: sha256(file.after),
        };
    // The settings hold the key: readable by the user only, as the clients keep them.
    await writeAtomic(backupFile, JSON.stringify(backup, null, 2) + '\n', 0o600);
    const mode = original ? (await fs.stat(file.path)).mode & 0o777 : 0o600;
    await writeAtomic(file.path, file.after, mode);
    written.push(file.path);
  }
  return written;
}

export interface UndoResult {
  restored: string[];
  removed: string[];
  /** Files changed by someone else since connect: their later edits are gone with the undo. */
  changedSince: string[];
  /** No backup: nothing to undo for these. */
  missing: string[];
}

export async function undoConnect(client: ConnectClient, where: ConnectEnvironment): Promise<UndoResult> {
  const result: UndoResult = { restored: [], removed: [], changedSince: [], missing: [] };
  for (const definition of client.files) {
    const file = definition.path(where);
    const backupFile = file + BACKUP_SUFFIX;
    const backup = await readBackup(backupFile);
    if (!backup) {
      result.missing.push(file);
      continue;
    }
    const current = await readIfExists(file);
    if (current && sha256(current) !== backup.written) result.changedSince.push(file);
    if (backup.existed) {
      const mode = current ? (await fs.stat(file)).mode & 0o777 : 0o600;
      await writeAtomic(file, Buffer.from(backup.content ?? '', 'base64'), mode);
      result.restored.push(file);
    } else {
      await fs.rm(file, { force: true });
      result.removed.push(file);
    }
    await fs.rm(backupFile, { force: true });
  }
  return result;
}

/** Whether a file of the client still has the backup of its first connect: undo can restore it. */
export async function hasBackup(client: ConnectClient, where: ConnectEnvironment): Promise<boolean> {
  for (const definition of client.files) if ((await readIfExists(definition.path(where) + BACKUP_SUFFIX)) !== undefined) return true;
  return false;
}

async function readBackup(file: string): Promise<Backup | undefined> {
  const raw = await readIfExists(file);
  if (!raw) return undefined;
  let backup: Backup | undefined;
  try {
    backup = JSON.parse(raw.toString('utf8')) as Backup;
  } catch {
    backup = undefined;
  }
  if (backup?.version !== 1 || typeof backup.existed !== 'boolean')
    throw new SettingsFileError(`${file} is not a backup Agate can read; move it away to connect again`);
  return backup;
}

async function writeAtomic(file: string, content: string | Buffer, mode: number): Promise<void> {
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await fs.writeFile(temp, content, { mode });
  await fs.chmod(temp, mode);
  await fs.rename(temp, file);
}
