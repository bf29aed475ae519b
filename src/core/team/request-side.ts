import type { Observability } from '../monitor';
import type { RequestObserver } from '../monitor/types';
import type { DocumentStore, Logger } from '../ports';
import type { SharedKeyCounters } from '../security/key-usage';
import type { SharedCache } from '../stores/shared-cache';
import { startTeamRequestStream, type TeamRequestStream } from './request-stream';
import { createRedisSharedCache } from './shared-cache';
import { createTeamDocuments } from './shared-documents';
import { createRedisKeyCounters } from './shared-key-usage';
import type { Team } from './team';

/** Documents every instance of a team shares (the rest of the data dir stays per instance). */
const SHARED_DOCUMENTS = new Set(['client-keys']);

/**
 * The request side of team mode, over the team's connection: what the core's request path shares with the
 * other instances. Each piece sits behind a port the single-instance gateway already has (a local cache,
 * the client keys document, the key counters, the request observer), so without a team nothing changes.
 */
export interface TeamRequestSide {
  /** Thought signatures, conversation → account bindings, Responses history. */
  readonly cache: SharedCache;
  /** Client-key counters: limits hold across the team. */
  readonly keyCounters: SharedKeyCounters;
  /** `documents` with the client keys document moved to the team's Redis. */
  documents(local: DocumentStore): DocumentStore;
  /**
   * The observer that puts this instance's finished requests on the team stream; the others' requests from
   * it go into `observability`'s token stats (team totals) and its monitor's followed requests.
   */
  observer(observability: Observability | undefined): RequestObserver;
  close(): Promise<void>;
}

export function createTeamRequestSide(team: Team, options: { logger: Logger }): TeamRequestSide {
  const { connection } = team;
  const { logger } = options;
  let stream: TeamRequestStream | undefined;
  return {
    cache: createRedisSharedCache(connection, { logger }),
    keyCounters: createRedisKeyCounters(connection, { logger }),
    documents(local) {
      const shared = createTeamDocuments(connection, local, { logger });
      return {
        read: (name) => (SHARED_DOCUMENTS.has(name) ? shared.read(name) : local.read(name)),
        write: (name, value) => (SHARED_DOCUMENTS.has(name) ? shared.write(name, value) : local.write(name, value)),
      };
    },
    observer(observability) {
      stream ??= startTeamRequestStream(connection, {
        instanceId: team.instanceId,
        logger,
        onPeer: (instance, record) => {
          observability?.stats.record(record);
          observability?.monitor.followPeer(instance, record);
        },
      });
      const publishing = stream;
      return {
        started() {},
        finished: (record) => publishing.publish(record),
      };
    },
    close: async () => {
      await stream?.close();
    },
  };
}
