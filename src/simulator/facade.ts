/** The Simulator object: the in-process control API over one simulator's state. */
import { parseAccountSpec, parseConfigPatch, parseFaultSpec, parseProviderKeySpec } from './specs';
import type { SimState } from './state';
import type { Simulator } from './types';

const DEFAULT_WAIT_MS = 5000;

export function createFacade(state: SimState, close: () => Promise<void>): Simulator {
  const { accounts, faults, log, config } = state;
  return {
    get url() {
      return state.baseUrl;
    },
    get log() {
      return log.entries;
    },
    get config() {
      return config;
    },
    addAccount: (spec) => accounts.info(accounts.add(parseAccountSpec(spec)), config.quotaWindowMs),
    revoke: (email) => accounts.revoke(email),
    accounts: () => accounts.list().map((account) => accounts.info(account, config.quotaWindowMs)),
    issueAccessToken(email) {
      const account = accounts.require(email);
      if (account.revoked) throw new Error(`simulated account ${email} is revoked`);
      return accounts.issueAccessToken(account).accessToken;
    },
    addProviderKey: (spec) => state.providerKeys.add(parseProviderKeySpec(spec)),
    revokeProviderKey: (key) => state.providerKeys.revoke(key),
    providerKeys: () => state.providerKeys.list(),
    injectFault: (spec) => faults.inject(parseFaultSpec(spec)),
    faults: () => faults.list(),
    clearFaults: () => faults.clear(),
    configure(patch) {
      Object.assign(config, parseConfigPatch(patch));
      return { ...config };
    },
    reset() {
      faults.clear();
      log.clear();
    },
    waitForLog: (predicate, timeoutMs = DEFAULT_WAIT_MS) => log.waitFor(predicate, timeoutMs),
    close,
  };
}
