import fs from 'node:fs';
import { defaultConfig } from '../config/defaults';
import { coreMessage, englishOf, textMessage, type CoreMessage } from '../messages';
import { systemClock, type Clock } from '../ports';
import type { IdeInstallation } from './installations';
import { closeInstallation, processesOf, relaunchOf, type ProcessInfo, type ProcessTable, type Relaunch, waitUntilGone } from './processes';
import { fileSha256, readState, replaceFile, StateDbError, writeState, type StateChanges } from './state-db';
import {
  authStatusEmail,
  decodeLegacyInitState,
  decodeTokenInfo,
  decodeTopic,
  entryPayload,
  mergeAuthStatus,
  mergeTopic,
  encodeTokenInfo,
  rewriteLegacyInitState,
  STATE_KEYS,
  StateFormatError,
  TOKEN_ENTRY,
  userStatusEmail,
  type OAuthTokenInfo,
  type StateFormat,
} from './state-format';

/**
 * Signing the Antigravity IDE into a pool account: read which account it uses,
 * close it (on the user's word), back up its state database under our own
 * name, write the new account's tokens in one transaction, start it again;
 * and undo. See docs/antigravity-ide.md for what is written and why.
 */

/** What the IDE gets: a fresh access token and a refresh token of the OAuth client the IDE itself uses. */
export interface IdeCredentials {
  email: string;
  accessToken: string;
  /** Epoch ms. */
  expiresAt: number;
  refreshToken: string;
  /** The OAuth client that issued the refresh token. */
  clientId: string;
  tier?: string;
}

export interface IdeSignIn {
  format: StateFormat;
  email?: string;
  /** Epoch ms. */
  tokenExpiresAt?: number;
}

export type InstallationState = 'signed-in' | 'missing' | 'unsupported' | 'unreadable';

export interface BackupInfo {
  backupPath: string;
  createdAt: number;
  previousEmail?: string;
  newEmail: string;
}

export interface InstallationReport {
  installation: IdeInstallation;
  state: InstallationState;
  signIn?: IdeSignIn;
  /** Why not signed-in: what to do about it, for the host to word. */
  reason?: CoreMessage;
  /** PIDs of the installation's processes, helpers included. */
  running: number[];
  /** Agate itself runs inside this installation (its extension host is one of those processes). */
  hostsUs: boolean;
  /** A switch that `undo` can revert. */
  undo?: BackupInfo;
}

export class IdeSwitchError extends Error {
  constructor(
    readonly kind: 'running' | 'declined' | 'unsupported' | 'credentials' | 'no-backup' | 'hosts-us',
    /** What went wrong, for the host to word (`message` is its English). */
    readonly detail: CoreMessage,
  ) {
    super(englishOf(detail));
    this.name = 'IdeSwitchError';
  }
}

/** The IDE refreshes with its own OAuth client; a refresh token of any other client stops working within the hour. */
export const IDE_OAUTH_CLIENT_ID = defaultConfig().oauth.clientId;
/** An access token handed over must stay valid at least this long. */
export const MIN_TOKEN_LIFETIME_MS = 10 * 60_000;

export const backupPathOf = (dbPath: string) => `${dbPath}.agate-backup`;
const metaPathOf = (dbPath: string) => `${dbPath}.agate-backup.json`;

interface BackupMeta extends BackupInfo {
  writtenSha256: string;
}

function readMeta(dbPath: string): BackupMeta | undefined {
  try {
    const meta = JSON.parse(fs.readFileSync(metaPathOf(dbPath), 'utf8')) as BackupMeta;
    return fs.existsSync(meta.backupPath) ? meta : undefined;
  } catch {
    return undefined;
  }
}

const UNSUPPORTED = coreMessage('ide.install.unsupported');

