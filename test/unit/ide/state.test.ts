import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dbPathOf, type IdeInstallation } from '../../../src/core/ide/installations';
import type { ProcessTable } from '../../../src/core/ide/processes';
import { readState, StateDbError } from '../../../src/core/ide/state-db';
import { decodeLegacyInitState, decodeTokenInfo, decodeTopic, entryPayload, STATE_KEYS, TOKEN_ENTRY } from '../../../src/core/ide/state-format';
import {
  IDE_OAUTH_CLIENT_ID,
  IdeSwitchError,
  inspectInstallation,
  readSignIn,
  switchIdeAccount,
  undoIdeSwitch,
  type IdeCredentials,
} from '../../../src/core/ide/switcher';
import { buildStateDb, dumpRows, entry, legacyRows, unifiedRows, unifiedTopic, UNRELATED_ROWS } from '../../helpers/ide-fixtures';
import { systemClock, type Clock } from '../../../src/core/ports';
import { englishOf } from '../../../src/core/messages';

const NOW = 1_800_000_000_000;

const credentials = (over: Partial<IdeCredentials> = {}): IdeCredentials => ({
  email: 'new@example.com',
  accessToken: 'ya29.new-access',
  expiresAt: NOW + 3599_000,
  refreshToken: '1//new-refresh',
  clientId: IDE_OAUTH_CLIENT_ID,
  tier: 'free-tier',
  ...over,
});

/** No IDE process anywhere. */
const idle: ProcessTable = { list: async () => [], requestQuit: async () => undefined, launch: () => undefined };

