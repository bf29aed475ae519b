import { randomUUID } from 'node:crypto';
import type { AccountRecord, SchedulableAccounts } from '../accounts/types';
import type { GatewayConfig } from '../config/types';
import type { AttemptRecord, DispatchHooks, GenerationRun } from '../dispatch';
import { GatewayError, toGatewayError } from '../errors';
import type { ChatEvent, ChatRequest } from '../ir';
import { coreMessage, englishOf, textMessage, type CoreMessage } from '../messages';
import { maskEmail } from '../monitor/mask';
import type { Clock, Logger } from '../ports';
import { UpstreamFailure } from '../upstream/failure';
import type { Upstream, UpstreamCall } from '../upstream/upstream';
import { committedEvents } from './committed-run';
import type { ConcurrencyGate, Lease } from './concurrency';
import { conversationKeyOf } from './conversation';
import { DispatchError, gatewayErrorOf, NO_ACCOUNT_MESSAGE, rateLimitDetailsOf, secondsUntil } from './errors';
import { capacityBackoffMs, decideFailure, type FailureDecision, type TriesSoFar } from './failure-policy';
import { liveModelsOf, resolveModel, type ModelRouting, type ResolvedModel } from './model-router';
import type { AccountSelector, UnavailableAccount } from './selector';

/**
 * One request's way to its first event: pick an account, try, and on failure
 * do what the failure policy says, within the attempt and time budgets.
 * Retries happen only before the first event; after it the run is committed.
 *
 * One file of ~600 lines: `GenerationOpener` is one state machine (choose, lease, try, classify, decide, wait) whose
 * steps share the attempt trail, the budgets and the leases; the policy (failure-policy.ts), the selection
 * (selector.ts) and the model routing (model-router.ts) are already out of it, and what stays reads top to bottom.
 */

export interface SchedulerSettings {
  scheduling: GatewayConfig['scheduling'];
  models: ModelRouting;
}

/** Shared by every request of one dispatcher. */
export interface DispatchContext {
  accounts: SchedulableAccounts;
  upstream: Upstream;
  /** The Cloud Code host that answered a call, when the upstream reports it. */
  hostOf?: (call: UpstreamCall) => string | undefined;
  /** Every host tried for a call, in order, when the upstream reports them (one trail entry each). */
  hostAttempts?: (call: UpstreamCall) => readonly HostTry[] | undefined;
  gate: ConcurrencyGate;
  selector: AccountSelector;
  clock: Clock;
  logger: Logger;
  random: () => number;
}

type Account = Readonly<AccountRecord>;

/** One upstream HTTP call within an attempt, as the upstream reports it. */
export interface HostTry {
  host: string;
  status?: number;
  outcome: string;
  message?: string;
  reason?: string;
  durationMs: number;
}

/** Failures that say nothing about the account or the quota: their retries run under `transientRetryBudgetMs`. */
const TRANSIENT = new Set(['server', 'network', 'timeout', 'capacity']);

/** A trail note: its English (logs, the client's error) and the message the hosts word. */
const noted = (why: CoreMessage) => ({ note: englishOf(why), why });

function switchNote(decision: Extract<FailureDecision, { action: 'switch' }>, now: number): CoreMessage {
  const mark = decision.mark;
  if (!mark) return coreMessage('attempt.note.sitsOut');
  if (mark.kind === 'limit') {
    const seconds = secondsUntil(mark.limit.until, now);
    return coreMessage(mark.limit.kind === 'exhausted' ? 'attempt.note.quotaSpentFor' : 'attempt.note.coolingDownFor', { seconds });
  }
  return coreMessage(mark.kind === 'needs_reauth' ? 'attempt.note.needsSignIn' : 'attempt.note.blocked');
}

function giveUpNote(failure: UpstreamFailure): CoreMessage {
  switch (failure.kind) {
    case 'bad_request':
    case 'signature_invalid':
      return coreMessage('attempt.note.refused');
    case 'not_found':
      return coreMessage('attempt.note.unknownModel');
    default:
      return textMessage(failure.message);
  }
}

type Choice =
  | { kind: 'candidates'; model: string; accounts: Account[] }
  | { kind: 'wait'; model: string; account: Account; until: number }
  | { kind: 'limited'; model: string; until: number }
  | { kind: 'unavailable'; model: string; accounts: UnavailableAccount[] };

const ABORTED_MESSAGE = 'The client went away before the answer started';

