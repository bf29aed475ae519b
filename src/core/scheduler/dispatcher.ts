import { availability } from '../accounts/account-state';
import type { SchedulableAccounts } from '../accounts/types';
import type { Dispatcher, TokenCount } from '../dispatch';
import { GatewayError } from '../errors';
import type { ChatRequest } from '../ir';
import { silentLogger, systemClock, type Clock, type Logger } from '../ports';
import type { SharedCache } from '../stores/shared-cache';
import type { Upstream, UpstreamCall } from '../upstream/upstream';
import { createConcurrencyGate, type SharedSlots } from './concurrency';
import { conversationKeyOf } from './conversation';
import { liveModelsOf, resolveModel } from './model-router';
import { openGeneration, type DispatchContext, type HostTry, type SchedulerSettings } from './open-generation';
import { createAccountSelector } from './selector';
import { estimateInputTokens } from './token-estimate';

export interface DispatcherOptions {
  accounts: SchedulableAccounts;
  /** `hostAttempts` (the Cloud Code upstream has it) gives one trail entry per host tried; `hostOf` at least the host. */
  upstream: Upstream & {
    hostOf?(call: UpstreamCall): string | undefined;
    hostAttempts?(call: UpstreamCall): readonly HostTry[];
  };
  /** Read at the start of every request, so setting changes apply to the next one. A GatewayConfig fits. */
  settings: () => SchedulerSettings;
  clock?: Clock;
  logger?: Logger;
  random?: () => number;
  /** Team mode: conversation → account bindings shared with the other instances. */
  shared?: SharedCache;
  /** Team mode: the concurrency limits across the instances. */
  slots?: SharedSlots;
}

/** The pool + scheduler behind the request pipeline (src/core/dispatch.ts). */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const clock = options.clock ?? systemClock;
  const gate = createConcurrencyGate({
    clock,
    shared: options.slots,
    limits: () => {
      const { perAccountConcurrency, perModelConcurrency } = options.settings().scheduling;
      return { perAccount: perAccountConcurrency, perAccountModel: perModelConcurrency };
    },
  });
  const { upstream } = options;
  const context: DispatchContext = {
    accounts: options.accounts,
    upstream,
    hostOf: upstream.hostOf ? (call) => upstream.hostOf?.(call) : undefined,
    hostAttempts: upstream.hostAttempts ? (call) => upstream.hostAttempts?.(call) : undefined,
    gate,
    selector: createAccountSelector({ inFlight: gate.inFlight, shared: options.shared }),
    clock,
    logger: options.logger ?? silentLogger,
    random: options.random ?? Math.random,
  };

  /**
   * Counted by the upstream with the best account for the model; any failure
   * (or no usable account) falls back to a local estimate, since a count is
   * advisory and must not fail the client.
   */
  async function countTokens(request: ChatRequest, signal: AbortSignal): Promise<TokenCount> {
    const estimate: TokenCount = { inputTokens: estimateInputTokens(request), estimated: true };
    const accounts = options.accounts.snapshot();
    if (accounts.length === 0) return estimate;
    const settings = options.settings();
    const [model] = resolveModel(request.model, settings.models, liveModelsOf(accounts), context.random).models;
    const now = clock.now();
    const account = accounts
      .filter((a) => availability(a, model, now).usable)
      .sort((a, b) => a.priority - b.priority || gate.inFlight(a.id) - gate.inFlight(b.id))[0];
    if (!account) return estimate;
    try {
      const accessToken = await options.accounts.accessToken(account.id, signal);
      const conversation = conversationKeyOf(request);
      const inputTokens = await upstream.countTokens(request, {
        accountId: account.id,
        accessToken,
        projectId: account.projectId,
        model,
        conversation: conversation ?? `count:${account.id}`,
        signal,
      });
      return { inputTokens, estimated: false };
    } catch (err) {
      signal.throwIfAborted();
      // A request the gateway itself refuses (a tool schema past the expansion budget) is the client's to fix.
      if (err instanceof GatewayError && err.kind === 'invalid_request') throw err;
      context.logger.debug('countTokens fell back to an estimate', { model, error: (err as Error)?.message });
      return estimate;
    }
  }

  return {
    open: (request, signal, hooks) => openGeneration(context, options.settings(), request, signal, hooks),
    countTokens,
    inFlight: () => gate.totalInFlight(),
  };
}
