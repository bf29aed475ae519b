import type { ChatEvent, ChatRequest, ClientProtocol, Usage } from './ir';
import type { CoreMessage } from './messages';

/** One try of one account on one upstream model, for the monitor and the tests. */
export interface AttemptRecord {
  accountId: string;
  accountEmail: string;
  model: string;
  /** Cloud Code host base URL that answered (or failed). */
  host?: string;
  startedAt: number;
  durationMs: number;
  outcome: 'ok' | string; // 'ok' or the UpstreamFailureKind / reason
  /** The upstream's HTTP status, when one arrived. */
  status?: number;
  /** Google's ErrorInfo reason (RATE_LIMIT_EXCEEDED, MODEL_CAPACITY_EXHAUSTED, …). */
  reason?: string;
  message?: string;
  /** What the scheduler did after this attempt; absent on the attempt that answered. */
  next?: AttemptNext;
}

/**
 * The scheduler's step after a failed attempt: `retry` the same account, `fall-back` to the next Cloud Code
 * host, `switch` to another account, `wait` before the next round, or `give-up`. `waitMs` is the pause taken
 * before the next call; `note` says why (a cooldown, a mark, the budget that ran out).
 */
export interface AttemptNext {
  action: 'retry' | 'fall-back' | 'switch' | 'wait' | 'give-up';
  waitMs?: number;
  /** In English (logs, the client's error message). */
  note?: string;
  /** The note as a message the hosts word in the user's language, when the scheduler wrote it. */
  why?: CoreMessage;
}

/** A generation that has produced its first event: committed, no more silent retries. */
export interface GenerationRun {
  /** All events, the already-received first one included. Throws a GatewayError mid-stream on failure. */
  events: AsyncIterable<ChatEvent>;
  upstreamModel: string;
  accountId: string;
  accountEmail: string;
  attempts: AttemptRecord[];
  /** Set when a provider of the client's own protocol answered the client's bytes: `events` is empty, these bytes go out as they are. */
  raw?: RawAnswer;
}

/**
 * A client's request as it came, for a provider that speaks the client's
 * protocol: sent on byte for byte but for the model id and the key.
 */
export interface PassthroughOffer {
  protocol: ClientProtocol;
  /** The request body's bytes, as read (already held to the body and depth budgets). */
  body: Buffer;
  /** The client's request headers, lower-case names. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  stream: boolean;
  /** Gemini's stream framing (`?alt=`), forwarded as asked. */
  alt?: string;
  /** False when the stream head cannot go out before the provider's answer (Gemini's JSON-array framing opens with the answer). */
  earlyHead: boolean;
}

/** A provider's answer to a passed-through request: its 2xx head arrived, its bytes follow. */
export interface RawAnswer {
  status: number;
  contentType: string;
  /** The provider's bytes as they arrive; a failure mid-way throws (a GatewayError once through the dispatcher). */
  body: AsyncIterable<Buffer>;
  /** What the answer used, read from the bytes as they passed; final once `body` ended. */
  usage(): Usage | undefined;
}

export interface TokenCount {
  inputTokens: number;
  /** True when the upstream could not count and a local estimate stands in. */
  estimated: boolean;
}

/** What the request pipeline hears while the scheduler works on a request. */
export interface DispatchHooks {
  /** The client is kept waiting: a retry, a backoff, a wait for a slot or a reset is about to happen. May repeat. */
  onWaiting?(): void;
}

/**
 * The pool + scheduler as the request pipeline sees it: pick accounts and
 * models, retry by policy until the first event, and fail with a GatewayError
 * (429 with retryAfter when every account is limited, 503 when none exists).
 */
export interface Dispatcher {
  /** With `passthrough`, a provider of the client's own protocol may take the client's bytes instead of `request` (then `raw` is set). */
  open(request: ChatRequest, signal: AbortSignal, hooks?: DispatchHooks, passthrough?: PassthroughOffer): Promise<GenerationRun>;
  countTokens(request: ChatRequest, signal: AbortSignal): Promise<TokenCount>;
  /** Generations holding an account slot now, across accounts (the monitor's and the soak test's gauge). */
  inFlight(): number;
}

/** A model as listed to clients (`/v1/models`, `/v1beta/models`). */
export interface CatalogModel {
  id: string;
  displayName: string;
  /** Set for aliases and model groups: what the name stands for. */
  target?: string[];
  kind: 'model' | 'alias' | 'group';
  inputTokenLimit?: number;
  outputTokenLimit?: number;
  supportsThinking?: boolean;
  supportsImages?: boolean;
}

export interface ModelCatalog {
  list(): CatalogModel[];
  get(id: string): CatalogModel | undefined;
}