/** Why an account cannot serve `model`, without naming it. */
function unusableBecause(account: UnavailableAccount, model: string): string {
  switch (account.reason) {
    case 'disabled':
      return 'disabled';
    case 'needs_reauth':
      return `must sign in again${account.detail ? ` (${account.detail})` : ''}`;
    case 'forbidden':
      return `blocked by Google${account.detail ? ` (${account.detail})` : ''}`;
    case 'unsupported':
      return `without ${model}`;
    default:
      return account.reason;
  }
}

/**
 * "1 disabled; 2 must sign in again (invalid_grant)": what a client may read. Account emails stay with the
 * owner — in the log and the monitor, masked.
 */
function unusableSummary(accounts: UnavailableAccount[], model: string): string {
  const counts = new Map<string, number>();
  for (const account of accounts) {
    const why = unusableBecause(account, model);
    counts.set(why, (counts.get(why) ?? 0) + 1);
  }
  return [...counts].map(([why, count]) => `${count} ${why}`).join('; ');
}

/** Reads the upstream answer to its end; the events after the first, replayable. */
async function bufferedRest(first: IteratorResult<ChatEvent>, rest: AsyncIterator<ChatEvent>): Promise<AsyncIterator<ChatEvent>> {
  const events: ChatEvent[] = [];
  if (!first.done) for (let step = await rest.next(); !step.done; step = await rest.next()) events.push(step.value);
  // A plain iterator over the array: an async generator would cost a few promises per event for nothing.
  let index = 0;
  return {
    next: () => Promise.resolve<IteratorResult<ChatEvent>>(index < events.length ? { done: false, value: events[index++] } : { done: true, value: undefined }),
  };
}

export function openGeneration(
  context: DispatchContext,
  settings: SchedulerSettings,
  request: ChatRequest,
  signal: AbortSignal,
  hooks: DispatchHooks = {},
): Promise<GenerationRun> {
  return new GenerationOpener(context, settings, request, signal, hooks).open();
}

class GenerationOpener {
  /** The trail: one entry per upstream call (a host fallback adds one). */
  private readonly attempts: AttemptRecord[] = [];
  /** Accounts tried so far (what `maxAttempts` counts); fewer than `attempts` when hosts fell back. */
  private tries = 0;
  /** Time spent waiting out rate limits and quota resets: it does not count against `transientRetryBudgetMs`. */
  private limitWaitMs = 0;
  private readonly startedAt: number;
  /** Accounts this request gave up on, per model, without marking them (server, network, timeout, capacity). */
  private readonly excluded = new Map<string, Set<string>>();
  /** Rounds over the excluded accounts so far, for the backoff between rounds. */
  private rounds = 0;
  private lastFailure?: UpstreamFailure;
  private queueDeadline?: number;
  private conversation?: string;
  /** The conversation key the upstream sees: the client's, else one of this request's own. */
  private upstreamConversation = '';

  constructor(
    private readonly ctx: DispatchContext,
    private readonly settings: SchedulerSettings,
    private readonly request: ChatRequest,
    private readonly signal: AbortSignal,
    private readonly hooks: DispatchHooks,
  ) {
    this.startedAt = ctx.clock.now();
  }

  async open(): Promise<GenerationRun> {
    try {
      this.signal.throwIfAborted();
      const accounts = this.ctx.accounts.snapshot();
      if (accounts.length === 0) throw new GatewayError('unavailable', NO_ACCOUNT_MESSAGE);
      const route = resolveModel(this.request.model, this.settings.models, liveModelsOf(accounts), this.ctx.random);
      this.conversation = conversationKeyOf(this.request);
      this.upstreamConversation = this.conversation ?? randomUUID();
      if (this.conversation && this.settings.scheduling.mode !== 'performance-first') await this.ctx.selector.refresh(this.conversation);
      for (;;) {
        this.checkBudget();
        const choice = this.choose(route);
        if (choice.kind === 'candidates') {
          const leased = await this.lease(choice.model, choice.accounts);
          if (!leased) {
            this.waiting();
            await this.waitForSlot(choice.model);
            continue;
          }
          const run = await this.tryAccount(leased.account, choice.model, leased.lease);
          if (run) return run;
        } else if (choice.kind === 'wait') {
          const ms = choice.until - this.ctx.clock.now();
          this.noteWait(ms, coreMessage('attempt.note.conversationAccount'));
          await this.pause(ms, true);
        } else if (choice.kind === 'limited') {
          await this.waitForReset(choice.model, choice.until);
        } else if (this.excluded.size > 0) {
          // Only this request's transient failures (5xx, network, capacity) keep the accounts out: they may
          // have passed, so start a new round over them after a backoff, within the attempt and time budget.
          this.excluded.clear();
          const ms = capacityBackoffMs(this.rounds++, this.ctx.random);
          this.noteWait(ms, coreMessage('attempt.note.newRound'), true);
          await this.pause(ms);
        } else {
          throw this.unavailable(choice.model, choice.accounts);
        }
      }
    } catch (err) {
      throw this.finalError(err);
    }
  }

