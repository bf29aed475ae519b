import type { AdminAccount } from '../core/admin/types';
import type { GatewayState } from './gateway-service';
import type { RemoteGatewayState } from './remote-gateway';

/**
 * What the status bar item shows, reduced to a string: the status bar re-renders only when this changes. The pool
 * reports an account "updated" on every request it serves (last use, in-flight counts), and the owning window's
 * event stream does the same, so without this the item (text, tooltip, background, accessibility label, each a
 * message to the renderer) would be rewritten on every request. Only fields the item shows go in: the gateway
 * state, and per account its email, plan, state, usability, quota error and each model's quota, limit and reset.
 * The tooltip's relative reset times ("in 3 h") are as of the last render, as they were before. With a team
 * gateway in use (`remote`), its state and pool quota, as polled, go in too: a poll that finds the same quota
 * rewrites nothing.
 */
export function statusBarContentKey(state: GatewayState, accounts: readonly AdminAccount[], preferredModel: string, remote?: RemoteGatewayState): string {
  return JSON.stringify({
    state: gatewayStateShown(state),
    ...(remote && remote.kind !== 'off' && { remote }),
    preferredModel,
    accounts: accounts.map((account) => ({
      email: account.email,
      plan: account.plan,
      state: account.state,
      usable: account.usable,
      quotaError: account.quotaError,
      models: account.models.map((model) => [model.model, model.remainingFraction, model.resetAt, model.limit?.kind, model.limit?.until]),
    })),
  });
}

function gatewayStateShown(state: GatewayState): unknown {
  switch (state.kind) {
    case 'running':
      return [state.kind, state.url, state.owner !== undefined];
    case 'stopped':
      return [state.kind, state.owner !== undefined];
    case 'starting':
      return [state.kind];
    case 'failed':
      return [state.kind, state.error.message];
  }
}