/** Which account the state rows say the IDE uses; throws StateFormatError on a layout we do not know. */
export function readSignIn(rows: ReadonlyMap<string, string>): IdeSignIn | undefined {
  const authEmail = rows.has(STATE_KEYS.authStatus) ? authStatusEmail(rows.get(STATE_KEYS.authStatus) as string) : undefined;
  const unified = rows.get(STATE_KEYS.oauthToken);
  if (unified !== undefined) {
    const what = `the ${STATE_KEYS.oauthToken} value`;
    const payload = entryPayload(decodeTopic(unified, what), TOKEN_ENTRY, what);
    const token = payload ? decodeTokenInfo(payload) : undefined;
    let email = authEmail;
    if (!email && rows.has(STATE_KEYS.userStatus)) {
      try {
        email = userStatusEmail(rows.get(STATE_KEYS.userStatus) as string);
      } catch {
        // The email is a convenience; the token is what matters.
      }
    }
    return { format: 'unified', ...(email ? { email } : {}), ...(token?.expirySeconds !== undefined ? { tokenExpiresAt: token.expirySeconds * 1000 } : {}) };
  }
  const legacy = rows.get(STATE_KEYS.legacyInitState);
  if (legacy !== undefined) {
    const state = decodeLegacyInitState(legacy);
    const email = state.email ?? authEmail;
    return {
      format: 'legacy',
      ...(email ? { email } : {}),
      ...(state.token?.expirySeconds !== undefined ? { tokenExpiresAt: state.token.expirySeconds * 1000 } : {}),
    };
  }
  return undefined;
}

/**
 * The rows to write for `credentials`. The format follows what the IDE has:
 * the unified-state row when it exists (IDE 1.16.5 and later), else the old
 * row. The token entry is merged into its topic by key; the topic's other
 * entries, and every key not named here, stay as they are.
 */
export function planChanges(rows: ReadonlyMap<string, string>, credentials: IdeCredentials): { format: StateFormat; changes: StateChanges } {
  const token: OAuthTokenInfo = {
    accessToken: credentials.accessToken,
    tokenType: 'Bearer',
    refreshToken: credentials.refreshToken,
    expirySeconds: Math.floor(credentials.expiresAt / 1000),
    // Set for Google Cloud (standard-tier) accounts only; consumer accounts refresh as the plain client.
    isGcpTos: credentials.tier === 'standard-tier',
  };
  const changes: StateChanges = { set: {}, delete: [] };
  changes.set[STATE_KEYS.authStatus] = mergeAuthStatus(rows.get(STATE_KEYS.authStatus), credentials.email, credentials.accessToken);
  changes.set[STATE_KEYS.onboarding] = 'true';
  // The previous account's Cloud project must not follow the sign-in to another account.
  if (rows.has(STATE_KEYS.enterprisePreferences)) changes.delete.push(STATE_KEYS.enterprisePreferences);
  const unified = rows.get(STATE_KEYS.oauthToken);
  if (unified !== undefined) {
    const what = `the ${STATE_KEYS.oauthToken} value`;
    changes.set[STATE_KEYS.oauthToken] = mergeTopic(decodeTopic(unified, what), TOKEN_ENTRY, encodeTokenInfo(token));
    // The old row's stale user id breaks the conversation history of the new format.
    if (rows.has(STATE_KEYS.legacyInitState)) changes.delete.push(STATE_KEYS.legacyInitState);
    return { format: 'unified', changes };
  }
  const legacy = rows.get(STATE_KEYS.legacyInitState);
  if (legacy === undefined) throw new IdeSwitchError('unsupported', coreMessage('ide.switch.unsupported', { why: UNSUPPORTED }));
  changes.set[STATE_KEYS.legacyInitState] = rewriteLegacyInitState(legacy, credentials.email, token);
  return { format: 'legacy', changes };
}

export interface IdeContext {
  table: ProcessTable;
  clock?: Clock;
  /** PIDs that never count as the IDE's (ours). */
  selfPids?: ReadonlySet<number>;
  /** Our own PID, to tell whether Agate runs inside the installation. */
  hostPid?: number;
}

/**
 * The installation's processes, never counting our own (a CLI run with `--user-data-dir` would match itself);
 * `hostsUs` when one of them is our ancestor: Agate runs in the IDE's extension host or in its terminal.
 */
function runningOf(installation: IdeInstallation, table: readonly ProcessInfo[], context: IdeContext) {
  const hostPid = context.hostPid ?? process.pid;
  const found = processesOf(installation, table, new Set([...(context.selfPids ?? []), process.pid, hostPid]));
  const byPid = new Map(table.map((p) => [p.pid, p]));
  const ids = new Set(found.all.map((p) => p.pid));
  let hostsUs = false;
  const seen = new Set<number>();
  for (let pid = byPid.get(hostPid)?.ppid; pid !== undefined && pid > 1 && !seen.has(pid); pid = byPid.get(pid)?.ppid) {
    seen.add(pid);
    if (ids.has(pid)) hostsUs = true;
  }
  return { found, hostsUs };
}

