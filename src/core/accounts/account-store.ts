import type { DocumentStore, Logger, SecretStore } from '../ports';
import type { ModelInfo } from '../upstream/upstream';
import type { AccountRecord, AccountStatus, ModelLimit } from './types';

/**
 * Persistence of the pool: metadata as one atomic document, refresh tokens
 * one per SecretStore key. Nothing secret ever reaches the document.
 */

export const ACCOUNTS_DOCUMENT = 'accounts';

export const refreshTokenKey = (accountId: string): string => `account:${accountId}:refresh`;

interface AccountsDocument {
  version: 1;
  accounts: AccountRecord[];
}

export interface AccountStore {
  load(): Promise<AccountRecord[]>;
  /**
   * Writes what `current()` returns at write time. Calls made while a write
   * is running coalesce into one more write, so a burst of changes costs two
   * writes, and the last state always lands.
   */
  save(current: () => readonly AccountRecord[]): Promise<void>;
  refreshToken(accountId: string): Promise<string | undefined>;
  setRefreshToken(accountId: string, refreshToken: string): Promise<void>;
  deleteRefreshToken(accountId: string): Promise<void>;
}

export interface AccountStoreOptions {
  documents: DocumentStore;
  secrets: SecretStore;
  logger: Logger;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const STATUSES: readonly AccountStatus[] = ['active', 'needs_reauth', 'forbidden'];

function readLimits(value: unknown): Record<string, ModelLimit> {
  const limits: Record<string, ModelLimit> = {};
  if (!isRecord(value)) return limits;
  for (const [model, limit] of Object.entries(value)) {
    if (isRecord(limit) && (limit.kind === 'cooldown' || limit.kind === 'exhausted') && typeof limit.until === 'number' && typeof limit.reason === 'string') {
      limits[model] = { kind: limit.kind, until: limit.until, reason: limit.reason };
    }
  }
  return limits;
}

function readQuota(value: unknown): AccountRecord['quota'] {
  if (!isRecord(value) || !Array.isArray(value.models) || typeof value.fetchedAt !== 'number') return undefined;
  const models = value.models.filter((m): m is ModelInfo => isRecord(m) && typeof m.id === 'string' && typeof m.remainingFraction === 'number');
  const deprecated: Record<string, string> = {};
  if (isRecord(value.deprecated)) {
    for (const [from, to] of Object.entries(value.deprecated)) if (typeof to === 'string') deprecated[from] = to;
  }
  return { models, deprecated, fetchedAt: value.fetchedAt };
}

/** A stored entry back into a record; undefined when it is too damaged to use. */
export function readAccount(value: unknown): AccountRecord | undefined {
  if (!isRecord(value)) return undefined;
  const { id, email, projectId } = value;
  if (typeof id !== 'string' || typeof email !== 'string' || typeof projectId !== 'string') return undefined;
  const status = STATUSES.includes(value.status as AccountStatus) ? (value.status as AccountStatus) : 'active';
  const record: AccountRecord = {
    id,
    email,
    projectId,
    priority: typeof value.priority === 'number' ? value.priority : 0,
    status,
    disabled: value.disabled === true,
    limits: readLimits(value.limits),
    addedAt: typeof value.addedAt === 'number' ? value.addedAt : 0,
  };
  if (typeof value.tier === 'string') record.tier = value.tier;
  if (typeof value.statusReason === 'string') record.statusReason = value.statusReason;
  if (typeof value.actionUrl === 'string') record.actionUrl = value.actionUrl;
  const quota = readQuota(value.quota);
  if (quota) record.quota = quota;
  if (typeof value.quotaError === 'string') record.quotaError = value.quotaError;
  if (typeof value.lastUsedAt === 'number') record.lastUsedAt = value.lastUsedAt;
  return record;
}

export function createAccountStore(options: AccountStoreOptions): AccountStore {
  const { documents, secrets, logger } = options;
  let writing: Promise<void> | undefined;
  let pending: Promise<void> | undefined;

  const write = (current: () => readonly AccountRecord[]): Promise<void> => {
    const document: AccountsDocument = { version: 1, accounts: current().map((a) => structuredClone(a)) };
    return documents.write(ACCOUNTS_DOCUMENT, document);
  };

  return {
    async load() {
      const document = await documents.read<unknown>(ACCOUNTS_DOCUMENT);
      if (document === undefined) return [];
      const entries = isRecord(document) && Array.isArray(document.accounts) ? document.accounts : [];
      const accounts: AccountRecord[] = [];
      for (const entry of entries) {
        const account = readAccount(entry);
        if (account) accounts.push(account);
        else logger.warn('skipping an unreadable stored account entry');
      }
      return accounts;
    },

    save(current) {
      if (pending) return pending;
      if (!writing) {
        const started: Promise<void> = write(current).finally(() => {
          if (writing === started) writing = undefined;
        });
        writing = started;
        return started;
      }
      const next: Promise<void> = writing
        .catch(() => undefined)
        .then(() => {
          pending = undefined;
          const started = write(current).finally(() => {
            if (writing === started) writing = undefined;
          });
          writing = started;
          return started;
        });
      pending = next;
      return next;
    },

    refreshToken: (accountId) => secrets.get(refreshTokenKey(accountId)),
    setRefreshToken: (accountId, refreshToken) => secrets.set(refreshTokenKey(accountId), refreshToken),
    deleteRefreshToken: (accountId) => secrets.delete(refreshTokenKey(accountId)),
  };
}