describe('Antigravity IDE state: read, switch, undo (fixture databases)', () => {
  let dir: string;
  let installation: IdeInstallation;
  const clock: Clock = { now: () => NOW, sleep: systemClock.sleep };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agate-ide-'));
    const userDataDir = path.join(dir, 'Antigravity IDE');
    installation = { product: 'Antigravity IDE', userDataDir, dbPath: dbPathOf(userDataDir), source: 'given' };
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const doSwitch = (over: Partial<IdeCredentials> = {}) =>
    switchIdeAccount({ installation, credentials: credentials(over), table: idle, clock, confirmClose: async () => true });

  it('reads the account and format of both layouts', async () => {
    await buildStateDb(installation.dbPath, unifiedRows({ email: 'old@example.com' }));
    const report = await inspectInstallation(installation, { table: idle });
    assert.equal(report.state, 'signed-in');
    assert.deepEqual(report.signIn, { format: 'unified', email: 'old@example.com', tokenExpiresAt: 1_700_000_000_000 });

    await buildStateDb(installation.dbPath, legacyRows('legacy@example.com'));
    assert.deepEqual((await inspectInstallation(installation, { table: idle })).signIn, {
      format: 'legacy',
      email: 'legacy@example.com',
      tokenExpiresAt: 1_700_000_000_000,
    });
  });

  it("new format: writes the token entry, keeps the topic's other entry and every other key byte for byte", async () => {
    await buildStateDb(installation.dbPath, unifiedRows({ withLegacyRow: true }));
    const before = await dumpRows(installation.dbPath);
    const result = await doSwitch();
    assert.equal(result.format, 'unified');
    assert.equal(result.previousEmail, 'old@example.com');
    const after = await dumpRows(installation.dbPath);

    const entries = decodeTopic(after.get(STATE_KEYS.oauthToken) as string, 'topic');
    assert.deepEqual(
      entries.map((e) => e.key),
      ['authStateWithContextSentinelKey', TOKEN_ENTRY],
      'merged in place',
    );
    assert.deepEqual(Buffer.from(entries[0].raw), unifiedTopic().authStateEntry, 'the auth-state entry is unchanged');
    const token = decodeTokenInfo(entryPayload(entries, TOKEN_ENTRY, 'token') as Uint8Array);
    assert.deepEqual(token, {
      accessToken: 'ya29.new-access',
      tokenType: 'Bearer',
      refreshToken: '1//new-refresh',
      expirySeconds: (NOW + 3599_000) / 1000,
      isGcpTos: false,
    });

    assert.deepEqual(JSON.parse(after.get(STATE_KEYS.authStatus) as string), {
      name: 'new',
      email: 'new@example.com',
      apiKey: 'ya29.new-access',
      userStatusProtoBinaryBase64: 'AAAA',
    });
    assert.equal(after.get(STATE_KEYS.onboarding), 'true');
    assert.equal(after.has(STATE_KEYS.legacyInitState), false, 'the old row goes once the new one is written');
    assert.equal(after.has(STATE_KEYS.enterprisePreferences), false, "the previous account's project goes");
    for (const key of [...Object.keys(UNRELATED_ROWS), 'some.binary.value']) assert.equal(after.get(key), before.get(key), key);
    const managed = new Set<string>(Object.values(STATE_KEYS));
    assert.deepEqual([...after.keys()].filter((k) => !managed.has(k)).sort(), [...before.keys()].filter((k) => !managed.has(k)).sort());

    assert.equal((await inspectInstallation(installation, { table: idle })).signIn?.email, 'new@example.com');
  });

  it('matches entries by key whatever their order, and reads an unpadded inner value', async () => {
    await buildStateDb(installation.dbPath, unifiedRows({ tokenFirst: true, unpaddedInner: true }));
    assert.equal((await inspectInstallation(installation, { table: idle })).signIn?.tokenExpiresAt, 1_700_000_000_000);
    await doSwitch();
    const entries = decodeTopic((await dumpRows(installation.dbPath)).get(STATE_KEYS.oauthToken) as string, 'topic');
    assert.deepEqual(
      entries.map((e) => e.key),
      [TOKEN_ENTRY, 'authStateWithContextSentinelKey'],
    );
    assert.equal(decodeTokenInfo(entryPayload(entries, TOKEN_ENTRY, 't') as Uint8Array).refreshToken, '1//new-refresh');
  });

  it('old format: replaces email and token, drops the user id, keeps the other fields; both readers agree', async () => {
    await buildStateDb(installation.dbPath, legacyRows());
    const result = await doSwitch({ tier: 'standard-tier' });
    assert.equal(result.format, 'legacy');
    const legacyAfter = await dumpRows(installation.dbPath);
    const state = decodeLegacyInitState(legacyAfter.get(STATE_KEYS.legacyInitState) as string);
    assert.equal(state.userId, undefined);
    assert.equal(state.email, 'new@example.com');
    const raw = Buffer.from(legacyAfter.get(STATE_KEYS.legacyInitState) as string, 'base64');
    assert.ok(raw.includes(Buffer.from('kept-field-three')) && raw.includes(Buffer.from('kept-field-twelve')));

    const unifiedDir = path.join(dir, 'unified');
    const other: IdeInstallation = { ...installation, userDataDir: unifiedDir, dbPath: dbPathOf(unifiedDir) };
    await buildStateDb(other.dbPath, unifiedRows());
    await switchIdeAccount({ installation: other, credentials: credentials({ tier: 'standard-tier' }), table: idle, clock, confirmClose: async () => true });
    const unifiedAfter = await dumpRows(other.dbPath);
    const unifiedToken = decodeTokenInfo(entryPayload(decodeTopic(unifiedAfter.get(STATE_KEYS.oauthToken) as string, 't'), TOKEN_ENTRY, 't') as Uint8Array);
    assert.deepEqual(state.token, unifiedToken);
    assert.equal(unifiedToken.isGcpTos, true);
    assert.deepEqual(readSignIn((await readState(installation.dbPath)).rows), { ...readSignIn((await readState(other.dbPath)).rows), format: 'legacy' });
  });

  it('undo restores the file exactly and says so when the IDE changed it since', async () => {
    await buildStateDb(installation.dbPath, unifiedRows());
    const original = fs.readFileSync(installation.dbPath);
    await doSwitch();
    assert.notDeepEqual(fs.readFileSync(installation.dbPath), original);
    assert.equal((await inspectInstallation(installation, { table: idle })).undo?.previousEmail, 'old@example.com');
    const undone = await undoIdeSwitch({ installation, table: idle, clock, confirmClose: async () => true });
    assert.deepEqual(fs.readFileSync(installation.dbPath), original);
    assert.deepEqual(undone, { restoredEmail: 'old@example.com', changedSince: false, closed: false, relaunched: false });
    assert.equal(fs.existsSync(`${installation.dbPath}.agate-backup`), false);
    await assert.rejects(
      undoIdeSwitch({ installation, table: idle, clock, confirmClose: async () => true }),
      (err: unknown) => err instanceof IdeSwitchError && err.kind === 'no-backup',
    );

    await doSwitch();
    await buildStateDb(installation.dbPath, unifiedRows({ email: 'ide-wrote@example.com' }));
    assert.equal((await undoIdeSwitch({ installation, table: idle, clock, confirmClose: async () => true })).changedSince, true);
    assert.deepEqual(fs.readFileSync(installation.dbPath), original);
  });

  it("never reuses VS Code's own state.vscdb.backup", async () => {
    await buildStateDb(installation.dbPath, unifiedRows());
    fs.writeFileSync(`${installation.dbPath}.backup`, 'vscode');
    await doSwitch();
    assert.equal(fs.readFileSync(`${installation.dbPath}.backup`, 'utf8'), 'vscode');
    assert.ok(fs.existsSync(`${installation.dbPath}.agate-backup`));
  });

  it('keeps a WAL-mode file in WAL mode', async () => {
    await buildStateDb(installation.dbPath, unifiedRows(), { wal: true });
    await doSwitch();
    const bytes = fs.readFileSync(installation.dbPath);
    assert.deepEqual([bytes[18], bytes[19]], [2, 2]);
    assert.equal((await inspectInstallation(installation, { table: idle })).signIn?.email, 'new@example.com');
  });

  const unchangedAfterFailure = async (expected: (err: unknown) => boolean) => {
    const before = fs.readFileSync(installation.dbPath);
    await assert.rejects(doSwitch(), expected);
    assert.deepEqual(fs.readFileSync(installation.dbPath), before);
    assert.equal(fs.existsSync(`${installation.dbPath}.agate-backup`), false);
  };

  it('a corrupted database fails with a clear message and changes nothing', async () => {
    await buildStateDb(installation.dbPath, unifiedRows());
    const bytes = fs.readFileSync(installation.dbPath);
    bytes.fill(0x5a, 100, bytes.length - 10);
    fs.writeFileSync(installation.dbPath, bytes);
    await unchangedAfterFailure((err) => err instanceof StateDbError && err.kind === 'corrupt' && /damaged/.test(err.message));

    fs.writeFileSync(installation.dbPath, 'not a database at all, but long enough to have a header '.repeat(4));
    await unchangedAfterFailure((err) => err instanceof StateDbError && err.kind === 'corrupt' && /not a SQLite database/.test(err.message));
    assert.equal((await inspectInstallation(installation, { table: idle })).state, 'unreadable');
  });

  it('a garbled token topic fails with a clear message and changes nothing', async () => {
    await buildStateDb(installation.dbPath, { ...unifiedRows(), [STATE_KEYS.oauthToken]: Buffer.from([0x0a, 0x7f, 0x01]).toString('base64') });
    await unchangedAfterFailure((err) => err instanceof Error && /oauthToken value: field 1 claims/.test(err.message));
  });

  it("a locked database (a writer's journal or WAL) fails with a clear message and changes nothing", async () => {
    await buildStateDb(installation.dbPath, unifiedRows());
    for (const suffix of ['-journal', '-wal']) {
      fs.writeFileSync(installation.dbPath + suffix, 'x'.repeat(512));
      await unchangedAfterFailure((err) => err instanceof StateDbError && err.kind === 'locked' && err.message.includes(suffix));
      fs.rmSync(installation.dbPath + suffix);
    }
  });

  it('an installation without a sign-in in its database is not supported, and nothing is written', async () => {
    await buildStateDb(installation.dbPath, UNRELATED_ROWS);
    const report = await inspectInstallation(installation, { table: idle });
    assert.equal(report.state, 'unsupported');
    assert.match(englishOf(report.reason!), /OS keyring/);
    await unchangedAfterFailure((err) => err instanceof IdeSwitchError && err.kind === 'unsupported');
  });

  it('refuses tokens the IDE could not refresh, or that are about to expire', async () => {
    await buildStateDb(installation.dbPath, unifiedRows());
    await assert.rejects(
      doSwitch({ clientId: 'other.apps.googleusercontent.com' }),
      (err: unknown) => err instanceof IdeSwitchError && err.kind === 'credentials' && /oauth.clientId/.test(err.message),
    );
    await assert.rejects(doSwitch({ expiresAt: NOW + 60_000 }), /about to expire/);
  });

  it('a missing database is reported with what to do', async () => {
    const report = await inspectInstallation(installation, { table: idle });
    assert.equal(report.state, 'missing');
    assert.match(englishOf(report.reason!), /sign in once/);
  });

  it('entry helper sanity: an unknown topic field is an error, not a guess', () => {
    assert.throws(() => decodeTopic(Buffer.concat([entry('k', 'v'), Buffer.from([0x10, 0x01])]).toString('base64'), 'topic'), /unexpected field 2/);
  });
});