  /** The first model of the route that some account can take now (or soon, for a sticky wait). */
  private choose(route: ResolvedModel): Choice {
    const accounts = this.ctx.accounts.snapshot();
    const now = this.ctx.clock.now();
    const { mode, stickyWaitMs } = this.settings.scheduling;
    let limited: Extract<Choice, { kind: 'limited' }> | undefined;
    let unavailable: Extract<Choice, { kind: 'unavailable' }> | undefined;
    // A group moves to its next model only when no account can take the current one.
    for (const model of route.models) {
      const selection = this.ctx.selector.select(accounts, {
        model,
        conversation: this.conversation,
        mode,
        stickyWaitMs,
        exclude: this.excluded.get(model),
        now,
      });
      if (selection.kind === 'candidates' || selection.kind === 'wait') return { ...selection, model };
      if (selection.kind === 'limited' && (!limited || selection.until < limited.until)) {
        limited = { kind: 'limited', model, until: selection.until };
      }
      if (selection.kind === 'unavailable') unavailable ??= { ...selection, model };
    }
    return limited ?? unavailable ?? { kind: 'unavailable', model: route.models[0], accounts: [] };
  }

  private async lease(model: string, accounts: Account[]): Promise<{ account: Account; lease: Lease } | undefined> {
    for (const account of accounts) {
      const lease = await this.ctx.gate.tryAcquire(account.id, model);
      if (lease) return { account, lease };
    }
    return undefined;
  }

  private async waitForSlot(model: string): Promise<void> {
    const { queueTimeoutMs, retryBudgetMs } = this.settings.scheduling;
    this.queueDeadline ??= this.ctx.clock.now() + queueTimeoutMs;
    const deadline = Math.min(this.queueDeadline, this.startedAt + retryBudgetMs);
    if (await this.ctx.gate.waitForRelease(deadline, this.signal)) return;
    throw new GatewayError(
      'overloaded',
      `Every account is busy with other requests for ${model}; no slot freed up within ${Math.round(queueTimeoutMs / 1000)} s`,
    );
  }

  /**
   * The client is about to wait (a backoff, a wait for a reset or a slot): a streaming answer starts its
   * keep-alive frames. Immediate retries (a renewed token, signatures dropped, another account) do not count.
   */
  private waiting(): void {
    try {
      this.hooks.onWaiting?.();
    } catch (err) {
      this.ctx.logger.warn('dispatch onWaiting hook failed', { error: (err as Error)?.message });
    }
  }

  /** The pause that follows the last attempt, for its trail entry. */
  private noteWait(ms: number, why: CoreMessage, restart = false): void {
    const last = this.attempts.at(-1);
    if (!last || ms <= 0) return;
    if (restart || !last.next) {
      last.next = { action: 'wait', waitMs: ms, ...noted(why) };
      return;
    }
    last.next.waitMs = (last.next.waitMs ?? 0) + ms;
    const waits = coreMessage('attempt.note.waits', { why });
    const before = last.next.why ?? (last.next.note ? textMessage(last.next.note) : undefined);
    Object.assign(last.next, noted(before ? coreMessage('attempt.note.both', { first: before, second: waits }) : waits));
  }

  private transientDeadline(): number {
    return this.startedAt + this.settings.scheduling.transientRetryBudgetMs + this.limitWaitMs;
  }

  private transientBudgetNote(): CoreMessage {
    return coreMessage('attempt.note.transientBudget', { seconds: Math.round(this.settings.scheduling.transientRetryBudgetMs / 1000) });
  }

  private lastFailureIsTransient(): boolean {
    return this.lastFailure !== undefined && TRANSIENT.has(this.lastFailure.kind);
  }

