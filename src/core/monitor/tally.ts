import type { SpendSplit } from '../providers/prices';
import { LatencyHistogram } from './latency-histogram';

const noSpend = (): SpendSplit => ({ uncachedInputUsd: 0, cachedInputUsd: 0, cacheWriteUsd: 0, outputUsd: 0 });

/** What the token stats keep of one finished request. */
export interface StatsFact {
  startedAt: number;
  /** Upstream model, or the client model when the request never reached one. */
  model: string;
  /** Account email; '' when no account was picked. */
  account: string;
  /** Client key name; '' when auth is off. */
  clientKey: string;
  error: boolean;
  latencyMs: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  thinkingTokens: number;
  /** What a request through an API-key provider cost, priced when it finished; absent for the accounts (free). */
  spend?: SpendSplit;
}

/** Totals of a bucket, a group or a range, as charts and exports read them. */
export interface StatsTotals {
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  thinkingTokens: number;
  /** US dollars spent through API-key providers, and how it splits by kind of token. */
  spendUsd: number;
  spend: SpendSplit;
  /** Latency percentiles in ms; null without requests. */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/** Counters plus a latency histogram; tallies of hours add up to days and ranges. */
export class Tally {
  requests = 0;
  errors = 0;
  inputTokens = 0;
  outputTokens = 0;
  cachedTokens = 0;
  thinkingTokens = 0;
  spend: SpendSplit = noSpend();
  latency = new LatencyHistogram();

  add(fact: StatsFact): void {
    this.requests++;
    if (fact.error) this.errors++;
    this.inputTokens += fact.inputTokens;
    this.outputTokens += fact.outputTokens;
    this.cachedTokens += fact.cachedTokens;
    this.thinkingTokens += fact.thinkingTokens;
    if (fact.spend) this.addSpend(fact.spend);
    this.latency.add(fact.latencyMs);
  }

  merge(other: Tally): void {
    this.requests += other.requests;
    this.errors += other.errors;
    this.inputTokens += other.inputTokens;
    this.outputTokens += other.outputTokens;
    this.cachedTokens += other.cachedTokens;
    this.thinkingTokens += other.thinkingTokens;
    this.addSpend(other.spend);
    this.latency.merge(other.latency);
  }

  addSpend(more: SpendSplit): void {
    this.spend.uncachedInputUsd += more.uncachedInputUsd;
    this.spend.cachedInputUsd += more.cachedInputUsd;
    this.spend.cacheWriteUsd += more.cacheWriteUsd;
    this.spend.outputUsd += more.outputUsd;
  }

  totals(): StatsTotals {
    return {
      requests: this.requests,
      errors: this.errors,
      inputTokens: this.inputTokens,
      outputTokens: this.outputTokens,
      cachedTokens: this.cachedTokens,
      thinkingTokens: this.thinkingTokens,
      spendUsd: this.spend.uncachedInputUsd + this.spend.cachedInputUsd + this.spend.cacheWriteUsd + this.spend.outputUsd,
      spend: { ...this.spend },
      p50Ms: this.latency.percentile(0.5),
      p95Ms: this.latency.percentile(0.95),
      p99Ms: this.latency.percentile(0.99),
    };
  }
}
