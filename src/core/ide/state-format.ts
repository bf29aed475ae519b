import { bytesField, concat, decodeBase64, encodeBase64, ProtobufError, readFields, stringField, textOf, varintField, type Field } from './protobuf';

/**
 * The Antigravity IDE's sign-in, as it keeps it in the `ItemTable` of its
 * `state.vscdb` (docs/antigravity-ide.md): the unified-state topic of IDE
 * 1.16.5 and later, and the single protobuf of earlier builds.
 */

export const STATE_KEYS = {
  /** base64(Topic): entries keyed `oauthTokenInfoSentinelKey` (the token) and `authStateWithContextSentinelKey`. */
  oauthToken: 'antigravityUnifiedStateSync.oauthToken',
  /** Before 1.16.5: base64(AgentManagerInitState), the token in field 6. */
  legacyInitState: 'jetskiStateSync.agentManagerInitState',
  /** JSON {name, email, apiKey}: what the IDE shows as the signed-in account. */
  authStatus: 'antigravityAuthStatus',
  /** base64(Topic) with entry `userStatusSentinelKey`; the plan, the model catalog, the email. */
  userStatus: 'antigravityUnifiedStateSync.userStatus',
  /** base64(Topic) with entry `enterpriseGcpProjectId`: the signed-in account's Cloud project. */
  enterprisePreferences: 'antigravityUnifiedStateSync.enterprisePreferences',
  onboarding: 'antigravityOnboarding',
} as const;

export const TOKEN_ENTRY = 'oauthTokenInfoSentinelKey';
export const USER_STATUS_ENTRY = 'userStatusSentinelKey';

export type StateFormat = 'unified' | 'legacy';

export interface OAuthTokenInfo {
  accessToken: string;
  tokenType: string;
  refreshToken: string;
  /** Epoch seconds. */
  expirySeconds?: number;
  idToken?: string;
  isGcpTos: boolean;
}

export class StateFormatError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StateFormatError';
  }
}

const wrap = <T>(what: string, run: () => T): T => {
  try {
    return run();
  } catch (err) {
    if (err instanceof ProtobufError) throw new StateFormatError(`${what}: ${err.message}`, { cause: err });
    throw err;
  }
};

const first = (fields: Field[], no: number) => fields.find((f) => f.no === no);

// ---- OAuthTokenInfo { 1 access_token; 2 token_type; 3 refresh_token; 4 Timestamp expiry; 5 id_token; 6 bool is_gcp_tos }

export function encodeTokenInfo(info: OAuthTokenInfo): Uint8Array {
  const parts = [stringField(1, info.accessToken), stringField(2, info.tokenType), stringField(3, info.refreshToken)];
  // Epoch seconds as a google.protobuf.Timestamp; an ISO string here breaks the IDE's language server.
  if (info.expirySeconds !== undefined) parts.push(bytesField(4, varintField(1, Math.floor(info.expirySeconds))));
  if (info.idToken) parts.push(stringField(5, info.idToken));
  if (info.isGcpTos) parts.push(varintField(6, 1));
  return concat(parts);
}

export function decodeTokenInfo(bytes: Uint8Array): OAuthTokenInfo {
  return wrap('the OAuth token message', () => {
    const fields = readFields(bytes);
    const accessToken = textOf(first(fields, 1));
    const refreshToken = textOf(first(fields, 3));
    if (accessToken === undefined && refreshToken === undefined) throw new StateFormatError('the OAuth token message holds no token');
    const info: OAuthTokenInfo = {
      accessToken: accessToken ?? '',
      tokenType: textOf(first(fields, 2)) ?? 'Bearer',
      refreshToken: refreshToken ?? '',
      isGcpTos: first(fields, 6)?.varint === 1n,
    };
    const expiry = first(fields, 4);
    if (expiry?.bytes) {
      const seconds = first(readFields(expiry.bytes), 1)?.varint;
      if (seconds !== undefined) info.expirySeconds = Number(seconds);
    }
    const idToken = textOf(first(fields, 5));
    if (idToken) info.idToken = idToken;
    return info;
  });
}

// ---- Topic { repeated Entry data = 1 }   Entry { string key = 1; Row value = 2 }   Row { string value = 1; int64 e_tag = 2 }

export interface TopicEntry {
  key: string;
  /** Row.value: base64 of the entry's payload. */
  value?: string;
  /** The entry exactly as it was on the wire, so entries we do not replace are written back unchanged. */
  raw: Uint8Array;
}