  /** Sleeps unless that would overrun the retry budget (or, after transient errors, their shorter budget). */
  private async pause(ms: number, forLimits = false): Promise<void> {
    if (ms <= 0) return;
    this.waiting();
    const now = this.ctx.clock.now();
    if (now + ms > this.startedAt + this.settings.scheduling.retryBudgetMs) {
      throw this.budgetError(coreMessage('attempt.note.overBudget'));
    }
    if (forLimits) this.limitWaitMs += ms;
    else if (this.lastFailureIsTransient() && now + ms > this.transientDeadline()) throw this.budgetError(this.transientBudgetNote());
    await this.ctx.clock.sleep(ms, this.signal);
  }

  private async waitForReset(model: string, until: number): Promise<void> {
    const now = this.ctx.clock.now();
    const { waitForResetMaxMs, retryBudgetMs } = this.settings.scheduling;
    const wait = until - now;
    if (wait > waitForResetMaxMs || now + wait > this.startedAt + retryBudgetMs) {
      const seconds = secondsUntil(until, now);
      this.giveUp(coreMessage('attempt.note.allRateLimited', { model, seconds }));
      throw new GatewayError('rate_limit', `All accounts are rate-limited for ${model}; the first is free again in ${seconds} s`, {
        retryAfterSeconds: seconds,
        details: rateLimitDetailsOf(this.lastFailure),
      });
    }
    this.noteWait(wait, coreMessage('attempt.note.rateLimitReset', { model }));
    this.waiting();
    this.limitWaitMs += wait;
    await this.ctx.clock.sleep(wait, this.signal);
  }

  private checkBudget(): void {
    const { maxAttempts, retryBudgetMs } = this.settings.scheduling;
    if (this.tries >= maxAttempts) {
      const tries = this.tries;
      throw this.budgetError(
        this.attempts.length > tries
          ? coreMessage('attempt.note.attemptsAndCalls', { tries, calls: this.attempts.length })
          : coreMessage('attempt.note.attempts', { tries }),
      );
    }
    const now = this.ctx.clock.now();
    if (now - this.startedAt >= retryBudgetMs) {
      throw this.budgetError(coreMessage('attempt.note.retrySeconds', { seconds: Math.round(retryBudgetMs / 1000) }));
    }
    if (this.lastFailureIsTransient() && now >= this.transientDeadline()) throw this.budgetError(this.transientBudgetNote());
  }

  /** The last attempt's trail entry says the scheduler stopped there, and why. */
  private giveUp(why: CoreMessage): void {
    const last = this.attempts.at(-1);
    if (last && last.outcome !== 'ok') last.next = { action: 'give-up', ...noted(why) };
  }

  private budgetError(why: CoreMessage): GatewayError {
    this.giveUp(why);
    const note = englishOf(why);
    if (!this.lastFailure) return new GatewayError('unavailable', `No account could take the request (${note})`);
    const error = gatewayErrorOf(this.lastFailure, this.ctx.clock.now());
    return new GatewayError(error.kind, `${error.message} (${note})`, {
      retryAfterSeconds: error.retryAfterSeconds,
      details: error.details,
      cause: error.cause,
    });
  }

  private unavailable(model: string, accounts: UnavailableAccount[]): GatewayError {
    const failure = this.lastFailure;
    const accountLevel = failure && ['auth_expired', 'auth_revoked', 'forbidden'].includes(failure.kind);
    if (failure && (!accountLevel || accounts.length === 0)) {
      this.giveUp(coreMessage('attempt.note.noOtherAccount'));
      return gatewayErrorOf(failure, this.ctx.clock.now());
    }
    const named = accounts.map((a) => `${maskEmail(a.email)}: ${unusableBecause(a, model)}`);
    this.ctx.logger.warn('no usable account', { model, accounts: named });
    this.giveUp(coreMessage('attempt.note.noUsableAccount', { accounts: named.join('; ') }));
    return new GatewayError(
      'unavailable',
      `No usable Google account for ${model}: ${unusableSummary(accounts, model)}. The dashboard or "agate accounts list" shows which.`,
    );
  }

  private finalError(err: unknown): DispatchError {
    if (this.signal.aborted) {
      this.giveUp(coreMessage('attempt.note.clientLeft'));
      return new DispatchError(new GatewayError('api_error', ABORTED_MESSAGE, { cause: err }), this.attempts);
    }
    if (!(err instanceof GatewayError)) this.ctx.logger.error('dispatch failed unexpectedly', { error: (err as Error)?.message });
    const error = toGatewayError(err);
    if (this.attempts.at(-1)?.next?.action !== 'give-up') this.giveUp(textMessage(error.message));
    return new DispatchError(error, this.attempts);
  }

