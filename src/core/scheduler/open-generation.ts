import { randomUUID } from 'node:crypto';
import type { AccountRecord, SchedulableAccounts } from '../accounts/types';
import type { GatewayConfig } from '../config/types';
import type { AttemptRecord, GenerationRun } from '../dispatch';
import { GatewayError, toGatewayError } from '../errors';
import type { ChatEvent, ChatRequest } from '../ir';
import type { Clock, Logger } from '../ports';
import { UpstreamFailure } from '../upstream/failure';
import type { Upstream, UpstreamCall } from '../upstream/upstream';
import { committedEvents } from './committed-run';
import type { ConcurrencyGate, Lease } from './concurrency';
import { conversationKeyOf, sessionIdOf } from './conversation';
import { DispatchError, gatewayErrorOf, NO_ACCOUNT_MESSAGE, rateLimitDetailsOf, secondsUntil } from './errors';
import { capacityBackoffMs, decideFailure, type FailureDecision, type TriesSoFar } from './failure-policy';
import { liveModelsOf, resolveModel, type ModelRouting, type ResolvedModel } from './model-router';
import type { AccountSelector, UnavailableAccount } from './selector';

/**
 * One request's way to its first event: pick an account, try, and on failure
 * do what the failure policy says, within the attempt and time budgets.
 * Retries happen only before the first event; after it the run is committed.
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
  gate: ConcurrencyGate;
  selector: AccountSelector;
  clock: Clock;
  logger: Logger;
  random: () => number;
}

type Account = Readonly<AccountRecord>;

type Choice =
  | { kind: 'candidates'; model: string; accounts: Account[] }
  | { kind: 'wait'; model: string; account: Account; until: number }
  | { kind: 'limited'; model: string; until: number }
  | { kind: 'unavailable'; model: string; accounts: UnavailableAccount[] };

const ABORTED_MESSAGE = 'The client went away before the answer started';

function describe(account: UnavailableAccount, model: string): string {
  switch (account.reason) {
    case 'disabled':
      return `${account.email} is disabled`;
    case 'needs_reauth':
      return `${account.email} needs to sign in again${account.detail ? ` (${account.detail})` : ''}`;
    case 'forbidden':
      return `${account.email} is blocked by Google${account.detail ? ` (${account.detail})` : ''}`;
    case 'unsupported':
      return `${account.email} does not offer ${model}`;
    default:
      return `${account.email} is ${account.reason}`;
  }
}

/** Reads the upstream answer to its end; the events after the first, replayable. */
async function bufferedRest(first: IteratorResult<ChatEvent>, rest: AsyncIterator<ChatEvent>): Promise<AsyncIterator<ChatEvent>> {
  const events: ChatEvent[] = [];
  if (!first.done) for (let step = await rest.next(); !step.done; step = await rest.next()) events.push(step.value);
  // A plain iterator over the array: an async generator would cost a few promises per event for nothing.
  let index = 0;
  return {
    next: () =>
      Promise.resolve<IteratorResult<ChatEvent>>(
        index < events.length ? { done: false, value: events[index++] } : { done: true, value: undefined },
      ),
  };
}

export function openGeneration(
  context: DispatchContext,
  settings: SchedulerSettings,
  request: ChatRequest,
  signal: AbortSignal,
): Promise<GenerationRun> {
  return new GenerationOpener(context, settings, request, signal).open();
}

class GenerationOpener {
  private readonly attempts: AttemptRecord[] = [];
  private readonly startedAt: number;
  /** Accounts this request gave up on, per model, without marking them (server, network, timeout, capacity). */
  private readonly excluded = new Map<string, Set<string>>();
  /** Rounds over the excluded accounts so far, for the backoff between rounds. */
  private rounds = 0;
  private lastFailure?: UpstreamFailure;
  private dropSignatures = false;
  private queueDeadline?: number;
  private conversation?: string;
  private sessionId = '';