export async function inspectInstallation(installation: IdeInstallation, context: IdeContext): Promise<InstallationReport> {
  const { found, hostsUs } = runningOf(installation, await context.table.list(), context);
  const base = { installation, running: found.all.map((p) => p.pid), hostsUs };
  const meta = readMeta(installation.dbPath);
  const undo = meta
    ? {
        undo: {
          backupPath: meta.backupPath,
          createdAt: meta.createdAt,
          newEmail: meta.newEmail,
          ...(meta.previousEmail ? { previousEmail: meta.previousEmail } : {}),
        },
      }
    : {};
  if (!fs.existsSync(installation.dbPath)) {
    return { ...base, ...undo, state: 'missing', reason: coreMessage('ide.install.missing', { path: installation.dbPath }) };
  }
  try {
    const signIn = readSignIn((await readState(installation.dbPath)).rows);
    if (!signIn) return { ...base, ...undo, state: 'unsupported', reason: UNSUPPORTED };
    return { ...base, ...undo, state: 'signed-in', signIn };
  } catch (err) {
    if (err instanceof StateDbError || err instanceof StateFormatError) return { ...base, ...undo, state: 'unreadable', reason: textMessage(err.message) };
    throw err;
  }
}

export interface SwitchOptions extends IdeContext {
  installation: IdeInstallation;
  credentials: IdeCredentials;
  /** Asked when the IDE runs; resolves true to close it (gracefully) and go ahead. */
  confirmClose(report: { installation: IdeInstallation; running: number[] }): Promise<boolean>;
  /** Start the IDE again when we closed it (default true). */
  relaunch?: boolean;
  closeTimeoutMs?: number;
}

export interface SwitchResult {
  format: StateFormat;
  previousEmail?: string;
  email: string;
  backupPath: string;
  closed: boolean;
  relaunched: boolean;
}

export function checkCredentials(credentials: IdeCredentials, now: number): void {
  if (credentials.clientId !== IDE_OAUTH_CLIENT_ID) {
    throw new IdeSwitchError('credentials', coreMessage('ide.switch.wrongClient', { clientId: credentials.clientId }));
  }
  if (!credentials.refreshToken) throw new IdeSwitchError('credentials', coreMessage('ide.switch.noRefreshToken', { email: credentials.email }));
  if (credentials.expiresAt - now < MIN_TOKEN_LIFETIME_MS)
    throw new IdeSwitchError('credentials', coreMessage('ide.switch.tokenExpiring', { email: credentials.email }));
}

/** Backup, one-transaction write, and the record `undo` needs. The IDE must be closed. */
export async function writeSwitch(
  installation: IdeInstallation,
  credentials: IdeCredentials,
  now: number,
): Promise<Omit<SwitchResult, 'closed' | 'relaunched'>> {
  const snapshot = await readState(installation.dbPath);
  const previous = readSignIn(snapshot.rows);
  const { format, changes } = planChanges(snapshot.rows, credentials);
  const backupPath = backupPathOf(installation.dbPath);
  // Our own file name: VS Code restores `state.vscdb.backup` by itself when the database fails to open.
  await fs.promises.copyFile(installation.dbPath, backupPath);
  if ((await fileSha256(backupPath)) !== snapshot.sha256) {
    await fs.promises.rm(backupPath, { force: true });
    throw new StateDbError('changed', `${installation.dbPath} changed while it was backed up (is the IDE running?); nothing was changed`);
  }
  let writtenSha256: string;
  try {
    writtenSha256 = await writeState(installation.dbPath, changes, snapshot.sha256);
  } catch (err) {
    await fs.promises.rm(backupPath, { force: true });
    throw err;
  }
  const meta: BackupMeta = {
    backupPath,
    createdAt: now,
    newEmail: credentials.email,
    writtenSha256,
    ...(previous?.email ? { previousEmail: previous.email } : {}),
  };
  await fs.promises.writeFile(metaPathOf(installation.dbPath), JSON.stringify(meta, null, 2), { mode: 0o600 });
  return { format, email: credentials.email, backupPath, ...(previous?.email ? { previousEmail: previous.email } : {}) };
}

