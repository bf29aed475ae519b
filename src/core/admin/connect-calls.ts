/**
 * The dashboard's "Connect a client": the admin calls over core/connect, the
 * same plan, write and undo as `agate connect`, in the files of the user
 * running the gateway (the host may point them elsewhere, as tests do).
 */
import type { GatewayConfig } from '../config/types';
import {
  ANY_KEY,
  applyConnect,
  CONNECT_CLIENTS,
  connectClient,
  gatewayBaseUrl,
  hasBackup,
  planConnect,
  SettingsFileError,
  undoConnect,
  type ConnectClient,
  type ConnectEnvironment,
  type ConnectPlan,
  type ConnectValues,
} from '../connect';
import { GatewayError } from '../errors';
import { effectiveAuthMode } from '../security';
import type { AdminCalls } from './protocol';
import type { ConnectClientState, ConnectPreview } from './types';

export interface ConnectCallsDeps {
  config: () => GatewayConfig;
  /** The running server's base URL, if any. */
  serverUrl: () => string | undefined;
  primaryKey: () => Promise<string>;
  /** Whose files: the gateway process owner's home and environment. */
  environment: () => ConnectEnvironment;
}

type Handler<M extends keyof AdminCalls> = (params: AdminCalls[M][0]) => Promise<AdminCalls[M][1]>;

export interface ConnectCalls {
  connectClients: Handler<'connectClients'>;
  previewConnect: Handler<'previewConnect'>;
  connectClient: Handler<'connectClient'>;
  disconnectClient: Handler<'disconnectClient'>;
}

const writable = CONNECT_CLIENTS.filter((client) => client.files.length > 0);

function clientOrThrow(id: string): ConnectClient {
  const client = connectClient(id);
  if (!client) throw new GatewayError('not_found', `No client "${id}" to connect; one of: ${writable.map((c) => c.id).join(', ')}`, { param: 'id' });
  if (client.files.length === 0) {
    throw new GatewayError(
      'invalid_request',
      `${client.title} has no settings file Agate writes: paste the base URL and key into it (its snippet shows them)`,
      { param: 'id' },
    );
  }
  return client;
}

/** A settings file Agate cannot parse is the user's to fix (400 naming it); a file it cannot read or write, the machine's (500 naming it). */
async function asConnectError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof SettingsFileError) throw new GatewayError('invalid_request', err.message);
    const code = (err as NodeJS.ErrnoException).code;
    const file = (err as NodeJS.ErrnoException).path;
    if (code && file) throw new GatewayError('api_error', `Cannot change ${file} (${code})`, { cause: err });
    throw err;
  }
}

export function createConnectCalls(deps: ConnectCallsDeps): ConnectCalls {
  /** What `agate connect` writes for this gateway: its base URL, and the primary key when auth is on (any key passes when it is off). */
  const values = async (model: string | undefined): Promise<ConnectValues> => {
    const config = deps.config();
    const baseUrl = (deps.serverUrl() ?? gatewayBaseUrl(config)).replace(/\/+$/, '');
    const key = effectiveAuthMode(config.authMode, config.host) === 'off' ? ANY_KEY : await deps.primaryKey();
    return { baseUrl, key, ...(model ? { model } : {}) };
  };
  const preview = (client: ConnectClient, plan: ConnectPlan, baseUrl: string): ConnectPreview => ({
    id: client.id,
    title: client.title,
    connected: plan.upToDate,
    baseUrl,
    run: client.run,
    // Never `before`/`after`: they hold the key unmasked.
    files: plan.files.map((file) => ({
      path: file.path,
      displayPath: file.displayPath,
      exists: file.before !== undefined,
      changed: file.changed,
      diff: file.diff,
    })),
  });
  // One write at a time: two Connect clicks must not interleave their backups and files.
  let writing: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = writing.then(work, work);
    writing = next.catch(() => undefined);
    return next;
  };

  return {
    async connectClients() {
      const connectValues = await values(undefined);
      const where = deps.environment();
      return Promise.all(
        writable.map(async (client): Promise<ConnectClientState> => {
          const state: ConnectClientState = {
            id: client.id,
            title: client.title,
            summary: client.summary,
            // Not the files written only on request (gemini-cli's trusted folders: `agate connect gemini-cli --trust DIR`).
            files: client.files.filter((file) => file.settings(connectValues).length > 0).map((file) => file.displayPath),
            run: client.run,
            connected: false,
            canDisconnect: false,
          };
          try {
            state.canDisconnect = await hasBackup(client, where);
            state.connected = (await planConnect(client, connectValues, where)).upToDate;
          } catch (err) {
            state.error = err instanceof Error ? err.message : String(err);
          }
          return state;
        }),
      );
    },
    async previewConnect({ id, model }) {
      const client = clientOrThrow(id);
      const connectValues = await values(model);
      return asConnectError(async () => preview(client, await planConnect(client, connectValues, deps.environment()), connectValues.baseUrl));
    },
    async connectClient({ id, model }) {
      const client = clientOrThrow(id);
      const connectValues = await values(model);
      return serial(() =>
        asConnectError(async () => {
          // Planned again here, not taken from the preview: the files may have changed since.
          const plan = await planConnect(client, connectValues, deps.environment());
          const written = await applyConnect(plan);
          return { ...preview(client, plan, connectValues.baseUrl), written };
        }),
      );
    },
    async disconnectClient({ id }) {
      const client = clientOrThrow(id);
      return serial(() =>
        asConnectError(async () => {
          const result = await undoConnect(client, deps.environment());
          if (result.restored.length === 0 && result.removed.length === 0) {
            throw new GatewayError('not_found', `${client.title} has no backup from a connect: there is nothing to disconnect`, { param: 'id' });
          }
          return { id: client.id, title: client.title, restored: result.restored, removed: result.removed, changedSince: result.changedSince };
        }),
      );
    },
  };
}