  constructor(
    private readonly ctx: DispatchContext,
    private readonly settings: SchedulerSettings,
    private readonly request: ChatRequest,
    private readonly signal: AbortSignal,
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
      this.sessionId = sessionIdOf(this.conversation ?? randomUUID());
      for (;;) {
        this.checkBudget();
        const choice = this.choose(route);
        if (choice.kind === 'candidates') {
          const leased = this.lease(choice.model, choice.accounts);
          if (!leased) {
            await this.waitForSlot(choice.model);
            continue;
          }
          const run = await this.tryAccount(leased.account, choice.model, leased.lease);
          if (run) return run;
        } else if (choice.kind === 'wait') {
          await this.pause(choice.until - this.ctx.clock.now());
        } else if (choice.kind === 'limited') {
          await this.waitForReset(choice.model, choice.until);
        } else if (this.excluded.size > 0) {
          // Only this request's transient failures (5xx, network, capacity) keep the accounts out: they may
          // have passed, so start a new round over them after a backoff, within the attempt and time budget.
          this.excluded.clear();
          await this.pause(capacityBackoffMs(this.rounds++, this.ctx.random));
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

  private lease(model: string, accounts: Account[]): { account: Account; lease: Lease } | undefined {
    for (const account of accounts) {
      const lease = this.ctx.gate.tryAcquire(account.id, model);
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

  /** Sleeps unless that would overrun the retry budget. */
  private async pause(ms: number): Promise<void> {
    if (ms <= 0) return;
    if (this.ctx.clock.now() + ms > this.startedAt + this.settings.scheduling.retryBudgetMs) {
      throw this.budgetError('the next try would exceed the retry budget');
    }
    await this.ctx.clock.sleep(ms, this.signal);
  }

  private async waitForReset(model: string, until: number): Promise<void> {
    const now = this.ctx.clock.now();
    const { waitForResetMaxMs, retryBudgetMs } = this.settings.scheduling;
    const wait = until - now;
    if (wait > waitForResetMaxMs || now + wait > this.startedAt + retryBudgetMs) {
      const seconds = secondsUntil(until, now);
      throw new GatewayError('rate_limit', `All accounts are rate-limited for ${model}; the first is free again in ${seconds} s`, {
        retryAfterSeconds: seconds,
        details: rateLimitDetailsOf(this.lastFailure),
      });
    }
    await this.ctx.clock.sleep(wait, this.signal);
  }

  private checkBudget(): void {
    const { maxAttempts, retryBudgetMs } = this.settings.scheduling;
    if (this.attempts.length >= maxAttempts) throw this.budgetError(`gave up after ${this.attempts.length} attempts`);
    if (this.ctx.clock.now() - this.startedAt >= retryBudgetMs) {
      throw this.budgetError(`gave up after ${Math.round(retryBudgetMs / 1000)} s of retries`);
    }
  }

  private budgetError(note: string): GatewayError {
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
    if (failure && (!accountLevel || accounts.length === 0)) return gatewayErrorOf(failure, this.ctx.clock.now());
    const reasons = accounts.map((a) => describe(a, model)).join('; ');
    return new GatewayError('unavailable', `No usable Google account for ${model}: ${reasons}`);
  }

  private finalError(err: unknown): DispatchError {
    if (this.signal.aborted) return new DispatchError(new GatewayError('api_error', ABORTED_MESSAGE, { cause: err }), this.attempts);
    if (!(err instanceof GatewayError)) this.ctx.logger.error('dispatch failed unexpectedly', { error: (err as Error)?.message });
    return new DispatchError(toGatewayError(err), this.attempts);
  }

  private finishRecord(record: AttemptRecord, call: UpstreamCall | undefined, outcome: string, message?: string): void {
    record.durationMs = this.ctx.clock.now() - record.startedAt;
    record.outcome = outcome;
    if (message) record.message = message;
    const host = call && this.ctx.hostOf?.(call);
    if (host) record.host = host;
  }

  /** Tries one account until it answers, the policy moves on (undefined), or the request fails (throws). */
  private async tryAccount(account: Account, model: string, lease: Lease): Promise<GenerationRun | undefined> {
    const tries: TriesSoFar = {
      rateLimitRetries: 0,
      capacityRetries: 0,
      tokenRenewed: false,
      signaturesDropped: this.dropSignatures,
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
            sessionId: this.sessionId,
            signal: this.signal,
          };
          const modelInfo = account.quota?.models.find((m) => m.id === model);
          if (modelInfo) call.modelInfo = modelInfo;
          if (this.dropSignatures) call.dropSignatures = true;
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
            this.finishRecord(record, call, 'error', (err as Error)?.message);
            throw err;
          }
          this.finishRecord(record, call, err.kind, err.message);
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
          if (decision.action === 'fail') throw gatewayErrorOf(err, this.ctx.clock.now());
          if (decision.action === 'switch') {
            this.report(account.id, decision);
            // Marked accounts are kept out by their mark (and may come back within this request).
            if (!decision.mark) this.exclude(model, account.id);
            return undefined;
          }
          if (decision.renewToken) {
            tries.tokenRenewed = true;
            rejectedToken = token;
          }
          if (decision.dropSignatures) tries.signaturesDropped = this.dropSignatures = true;
          if (err.kind === 'rate_limited') tries.rateLimitRetries++;
          if (err.kind === 'capacity') tries.capacityRetries++;
          await this.pause(decision.delayMs);
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
      this.ctx.selector.bind(this.conversation, account.id);
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
      tries: { rateLimitRetries: 0, capacityRetries: 0, tokenRenewed: true, signaturesDropped: true },
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