/** Runs `body` with the installation closed: asks, closes gracefully, verifies, and starts it again afterwards. */
async function withIdeClosed<T>(
  options: Omit<SwitchOptions, 'credentials'>,
  body: () => Promise<T>,
): Promise<{ value: T; closed: boolean; relaunched: boolean }> {
  const clock = options.clock ?? systemClock;
  const { installation, table } = options;
  const { found, hostsUs } = runningOf(installation, await table.list(), options);
  let relaunches: Relaunch[] = [];
  if (found.all.length > 0) {
    if (hostsUs) {
      throw new IdeSwitchError('hosts-us', coreMessage('ide.switch.hostsUs', { product: installation.product, dir: installation.userDataDir }));
    }
    if (!(await options.confirmClose({ installation, running: found.all.map((p) => p.pid) }))) {
      throw new IdeSwitchError('declined', coreMessage('ide.switch.declined', { product: installation.product, pids: found.all.map((p) => p.pid).join(', ') }));
    }
    relaunches = await closeInstallation(installation, {
      table,
      clock,
      timeoutMs: options.closeTimeoutMs,
      exclude: new Set([...(options.selfPids ?? []), process.pid]),
    });
  }
  const closed = relaunches.length > 0;
  const relaunch = closed && options.relaunch !== false;
  try {
    return { value: await body(), closed, relaunched: relaunch };
  } finally {
    // Started again even when the write failed: the user gets the IDE back as it was.
    if (relaunch) for (const command of relaunches) table.launch(command.command, command.args);
  }
}

export async function switchIdeAccount(options: SwitchOptions): Promise<SwitchResult> {
  const clock = options.clock ?? systemClock;
  checkCredentials(options.credentials, clock.now());
  const { value, closed, relaunched } = await withIdeClosed(options, () => writeSwitch(options.installation, options.credentials, clock.now()));
  return { ...value, closed, relaunched };
}

export interface UndoResult {
  restoredEmail?: string;
  /** The database changed after our switch (the IDE ran): those changes are undone too. */
  changedSince: boolean;
  closed: boolean;
  relaunched: boolean;
}

/** Puts back the database exactly as it was before the last switch. */
export async function undoIdeSwitch(options: Omit<SwitchOptions, 'credentials'>): Promise<UndoResult> {
  const { installation } = options;
  const meta = readMeta(installation.dbPath);
  if (!meta) throw new IdeSwitchError('no-backup', coreMessage('ide.switch.noBackup', { product: installation.product, dir: installation.userDataDir }));
  const { value, closed, relaunched } = await withIdeClosed(options, async () => {
    const changedSince = fs.existsSync(installation.dbPath) ? (await fileSha256(installation.dbPath)) !== meta.writtenSha256 : true;
    await replaceFile(installation.dbPath, await fs.promises.readFile(meta.backupPath));
    await fs.promises.rm(metaPathOf(installation.dbPath), { force: true });
    await fs.promises.rm(meta.backupPath, { force: true });
    return changedSince;
  });
  return { changedSince: value, closed, relaunched, ...(meta.previousEmail ? { restoredEmail: meta.previousEmail } : {}) };
}

// ---- Agate inside the IDE: a detached helper does the switch once the IDE has quit.

export interface DeferredSwitchJob {
  installation: IdeInstallation;
  credentials: IdeCredentials;
  /** How to start the IDE again: the command lines of its instances now. */
  relaunches: Relaunch[];
  /** How long the helper waits for the user to quit the IDE. */
  waitMs: number;
}

/** What the helper needs, taken while the IDE (and Agate in it) still runs. */
export async function prepareDeferredSwitch(
  installation: IdeInstallation,
  credentials: IdeCredentials,
  context: IdeContext & { waitMs?: number },
): Promise<DeferredSwitchJob> {
  const clock = context.clock ?? systemClock;
  checkCredentials(credentials, clock.now());
  // The layout is checked now, so the user is not asked to quit for a switch that cannot happen.
  planChanges((await readState(installation.dbPath)).rows, credentials);
  const { found } = runningOf(installation, await context.table.list(), context);
  return { installation, credentials, relaunches: found.mains.map((main) => relaunchOf(main, installation)), waitMs: context.waitMs ?? 10 * 60_000 };
}

/** The helper's work: wait until every process of the IDE is gone, write, start it again. */
export async function runDeferredSwitch(job: DeferredSwitchJob, context: IdeContext): Promise<SwitchResult> {
  const clock = context.clock ?? systemClock;
  await waitUntilGone(job.installation, { table: context.table, clock, timeoutMs: job.waitMs, exclude: new Set([...(context.selfPids ?? []), process.pid]) });
  try {
    const written = await writeSwitch(job.installation, job.credentials, clock.now());
    return { ...written, closed: true, relaunched: job.relaunches.length > 0 };
  } finally {
    for (const relaunch of job.relaunches) context.table.launch(relaunch.command, relaunch.args);
  }
}
