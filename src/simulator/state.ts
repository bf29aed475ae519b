/** Everything one simulator instance holds, shared by its handlers. */
import { AccountRegistry } from './accounts';
import { FaultBook } from './faults';
import { PromptCache } from './prompt-cache';
import { ProviderKeyBook } from './providers/keys';
import { RequestLog } from './request-log';
import { ThoughtSigner } from './signatures';
import { DEFAULT_CONFIG, type SimulatorConfig, type SimulatorOptions } from './types';

export class SimState {
  readonly config: SimulatorConfig;
  readonly now: () => number;
  readonly accounts: AccountRegistry;
  readonly faults = new FaultBook();
  readonly log: RequestLog;
  readonly signer: ThoughtSigner;
  readonly promptCache = new PromptCache();
  readonly providerKeys = new ProviderKeyBook();
  /** Set once the server listens. */
  baseUrl = '';
  private sequence = 0;

  constructor(options: SimulatorOptions, config: Partial<SimulatorConfig>) {
    this.config = { ...DEFAULT_CONFIG, ...config };
    this.now = options.now ?? Date.now;
    this.accounts = new AccountRegistry(this.now);
    this.log = new RequestLog(options.maxLogEntries ?? 10_000);
    this.signer = new ThoughtSigner(options.signatureSecret);
  }

  /** Source of deterministic response, trace, call and operation ids. */
  nextSequence(): number {
    this.sequence += 1;
    return this.sequence;
  }
}
