/**
 * Routes a request across the Antigravity accounts and the API-key providers:
 * the model (after the user's aliases, which may point at `provider:model`)
 * gives stages by policy; the accounts stage is the existing dispatcher, a
 * providers stage tries each usable provider in priority order under its caps
 * and failure policy. Under `pool-first` the providers are reached only when
 * no account can serve (every one cooling down, exhausted or forbidden: the
 * pool answers 429/503), and the attempt trail says why.
 */
import type { AttemptRecord, DispatchHooks, Dispatcher, GenerationRun, PassthroughOffer, RawAnswer } from '../dispatch';
import { GatewayError } from '../errors';
import type { ModelGroup } from '../config/types';
import type { ChatEvent, ChatRequest, Usage } from '../ir';
import { coreMessage, englishOf } from '../messages';
import type { Clock, Logger } from '../ports';
import { matchAlias } from '../scheduler/model-router';
import { estimateInputTokens } from '../scheduler/token-estimate';
import { UpstreamFailure } from '../upstream/failure';
import type { ProviderUpstream } from '../upstream/provider-upstream';
import { candidateStages, parseProviderRef, type ProviderCandidate, type ProviderPolicy, type ProviderPool } from './provider-pool';
import type { ProviderRegistry } from './registry';
import { shuffled } from '../shuffled';

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
  /** The user's model groups (read per request): a group with `provider:model` members is tried member by member here. */
  groups?: () => Readonly<Record<string, ModelGroup>>;
  /** For `random` groups; Math.random by default. */
  random?: () => number;
  clock: Clock;
  logger: Logger;
}

/** What makes the pool stage give way to the next stage: no account could serve, as opposed to a client error. */
const POOL_EXHAUSTED = new Set(['rate_limit', 'unavailable', 'overloaded']);
/** A group member the accounts do not know gives way to the next member too. */
const MEMBER_UNAVAILABLE = new Set([...POOL_EXHAUSTED, 'not_found']);

/** A stage of a request: the accounts (for the requested model, or one member of a group), or the providers of a model. */
type Stage = { kind: 'pool'; model?: string } | { kind: 'providers'; model: string };

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

/** Usage of a passed-through answer: what it said, with the local estimate for a prompt count it left out. */
function passedUsage(usage: Usage | undefined, estimate: number): Usage {
  if (!usage) return { inputTokens: estimate, cachedInputTokens: 0, outputTokens: 0, thinkingTokens: 0 };
  return usage.inputTokens > 0 ? usage : { ...usage, inputTokens: estimate };
}

/** A passed-through run has bytes, not events. */
async function* noEvents(): AsyncGenerator<ChatEvent, void, undefined> {}

