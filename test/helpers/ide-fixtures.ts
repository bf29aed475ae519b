import fs from 'node:fs';
import path from 'node:path';
import initSqlJs from 'sql.js';

/**
 * Antigravity IDE state databases built from the documented layout
 * (docs/antigravity-ide.md), with an encoder of its own so the readers under
 * test are not checked against themselves.
 */

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) byte |= 0x80;
    out.push(byte);
  } while (v > 0);
  return out;
}

export const len = (no: number, payload: Buffer | string): Buffer => {
  const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Buffer.concat([Buffer.from([...varint((no << 3) | 2), ...varint(bytes.length)]), bytes]);
};
export const num = (no: number, value: number): Buffer => Buffer.from([...varint(no << 3), ...varint(value)]);

export interface FixtureToken {
  access: string;
  refresh: string;
  expirySeconds: number;
  gcpTos?: boolean;
}

export const tokenMessage = (t: FixtureToken): Buffer =>
  Buffer.concat([
    len(1, t.access),
    len(2, 'Bearer'),
    len(3, t.refresh),
    len(4, Buffer.concat([num(1, t.expirySeconds), num(2, 0)])),
    ...(t.gcpTos ? [num(6, 1)] : []),
  ]);

/** Entry { key = 1; Row { value = 1 } = 2 } */
export const entry = (key: string, rowValue: string): Buffer => len(1, Buffer.concat([len(1, key), len(2, len(1, rowValue))]));

export const b64 = (bytes: Buffer) => bytes.toString('base64');

export const AUTH_STATE_JSON = '{"state":"signedIn","context":{"userId":"u-old-123"}}';

export interface UnifiedFixtureOptions {
  email?: string;
  token?: FixtureToken;
  /** The IDE build's order: the auth-state entry first (default) or the token first. */
  tokenFirst?: boolean;
  /** Inner row value unpadded, as one real store had it. */
  unpaddedInner?: boolean;
  withLegacyRow?: boolean;
}

export const OLD_TOKEN: FixtureToken = { access: 'ya29.old-access', refresh: '1//old-refresh', expirySeconds: 1_700_000_000 };

export function unifiedTopic(options: UnifiedFixtureOptions = {}): { value: string; authStateEntry: Buffer } {
  const tokenPayload = b64(tokenMessage(options.token ?? OLD_TOKEN));
  const tokenEntry = entry('oauthTokenInfoSentinelKey', options.unpaddedInner ? tokenPayload.replace(/=+$/, '') : tokenPayload);
  const authStateEntry = entry('authStateWithContextSentinelKey', b64(Buffer.from(AUTH_STATE_JSON)));
  const entries = options.tokenFirst ? [tokenEntry, authStateEntry] : [authStateEntry, tokenEntry];
  return { value: b64(Buffer.concat(entries)), authStateEntry };
}

export function legacyInitState(email: string, token: FixtureToken = OLD_TOKEN): string {
  return b64(
    Buffer.concat([len(1, 'user-old-42'), len(2, email), len(3, 'kept-field-three'), num(9, 300), len(6, tokenMessage(token)), len(12, 'kept-field-twelve')]),
  );
}

/** Rows every fixture has that a switch must leave alone, including a BLOB value. */
export const UNRELATED_ROWS: Record<string, string> = {
  'storage.serviceMachineId': '5b0e1c1e-0000-4000-8000-00000000abcd',
  'workbench.panel.chat.numberOfVisibleViews': '1',
  'antigravityUnifiedStateSync.overrideStore': b64(entry('secureModeEnabledSentinelKey', b64(num(1, 1)))),
  'antigravityUnifiedStateSync.userStatus': b64(entry('userStatusSentinelKey', b64(Buffer.concat([num(2, 1), len(3, 'Pro'), len(7, 'old@example.com')])))),
  'google.antigravity': '{"some":"state"}',
};

/** The engine with its WebAssembly read from the package (the extension-host suite runs these helpers bundled). */
const sqlJs = () => initSqlJs({ wasmBinary: toArrayBuffer(fs.readFileSync(require.resolve(['sql.js', 'dist', 'sql-wasm.wasm'].join('/')))) });
const toArrayBuffer = (bytes: Buffer) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

export async function buildStateDb(file: string, rows: Record<string, string>, options: { wal?: boolean } = {}): Promise<void> {
  const SQL = await sqlJs();
  const db = new SQL.Database();
  // As VS Code creates it.
  db.exec('CREATE TABLE IF NOT EXISTS ItemTable (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB); PRAGMA user_version = 1;');
  for (const [key, value] of Object.entries(rows)) db.run('INSERT INTO ItemTable (key, value) VALUES (?, ?)', [key, value]);
  db.run('INSERT INTO ItemTable (key, value) VALUES (?, ?)', ['some.binary.value', new Uint8Array([0, 1, 2, 250, 251])]);
  const bytes = db.export();
  db.close();
  if (options.wal) {
    bytes[18] = 2;
    bytes[19] = 2;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
}

export function unifiedRows(options: UnifiedFixtureOptions = {}): Record<string, string> {
  const email = options.email ?? 'old@example.com';
  return {
    ...UNRELATED_ROWS,
    'antigravityUnifiedStateSync.oauthToken': unifiedTopic(options).value,
    antigravityAuthStatus: JSON.stringify({ name: 'Old User', email, apiKey: 'ya29.old-access', userStatusProtoBinaryBase64: 'AAAA' }),
    antigravityOnboarding: 'true',
    'antigravityUnifiedStateSync.enterprisePreferences': b64(entry('enterpriseGcpProjectId', b64(len(3, 'old-project-1')))),
    ...(options.withLegacyRow ? { 'jetskiStateSync.agentManagerInitState': legacyInitState(email) } : {}),
  };
}

export function legacyRows(email = 'old@example.com'): Record<string, string> {
  return { ...UNRELATED_ROWS, 'jetskiStateSync.agentManagerInitState': legacyInitState(email) };
}

/** Every row of a state DB, values as stored (BLOBs as hex, to compare exactly). */
export async function dumpRows(file: string): Promise<Map<string, string>> {
  const SQL = await sqlJs();
  const db = new SQL.Database(fs.readFileSync(file));
  try {
    const rows = new Map<string, string>();
    for (const [key, value] of db.exec('SELECT key, value FROM ItemTable')[0]?.values ?? []) {
      rows.set(String(key), value instanceof Uint8Array ? `blob:${Buffer.from(value).toString('hex')}` : String(value));
    }
    return rows;
  } finally {
    db.close();
  }
}