  /**
   * Closes the attempt's trail entry. A call that went through more than one
   * Cloud Code host gets an entry per host, the ones before the last marked
   * as falling back; the last entry keeps the attempt's outcome.
   */
  private finishRecord(record: AttemptRecord, call: UpstreamCall | undefined, outcome: string, failure?: Error): void {
    record.durationMs = this.ctx.clock.now() - record.startedAt;
    record.outcome = outcome;
    if (failure?.message) record.message = failure.message;
    if (failure instanceof UpstreamFailure) {
      if (failure.status !== undefined) record.status = failure.status;
      if (failure.reason) record.reason = failure.reason;
    }
    const hosts = call ? this.ctx.hostAttempts?.(call) : undefined;
    if (!call || !hosts || hosts.length === 0) {
      const host = call && this.ctx.hostOf?.(call);
      if (host) record.host = host;
      return;
    }
    const last = hosts[hosts.length - 1];
    record.host = last.host;
    if (last.status !== undefined) record.status = last.status;
    if (hosts.length === 1) return;
    let offset = 0;
    const earlier = hosts.slice(0, -1).map((host): AttemptRecord => {
      const entry: AttemptRecord = {
        accountId: record.accountId,
        accountEmail: record.accountEmail,
        model: record.model,
        host: host.host,
        startedAt: record.startedAt + offset,
        durationMs: host.durationMs,
        outcome: host.outcome,
        next: { action: 'fall-back', ...noted(coreMessage('attempt.note.nextHost')) },
      };
      if (host.status !== undefined) entry.status = host.status;
      if (host.reason) entry.reason = host.reason;
      if (host.message) entry.message = host.message;
      offset += host.durationMs;
      return entry;
    });
    this.attempts.splice(this.attempts.indexOf(record), 0, ...earlier);
    record.startedAt += offset;
    record.durationMs = Math.max(0, record.durationMs - offset);
  }

  /** Tries one account until it answers, the policy moves on (undefined), or the request fails (throws). */
  private async tryAccount(account: Account, model: string, lease: Lease): Promise<GenerationRun | undefined> {
    const tries: TriesSoFar = {
      rateLimitRetries: 0,
      capacityRetries: 0,
      tokenRenewed: false,
    };
    let rejectedToken: string | undefined;
    let committed = false;
    try {
      for (;;) {
        this.checkBudget();
        const record: AttemptRecord = {
          accountId: account.id,
          accountEmail: account.email,
          model,
          startedAt: this.ctx.clock.now(),
          durationMs: 0,
          outcome: 'pending',
        };
        this.attempts.push(record);
        this.tries++;
        this.ctx.selector.noteUsed(account.id);
        let call: UpstreamCall | undefined;
        let token: string | undefined;
        try {
          token = rejectedToken
            ? await this.ctx.accounts.renewAccessToken(account.id, rejectedToken, this.signal)
            : await this.ctx.accounts.accessToken(account.id, this.signal);
          call = {
            accountId: account.id,
            accessToken: token,
            projectId: account.projectId,
            model,
            conversation: this.upstreamConversation,
            signal: this.signal,
          };
          const modelInfo = account.quota?.models.find((m) => m.id === model);
          if (modelInfo) call.modelInfo = modelInfo;
          const iterator = this.ctx.upstream.generate(this.request, call)[Symbol.asyncIterator]();
          const first = await iterator.next();
          // A client that waits for the whole answer has seen nothing of it yet: a break anywhere in it can still be retried.
          const rest = this.request.stream ? iterator : await bufferedRest(first, iterator);
          this.finishRecord(record, call, 'ok');
          committed = true;
          return this.commit(account, model, lease, record, first, rest);
        } catch (err) {
          if (this.signal.aborted) {
            this.finishRecord(record, call, 'aborted');
            throw err;
          }
          if (!(err instanceof UpstreamFailure)) {
            this.finishRecord(record, call, 'error', err as Error);
            throw err;
          }
          this.finishRecord(record, call, err.kind, err);
          this.lastFailure = err;
          const decision = decideFailure(err, {
            now: this.ctx.clock.now(),
            model,
            settings: this.settings.scheduling,
            tries,
            random: this.ctx.random,
            quotaResetAt: account.quota?.models.find((m) => m.id === model)?.resetAt,
          });
          this.ctx.logger.debug('upstream attempt failed', { accountId: account.id, model, kind: err.kind, action: decision.action });
          if (decision.action === 'fail') {
            this.giveUp(giveUpNote(err));
            throw gatewayErrorOf(err, this.ctx.clock.now());
          }
          if (decision.action === 'switch') {
            record.next = { action: 'switch', ...noted(switchNote(decision, this.ctx.clock.now())) };
            this.report(account.id, decision);
            // Marked accounts are kept out by their mark (and may come back within this request).
            if (!decision.mark) this.exclude(model, account.id);
            return undefined;
          }
          if (decision.renewToken) {
            tries.tokenRenewed = true;
            rejectedToken = token;
          }
          if (err.kind === 'rate_limited') tries.rateLimitRetries++;
          if (err.kind === 'capacity') tries.capacityRetries++;
          record.next = { action: 'retry' };
          if (decision.delayMs > 0) record.next.waitMs = decision.delayMs;
          if (decision.renewToken) Object.assign(record.next, noted(coreMessage('attempt.note.freshToken')));
          else if (err.kind === 'rate_limited') Object.assign(record.next, noted(coreMessage('attempt.note.afterRateLimit')));
          await this.pause(decision.delayMs, err.kind === 'rate_limited');
        }
      }
    } finally {
      if (!committed) lease.release();
    }
  }

