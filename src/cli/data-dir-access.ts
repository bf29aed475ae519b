import { OwnerUnreachableError, RemoteAdmin } from '../core/admin/admin-client';
import type { AdminMethod, AdminParams, AdminResult } from '../core/admin/protocol';
import type { AdminEvent } from '../core/admin/types';
import type { Agate } from '../core/agate';
import type { GatewayConfig } from '../core/config/types';
import { coreMessage } from '../core/messages';
import { DataDirBusyError, DataDirLock, describeOwner, readOwner, type OwnerRecord } from '../core/stores/data-dir-lock';
import { dataDirPrimaryKey } from '../core/stores/data-dir-secrets';
import { AGATE_VERSION, createCliAgate, type CliHostOptions } from './host';

/** How long a command waits for the data dir: another command holding it, or an owner starting or handing over. */
const WAIT_MS = 30_000;
const RETRY_MS = 100;

/**
 * What a CLI command changes the data dir through: the admin API of the
 * gateway that owns it, or — when nothing serves it — an in-process core
 * under the data dir's lock. The same calls either way, so every change goes
 * through exactly one writer.
 */
export interface DataDirSession {
  call<M extends AdminMethod>(method: M, params?: AdminParams<M> | Record<string, unknown>): Promise<AdminResult<M>>;
  /** Events of the owner (remote) or of the local core; returns the unsubscribe function. */
  subscribe(listener: (event: AdminEvent) => void): () => void;
  /** The serving owner this session talks to; undefined when the command writes directly. */
  readonly owner: OwnerRecord | undefined;
  close(): Promise<void>;
}

function remoteSession(owner: OwnerRecord & { url: string }, dataDir: string): DataDirSession {
  const admin = new RemoteAdmin({ baseUrl: owner.url, key: dataDirPrimaryKey(dataDir), ownerPid: owner.pid });
  const subscriptions = new Set<() => void>();
  return {
    owner,
    call: (method, params) => admin.call(method, params),
    subscribe(listener) {
      const subscription = admin.subscribe(listener);
      subscription.ended.catch(() => undefined);
      const close = () => {
        subscriptions.delete(close);
        subscription.close();
      };
      subscriptions.add(close);
      return close;
    },
    async close() {
      for (const close of [...subscriptions]) close();
    },
  };
}

function localSession(agate: Agate, lock: DataDirLock): DataDirSession {
  return {
    owner: undefined,
    call: (method, params) => agate.admin.call(method, params ?? {}),
    subscribe: (listener) => agate.admin.subscribe(listener),
    async close() {
      try {
        await agate.close();
      } finally {
        lock.release();
      }
    },
  };
}

const serves = (owner: OwnerRecord): owner is OwnerRecord & { url: string } => typeof owner.url === 'string';

/**
 * Opens the data dir for a command: through the serving owner when there is
 * one (checked to answer), else under the lock. Waits while another command
 * holds the lock or an owner is starting, up to 30 s.
 */
export async function openDataDir(config: GatewayConfig, local: CliHostOptions = {}): Promise<DataDirSession> {
  const dataDir = config.dataDir;
  const deadline = Date.now() + WAIT_MS;
  let lastOwner: OwnerRecord | undefined;
  for (;;) {
    const owner = readOwner(dataDir);
    if (owner && serves(owner)) {
      const session = remoteSession(owner, dataDir);
      try {
        await session.call('gateway', {});
        return session;
      } catch (err) {
        // Stopping, or crashed a moment ago: look again (its lock goes, or a new owner publishes).
        if (!(err instanceof OwnerUnreachableError)) throw err;
      }
    } else {
      try {
        const lock = await DataDirLock.acquire(dataDir, {
          role: 'cli',
          version: AGATE_VERSION,
          waitMs: Math.max(0, deadline - Date.now()),
          // An owner that serves is reached over its admin API instead.
          giveUp: (holder) => serves(holder),
        });
        try {
          return localSession(await createCliAgate(config, { observability: false, ...local }), lock);
        } catch (err) {
          lock.release();
          throw err;
        }
      } catch (err) {
        if (!(err instanceof DataDirBusyError)) throw err;
        lastOwner = err.owner;
      }
    }
    if (Date.now() >= deadline) {
      const holder = lastOwner ?? owner;
      throw new DataDirBusyError(
        holder ?? { pid: 0, hostname: '', role: 'cli', startedAt: 0, dataDir, version: '' },
        holder
          ? coreMessage('dataDir.ownerSilent', { owner: describeOwner(holder), dataDir })
          : coreMessage('dataDir.busy', { dataDir, seconds: WAIT_MS / 1000 }),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}