export function decodeTopic(text: string, what: string): TopicEntry[] {
  return wrap(what, () => {
    const topic = readFields(decodeBase64(text, what));
    return topic.map((field) => {
      if (field.no !== 1 || field.wire !== 2 || !field.bytes) throw new StateFormatError(`${what}: unexpected field ${field.no} in the topic`);
      const entry = readFields(field.bytes);
      const key = textOf(first(entry, 1));
      if (key === undefined) throw new StateFormatError(`${what}: a topic entry has no key`);
      const row = first(entry, 2);
      const value = row?.bytes ? textOf(first(readFields(row.bytes), 1)) : undefined;
      return value === undefined ? { key, raw: field.raw } : { key, value, raw: field.raw };
    });
  });
}

/** One topic entry holding `payload`; no `e_tag`, as no writer sets it. */
export function topicEntry(key: string, payload: Uint8Array): Uint8Array {
  return bytesField(1, concat([stringField(1, key), bytesField(2, stringField(1, encodeBase64(payload)))]));
}

/**
 * The topic with `key`'s entry replaced (in place, or appended when absent);
 * every other entry keeps its bytes and its position.
 */
export function mergeTopic(existing: TopicEntry[], key: string, payload: Uint8Array): string {
  const replacement = topicEntry(key, payload);
  let replaced = false;
  const parts = existing.map((entry) => {
    if (entry.key !== key) return entry.raw;
    if (replaced) return new Uint8Array(0); // a duplicate key: the IDE would keep one; we keep ours
    replaced = true;
    return replacement;
  });
  if (!replaced) parts.push(replacement);
  return encodeBase64(concat(parts));
}

export function entryPayload(entries: TopicEntry[], key: string, what: string): Uint8Array | undefined {
  const entry = entries.find((e) => e.key === key);
  if (!entry?.value) return undefined;
  return wrap(what, () => decodeBase64(entry.value as string, what));
}

// ---- Old format: AgentManagerInitState { 1 user_id; 2 email; …; 6 OAuthTokenInfo }

export interface LegacyInitState {
  userId?: string;
  email?: string;
  token?: OAuthTokenInfo;
}

export function decodeLegacyInitState(text: string): LegacyInitState {
  const what = `the ${STATE_KEYS.legacyInitState} value`;
  return wrap(what, () => {
    const fields = readFields(decodeBase64(text, what));
    const state: LegacyInitState = {};
    const userId = textOf(first(fields, 1));
    const email = textOf(first(fields, 2));
    if (userId) state.userId = userId;
    if (email) state.email = email;
    const token = first(fields, 6);
    if (token?.bytes && token.wire === 2) state.token = decodeTokenInfo(token.bytes);
    return state;
  });
}

/**
 * The old message with a new account: user id (1), email (2) and token (6)
 * are dropped — the IDE re-establishes the user id itself — and the new email
 * and token appended; every other field keeps its bytes.
 */
export function rewriteLegacyInitState(text: string, email: string, token: OAuthTokenInfo): string {
  const what = `the ${STATE_KEYS.legacyInitState} value`;
  return wrap(what, () => {
    const kept = readFields(decodeBase64(text, what)).filter((f) => f.no !== 1 && f.no !== 2 && f.no !== 6);
    return encodeBase64(concat([...kept.map((f) => f.raw), stringField(2, email), bytesField(6, encodeTokenInfo(token))]));
  });
}

// ---- userStatus payload: the email is field 7 (some writers also put it in 3)

export function userStatusEmail(text: string): string | undefined {
  const what = `the ${STATE_KEYS.userStatus} value`;
  const payload = entryPayload(decodeTopic(text, what), USER_STATUS_ENTRY, what);
  if (!payload) return undefined;
  return wrap(what, () => {
    const fields = readFields(payload);
    const email = textOf(first(fields, 7));
    return email && email.includes('@') ? email : undefined;
  });
}

export function authStatusEmail(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    const email = (parsed as { email?: unknown } | null)?.email;
    return typeof email === 'string' && email ? email : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `antigravityAuthStatus` for the new account: the existing JSON's other
 * members are kept; name, email and the access token are replaced.
 */
export function mergeAuthStatus(existing: string | undefined, email: string, accessToken: string): string {
  let base: Record<string, unknown> = {};
  if (existing) {
    try {
      const parsed: unknown = JSON.parse(existing);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) base = parsed as Record<string, unknown>;
    } catch {
      // Not JSON: replaced whole.
    }
  }
  return JSON.stringify({ ...base, name: email.split('@')[0], email, apiKey: accessToken });
}