  private exclude(model: string, accountId: string): void {
    let set = this.excluded.get(model);
    if (!set) this.excluded.set(model, (set = new Set()));
    set.add(accountId);
  }

  /** Tells the pool what the upstream said about the account. */
  private report(accountId: string, decision: Extract<FailureDecision, { action: 'switch' }>): void {
    const { accounts } = this.ctx;
    const mark = decision.mark;
    if (mark?.kind === 'limit') accounts.markLimited(accountId, mark.model, mark.limit);
    if (mark?.kind === 'needs_reauth') {
      // The pool marks dead refresh tokens itself; a second mark would only repeat the event.
      const current = accounts.snapshot().find((a) => a.id === accountId);
      if (current?.status !== 'needs_reauth') accounts.markNeedsReauth(accountId, mark.reason);
    }
    if (mark?.kind === 'forbidden') accounts.markForbidden(accountId, mark.reason, mark.actionUrl);
    if (decision.refreshQuota) accounts.refreshQuotaSoon(accountId);
  }

  private commit(
    account: Account,
    model: string,
    lease: Lease,
    record: AttemptRecord,
    first: IteratorResult<ChatEvent>,
    rest: AsyncIterator<ChatEvent>,
  ): GenerationRun {
    if (this.conversation && this.settings.scheduling.mode !== 'performance-first') {
      this.ctx.selector.bind(this.conversation, account);
    }
    this.ctx.accounts.markUsed(account.id);
    // A client gone mid-stream frees the slot at once, even before the consumer notices.
    const release = () => lease.release();
    this.signal.addEventListener('abort', release, { once: true });
    const events = committedEvents(first.done ? undefined : first.value, rest, {
      onFailure: (err) => this.midStreamError(err, account, model, record),
      onEnd: () => {
        lease.release();
        this.signal.removeEventListener('abort', release);
      },
    });
    return { events, upstreamModel: model, accountId: account.id, accountEmail: account.email, attempts: this.attempts };
  }

  /** After the first event there is no retry: record, mark the account if the failure says so, and fail the stream. */
  private midStreamError(err: unknown, account: Account, model: string, record: AttemptRecord): Error {
    if (this.signal.aborted) return this.finalError(err);
    if (!(err instanceof UpstreamFailure)) {
      record.outcome = 'error';
      return this.finalError(err);
    }
    record.outcome = err.kind;
    record.message = err.message;
    const now = this.ctx.clock.now();
    const decision = decideFailure(err, {
      now,
      model,
      settings: this.settings.scheduling,
      tries: { rateLimitRetries: 0, capacityRetries: 0, tokenRenewed: true },
      random: this.ctx.random,
    });
    if (decision.action === 'switch') this.report(account.id, decision);
    const error = gatewayErrorOf(err, now);
    return new DispatchError(
      new GatewayError(error.kind, `The answer broke off: ${error.message}`, {
        retryAfterSeconds: error.retryAfterSeconds,
        details: error.details,
        cause: err,
      }),
      this.attempts,
    );
  }
}
