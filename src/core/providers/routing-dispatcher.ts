/**
 * Routes a request across the Antigravity accounts and the API-key providers:
 * the model (after the user's aliases, which may point at `provider:model`)
 * gives stages by policy; the accounts stage is the existing dispatcher, a
 * providers stage tries each usable provider in priority order under its caps
 * and failure policy. Under `pool-first` the providers are reached only when
 * no account can serve (every one cooling down, exhausted or forbidden: the
 * pool answers 429/503), and the attempt trail says why.
 */
import type { AttemptRecord, DispatchHooks, Dispatcher, GenerationRun } from '../dispatch';
import { GatewayError } from '../errors';
import type { ChatEvent, ChatRequest } from '../ir';
import type { Clock, Logger } from '../ports';
import { matchAlias } from '../scheduler/model-router';
import { estimateInputTokens } from '../scheduler/token-estimate';
import { UpstreamFailure } from '../upstream/failure';
import type { ProviderUpstream } from '../upstream/provider-upstream';
import { candidateStages, parseProviderRef, type ProviderCandidate, type ProviderPolicy, type ProviderPool } from './provider-pool';
import type { ProviderRegistry } from './registry';

export interface RoutingDispatcherOptions {
  /** The accounts' dispatcher. */
  pool: Dispatcher;
  providers: ProviderPool;
  registry: ProviderRegistry;
  upstream: ProviderUpstream;
  /** The user's aliases (read per request). */
  aliases: () => Readonly<Record<string, string>>;
  /** The policy for a model id (after aliases); `pool-only` by default. */
  policy: (model: string) => ProviderPolicy;
  clock: Clock;
  logger: Logger;
}

/** What makes the pool stage give way to the next stage: no account could serve, as opposed to a client error. */
const POOL_EXHAUSTED = new Set(['rate_limit', 'unavailable', 'overloaded']);

const attemptOf = (candidate: ProviderCandidate, startedAt: number, now: number, outcome: string, extra: Partial<AttemptRecord> = {}): AttemptRecord => ({
  accountId: `provider:${candidate.provider.id}`,
  accountEmail: `provider ${candidate.provider.name}`,
  model: candidate.model,
  host: candidate.provider.baseUrl,
  startedAt,
  durationMs: now - startedAt,
  outcome,
  ...extra,
});

function clientError(failure: UpstreamFailure, provider: string): GatewayError {
  const kind = failure.kind === 'not_found' ? 'not_found' : 'invalid_request';
  return new GatewayError(kind, `${provider}: ${failure.message}`, { cause: failure });
}