export function createRoutingDispatcher(options: RoutingDispatcherOptions): Dispatcher {
  const { providers, registry, upstream, clock, logger } = options;

  async function openProviders(
    request: ChatRequest,
    model: string,
    signal: AbortSignal,
    hooks: DispatchHooks | undefined,
    trail: AttemptRecord[],
    reasons: string[],
    offer?: PassthroughOffer,
  ): Promise<GenerationRun | undefined> {
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
        const call = { baseUrl: candidate.provider.baseUrl, key, model: candidate.model, signal };
        const passthrough = offer && upstream.passthrough?.accepts(candidate.provider.kind, offer) ? upstream.passthrough : undefined;
        let iterator: AsyncIterator<ChatEvent> | undefined;
        let first: IteratorResult<ChatEvent> | undefined;
        let answer: RawAnswer | undefined;
        try {
          if (passthrough) {
            answer = await passthrough.open(candidate.provider.kind, offer!, call);
          } else {
            iterator = upstream.generate(candidate.provider.kind, { ...request, model: candidate.model }, call)[Symbol.asyncIterator]();
            first = await iterator.next();
          }
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
          record.next = { action: 'switch', note: decision.reason, why: decision.why };
          reasons.push(decision.reason);
          break;
        }
        trail.push(attemptOf(candidate, startedAt, clock.now(), 'ok', answer ? { message: 'passed through (same protocol)' } : {}));
        return {
          events: answer ? noEvents() : recorded(candidate, first!, iterator!),
          ...(answer ? { raw: { ...answer, body: recordedBytes(candidate, answer, estimate) } } : {}),
          upstreamModel: candidate.model,
          accountId: `provider:${candidate.provider.id}`,
          accountEmail: `provider ${candidate.provider.name}`,
          attempts: trail,
        };
      }
    }
    return undefined;
  }

  /**
   * A passed-through answer's bytes as they go out; at their end (or a cut) what the tap read is counted
   * for spend and caps, the local estimate standing in for counts the provider did not send.
   */
  async function* recordedBytes(candidate: ProviderCandidate, answer: RawAnswer, estimate: number): AsyncGenerator<Buffer, void, undefined> {
    try {
      yield* answer.body;
    } catch (err) {
      if (err instanceof UpstreamFailure)
        throw new GatewayError(err.kind === 'timeout' ? 'timeout' : 'bad_gateway', `${candidate.provider.name}: ${err.message}`, { cause: err });
      throw err;
    } finally {
      providers.record(candidate, passedUsage(answer.usage(), estimate));
    }
  }

  /** The answer as it streams; usage is read from the events as they pass, for spend and caps. */
  async function* recorded(
    candidate: ProviderCandidate,
    first: IteratorResult<ChatEvent>,
    iterator: AsyncIterator<ChatEvent>,
  ): AsyncGenerator<ChatEvent, void, undefined> {
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
      if (err instanceof UpstreamFailure)
        throw new GatewayError(err.kind === 'timeout' ? 'timeout' : 'bad_gateway', `${candidate.provider.name}: ${err.message}`, { cause: err });
      throw err;
    } finally {
      // A stream cut short still cost what it used.
      if (!counted && usage && (usage.type === 'usage' || usage.type === 'finish')) providers.record(candidate, usage.usage);
      await iterator.return?.();
    }
  }

  const isProviderRef = (model: string): boolean => {
    const ref = parseProviderRef(model);
    return model.includes(':') && Boolean(ref.model) && registry.find(ref.provider) !== undefined;
  };

  /** A group naming a provider model: its members in turn, each to the accounts or to its provider. The accounts' router handles the others. */
  function groupStages(target: string): Stage[] | undefined {
    const groups = options.groups?.() ?? {};
    if (!Object.hasOwn(groups, target)) return undefined;
    const group = groups[target];
    if (!group.models.some(isProviderRef)) return undefined;
    const members = group.strategy === 'random' ? shuffled(group.models, options.random ?? Math.random) : group.models;
    return members.map((member): Stage => (isProviderRef(member) ? { kind: 'providers', model: member } : { kind: 'pool', model: member }));
  }

  return {
    async open(request, signal, hooks, passthrough) {
      const target = matchAlias(request.model, options.aliases()) ?? request.model;
      const members = groupStages(target);
      const stages: Stage[] =
        members ?? (isProviderRef(target) ? candidateStages('pool-only', target) : candidateStages(options.policy(target), request.model));
      const trail: AttemptRecord[] = [];
      const reasons: string[] = [];
      let poolError: unknown;
      for (const [index, stage] of stages.entries()) {
        if (stage.kind === 'pool') {
          const model = stage.model ?? request.model;
          try {
            const run = await options.pool.open(stage.model ? { ...request, model } : request, signal, hooks);
            return { ...run, attempts: [...trail, ...run.attempts] };
          } catch (err) {
            const last = index === stages.length - 1;
            const givesWay = stage.model ? MEMBER_UNAVAILABLE : POOL_EXHAUSTED;
            if (last || !(err instanceof GatewayError) || !givesWay.has(err.kind)) throw err;
            poolError = err;
            reasons.push(`accounts${stage.model ? ` (${model})` : ''}: ${err.message}`);
            const why = coreMessage(members ? 'attempt.note.nextMember' : 'attempt.note.spillOver');
            const next = { action: 'switch' as const, note: englishOf(why), why };
            trail.push({
              accountId: 'pool',
              accountEmail: 'accounts',
              model,
              startedAt: clock.now(),
              durationMs: 0,
              outcome: err.kind,
              message: err.message,
              next,
            });
            continue;
          }
        }
        const run = await openProviders(request, stage.model, signal, hooks, trail, reasons, passthrough);
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
      if (isProviderRef(target) || groupStages(target)) return estimate;
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
