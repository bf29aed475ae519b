import type { AttemptRecord } from '../dispatch';
import type { ClientProtocol, Usage } from '../ir';

/** One finished client request, as the monitor and the token stats see it: what it was in flight, and how it ended. Never holds secrets. */
export interface RequestRecord extends InFlightRequest {
  upstreamModel?: string;
  accountId?: string;
  accountEmail?: string;
  /** Name of the client key used, when auth is on. */
  clientKey?: string;
  attempts: AttemptRecord[];
  status: number;
  latencyMs: number;
  /** Time until the first byte of the answer left the gateway. */
  ttfbMs?: number;
  usage?: Usage;
  error?: string;
  /** What the gateway left out of the client's request and why (e.g. a tool the upstream cannot take). */
  notes?: string[];
  /** Team mode: the instance that served it, on records followed from the others; absent for this instance's own. */
  instance?: string;
  /** Truncated bodies, only when body capture is turned on (off by default); stored with the record as given. */
  capture?: RequestCapture;
}

/** Heads of the request and response bodies, cut at a byte limit. */
export interface RequestCapture {
  request?: string;
  response?: string;
  /** True when either body was cut. */
  truncated: boolean;
}

/** A request in flight, for the live view. */
export interface InFlightRequest {
  id: string;
  startedAt: number;
  protocol: ClientProtocol;
  path: string;
  stream: boolean;
  clientModel: string;
}

export interface RequestObserver {
  started(request: InFlightRequest): void;
  finished(record: RequestRecord): void;
}
