import { GatewayError, invalidRequest } from '../errors';
import { redactor } from '../logging/redactor';
import type { Clock, DocumentStore } from '../ports';
import { hashSecret, issueClientKey, newKeyId, parseClientKey, secretMatches } from './key-material';

/** Optional ceilings of one client key; an absent field means no limit. Windows are calendar minutes and UTC days. */
export interface KeyLimits {
  requestsPerMinute?: number;
  requestsPerDay?: number;
  /** Input + output tokens. A request is refused once the window's total has reached the limit. */
  tokensPerMinute?: number;
  tokensPerDay?: number;
  /** Requests of this key in flight at once; the next one gets 429 at once. */
  maxConcurrent?: number;
}

export const LIMIT_FIELDS = ['requestsPerMinute', 'requestsPerDay', 'tokensPerMinute', 'tokensPerDay', 'maxConcurrent'] as const;

export interface ClientKeyInput {
  name: string;
  /** Client model ids this key may call; `prefix*` matches by prefix. Absent: every model. */
  allowedModels?: string[];
  limits?: KeyLimits;
}

/** What anyone may see about a key: never the key itself. */
export interface ClientKeyInfo {
  id: string;
  name: string;
  /** `sk-agate-<id>_…` and the last four characters, to tell keys apart. */
  hint: string;
  createdAt: number;
  rotatedAt?: number;
  allowedModels?: string[];
  limits: KeyLimits;
}

/** Returned once, on creation or rotation. */
export interface IssuedClientKey {
  id: string;
  key: string;
}

interface StoredClientKey extends ClientKeyInfo {
  salt: string;
  hash: string;
}

interface KeysDocument {
  version: 1;
  keys: StoredClientKey[];
}

export const CLIENT_KEYS_DOCUMENT = 'client-keys';
/** Names shown for requests made with the primary key (token stats, monitor). */
export const PRIMARY_KEY_NAME = 'primary';
/**
 * Rereads of the document, at most this often. Only the data dir's owner writes it (`agate keys …` beside a
 * running gateway go through its admin API), so a reread finds only a hand edit.
 */
const RELOAD_AFTER_MS = 2_000;

/**
 * Named client keys kept hashed in the DocumentStore. Changes are serialised
 * and written at once; `verify` is the hot path (one SHA-256 and a map lookup).
 */
export class ClientKeys {
  private keys = new Map<string, StoredClientKey>();
  private loadedAt = -Infinity;
  private loading: Promise<void> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly documents: DocumentStore,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<ClientKeyInfo[]> {
    await this.fresh();
    return [...this.keys.values()].map(publicView).sort((a, b) => a.createdAt - b.createdAt);
  }

  async get(id: string): Promise<ClientKeyInfo | undefined> {
    await this.fresh();
    const stored = this.keys.get(id);
    return stored && publicView(stored);
  }

  create(input: ClientKeyInput): Promise<IssuedClientKey> {
    return this.change(() => {
      const name = validName(input.name);
      if ([...this.keys.values()].some((key) => key.name.toLowerCase() === name.toLowerCase())) {
        throw invalidRequest(`A client key named "${name}" already exists`, 'name');
      }
      let id = newKeyId();
      while (this.keys.has(id)) id = newKeyId();
      const issued = issueClientKey(id);
      const stored: StoredClientKey = {
        id,
        name,
        hint: hintOf(issued.key),
        createdAt: this.clock.now(),
        ...(input.allowedModels ? { allowedModels: validModels(input.allowedModels) } : {}),
        limits: validLimits(input.limits ?? {}),
        salt: issued.salt,
        hash: issued.hash,
      };
      this.keys.set(id, stored);
      redactor.add(issued.key);
      return { id, key: issued.key };
    });
  }

  /** Changes allowed models or limits; `null` clears a field. */
  update(id: string, change: { allowedModels?: string[] | null; limits?: KeyLimits }): Promise<ClientKeyInfo> {
    return this.change(() => {
      const stored = this.existing(id);
      if (change.allowedModels === null) delete stored.allowedModels;
      else if (change.allowedModels) stored.allowedModels = validModels(change.allowedModels);
      if (change.limits) stored.limits = validLimits(change.limits);
      return publicView(stored);
    });
  }

  /** The old secret stops working at once; id, name, models and limits stay. */
  rotate(id: string): Promise<IssuedClientKey> {
    return this.change(() => {
      const stored = this.existing(id);
      const issued = issueClientKey(id);
      Object.assign(stored, { salt: issued.salt, hash: issued.hash, hint: hintOf(issued.key), rotatedAt: this.clock.now() });
      redactor.add(issued.key);
      return { id, key: issued.key };
    });
  }