export function createRoutingDispatcher(options: RoutingDispatcherOptions): Dispatcher {
  const { providers, registry, upstream, clock, logger } = options;

  async function openProviders(request: ChatRequest, model: string, signal: AbortSignal, hooks: DispatchHooks | undefined, trail: AttemptRecord[], reasons: string[]): Promise<GenerationRun | undefined> {
    const { usable, skipped } = providers.candidates(model);
    for (const skip of skipped) reasons.push(`${skip.provider}: ${skip.reason}`);
    const estimate = estimateInputTokens(request);
    for (const candidate of usable) {
      for (let attempt = 0; ; attempt++) {
        signal.throwIfAborted();
        try {
          providers.admit(candidate, estimate);
        } catch (err) {
          if (!(err instanceof GatewayError)) throw err;
          reasons.push(err.message);
          break;
        }
        const key = await registry.key(candidate.provider.id);
        const startedAt = clock.now();
        if (!key) {
          reasons.push(`${candidate.provider.name}: its key is missing from the secret store; add it again`);
          break;
        }
        const events = upstream.generate(candidate.provider.kind, { ...request, model: candidate.model }, { baseUrl: candidate.provider.baseUrl, key, model: candidate.model, signal });
        const iterator = events[Symbol.asyncIterator]();
        let first: IteratorResult<ChatEvent>;
        try {
          first = await iterator.next();
        } catch (err) {
          signal.throwIfAborted();
          if (err instanceof GatewayError) throw err; // the request cannot be expressed for this provider (a clear 400)
          const failure = err instanceof UpstreamFailure ? err : new UpstreamFailure('network', String(err));
          const decision = providers.onFailure(candidate, failure, attempt);
          const record = attemptOf(candidate, startedAt, clock.now(), failure.reason ?? failure.kind, { status: failure.status, message: failure.message });
          trail.push(record);
          if (decision.action === 'fail') throw clientError(failure, candidate.provider.name);
          if (decision.action === 'retry') {
            record.next = { action: 'retry', waitMs: decision.delayMs, note: failure.message };
            hooks?.onWaiting?.();
            await clock.sleep(decision.delayMs, signal);
            continue;
          }
          record.next = { action: 'switch', note: decision.reason };
          reasons.push(decision.reason);
          break;
        }
        trail.push(attemptOf(candidate, startedAt, clock.now(), 'ok'));
        return {
          events: recorded(candidate, first, iterator),
          upstreamModel: candidate.model,
          accountId: `provider:${candidate.provider.id}`,
          accountEmail: `provider ${candidate.provider.name}`,
          attempts: trail,
        };
      }
    }
    return undefined;
  }

  /** The answer as it streams; usage is read from the events as they pass, for spend and caps. */
  async function* recorded(candidate: ProviderCandidate, first: IteratorResult<ChatEvent>, iterator: AsyncIterator<ChatEvent>): AsyncGenerator<ChatEvent, void, undefined> {
    let usage: ChatEvent | undefined;
    let counted = false;
    try {
      for (let result = first; !result.done; result = await iterator.next()) {
        const event = result.value;
        if (event.type === 'usage' || event.type === 'finish') usage = event;
        if (event.type === 'finish') {
          providers.record(candidate, event.usage);
          counted = true;
        }
        yield event;
      }
    } catch (err) {
      if (err instanceof UpstreamFailure) throw new GatewayError(err.kind === 'timeout' ? 'timeout' : 'bad_gateway', `${candidate.provider.name}: ${err.message}`, { cause: err });
      throw err;
    } finally {
      // A stream cut short still cost what it used.
      if (!counted && usage && (usage.type === 'usage' || usage.type === 'finish')) providers.record(candidate, usage.usage);
      await iterator.return?.();
    }
  }

  return {
    async open(request, signal, hooks) {
      const target = matchAlias(request.model, options.aliases()) ?? request.model;
      const explicit = target.includes(':') && registry.find(parseProviderRef(target).provider) !== undefined;
      const stages = explicit ? candidateStages('pool-only', target) : candidateStages(options.policy(target), request.model);
      const trail: AttemptRecord[] = [];
      const reasons: string[] = [];
      let poolError: unknown;
      for (const [index, stage] of stages.entries()) {
        if (stage.kind === 'pool') {
          try {
            const run = await options.pool.open(request, signal, hooks);
            return { ...run, attempts: [...trail, ...run.attempts] };
          } catch (err) {
            const last = index === stages.length - 1;
            if (last || !(err instanceof GatewayError) || !POOL_EXHAUSTED.has(err.kind)) throw err;
            poolError = err;
            reasons.push(`accounts: ${err.message}`);
            trail.push({ accountId: 'pool', accountEmail: 'accounts', model: request.model, startedAt: clock.now(), durationMs: 0, outcome: err.kind, message: err.message, next: { action: 'switch', note: 'no account can serve: spilling over to the providers' } });
            continue;
          }
        }
        const run = await openProviders(request, stage.model, signal, hooks, trail, reasons);
        if (run) return run;
      }
      logger.debug('no account or provider could serve', { model: request.model, reasons });
      const capped = reasons.some((reason) => /cap of|cooling down|rate limited/.test(reason));
      const message = reasons.length > 0 ? `No account or provider can serve ${request.model}: ${reasons.join('; ')}` : `No provider serves ${request.model}`;
      if (poolError instanceof GatewayError && reasons.length <= 1) throw poolError;
      throw new GatewayError(capped ? 'rate_limit' : 'unavailable', message);
    },
    /** The accounts count what they serve; a provider model (or a model no account knows) gets the local estimate, never a 404. */
    async countTokens(request, signal) {
      const target = matchAlias(request.model, options.aliases()) ?? request.model;
      const estimate = { inputTokens: estimateInputTokens(request), estimated: true };
      if (target.includes(':') && registry.find(parseProviderRef(target).provider)) return estimate;
      try {
        return await options.pool.countTokens(request, signal);
      } catch (err) {
        if (err instanceof GatewayError && err.kind === 'not_found' && providers.candidates(target).usable.length > 0) return estimate;
        throw err;
      }
    },
    inFlight: () => options.pool.inFlight(),
  };
}