  revoke(id: string): Promise<void> {
    return this.change(() => {
      this.existing(id);
      this.keys.delete(id);
    });
  }

  /** The key a presented value belongs to, compared in constant time; undefined when none. */
  async verify(presented: string): Promise<ClientKeyInfo | undefined> {
    await this.fresh();
    const parsed = parseClientKey(presented);
    const stored = parsed && this.keys.get(parsed.id);
    if (!parsed || !stored) {
      // Same work as a hit, so that timing does not tell which ids exist.
      hashSecret('00', presented);
      return undefined;
    }
    return secretMatches(parsed.secret, stored.salt, stored.hash) ? publicView(stored) : undefined;
  }

  private existing(id: string): StoredClientKey {
    const stored = this.keys.get(id);
    if (!stored) throw new GatewayError('not_found', `No client key with id "${id}"`);
    return stored;
  }

  /** Applies a change to the freshest document and writes it. */
  private change<T>(apply: () => T): Promise<T> {
    return this.serially(async () => {
      await this.reload();
      const result = apply();
      await this.documents.write<KeysDocument>(CLIENT_KEYS_DOCUMENT, { version: 1, keys: [...this.keys.values()] });
      return result;
    });
  }

  private async fresh(): Promise<void> {
    if (this.clock.now() - this.loadedAt < RELOAD_AFTER_MS) return;
    this.loading ??= this.serially(() => this.reload()).finally(() => (this.loading = undefined));
    await this.loading;
  }

  /** Reloads and changes one at a time, so that a reload never undoes a change made meanwhile. */
  private serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async reload(): Promise<void> {
    const document = await this.documents.read<KeysDocument>(CLIENT_KEYS_DOCUMENT);
    const keys = new Map<string, StoredClientKey>();
    for (const key of document?.keys ?? []) if (isStoredKey(key)) keys.set(key.id, key);
    this.keys = keys;
    this.loadedAt = this.clock.now();
  }
}

function publicView(stored: StoredClientKey): ClientKeyInfo {
  const { salt: _salt, hash: _hash, ...info } = stored;
  return { ...info, limits: { ...info.limits }, ...(info.allowedModels ? { allowedModels: [...info.allowedModels] } : {}) };
}

const hintOf = (key: string): string => `${key.slice(0, key.indexOf('_') + 1)}…${key.slice(-4)}`;

function isStoredKey(value: unknown): value is StoredClientKey {
  const key = value as Partial<StoredClientKey> | null;
  return (
    typeof key === 'object' &&
    key !== null &&
    typeof key.id === 'string' &&
    typeof key.name === 'string' &&
    typeof key.salt === 'string' &&
    typeof key.hash === 'string' &&
    typeof key.createdAt === 'number' &&
    typeof key.limits === 'object' &&
    key.limits !== null
  );
}

function validName(raw: unknown): string {
  const name = typeof raw === 'string' ? raw.trim() : '';
  if (!name || name.length > 64 || /[\u0000-\u001f]/.test(name)) {
    throw invalidRequest('A client key needs a name of 1 to 64 printable characters', 'name');
  }
  if (name.toLowerCase() === PRIMARY_KEY_NAME) throw invalidRequest(`"${PRIMARY_KEY_NAME}" is reserved for the primary key`, 'name');
  return name;
}

function validModels(raw: unknown): string[] {
  if (!Array.isArray(raw) || raw.some((model) => typeof model !== 'string' || model.trim() === '')) {
    throw invalidRequest('allowedModels must be a list of model ids (a trailing * matches by prefix)', 'allowedModels');
  }
  return [...new Set(raw.map((model: string) => model.trim()))];
}

function validLimits(raw: KeyLimits): KeyLimits {
  if (typeof raw !== 'object' || raw === null) throw invalidRequest('limits must be an object', 'limits');
  const limits: KeyLimits = {};
  for (const [field, value] of Object.entries(raw)) {
    if (!(LIMIT_FIELDS as readonly string[]).includes(field)) throw invalidRequest(`Unknown limit "${field}"`, `limits.${field}`);
    if (value === undefined || value === null) continue;
    if (!Number.isInteger(value) || value < 1) throw invalidRequest(`The limit ${field} must be a positive integer`, `limits.${field}`);
    limits[field as keyof KeyLimits] = value;
  }
  return limits;
}

/** Whether a key may call the client model id `model`. */
export function modelAllowed(key: Pick<ClientKeyInfo, 'allowedModels'>, model: string): boolean {
  if (!key.allowedModels) return true;
  return key.allowedModels.some((pattern) => (pattern.endsWith('*') ? model.startsWith(pattern.slice(0, -1)) : pattern === model));
}
