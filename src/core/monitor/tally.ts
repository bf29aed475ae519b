import { LatencyHistogram } from './latency-histogram';

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
}

/** Totals of a bucket, a group or a range, as charts and exports read them. */
export interface StatsTotals {
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  thinkingTokens: number;
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
  latency = new LatencyHistogram();

  add(fact: StatsFact): void {
    this.requests++;
    if (fact.error) this.errors++;
    this.inputTokens += fact.inputTokens;
    this.outputTokens += fact.outputTokens;
    this.cachedTokens += fact.cachedTokens;
    this.thinkingTokens += fact.thinkingTokens;
    this.latency.add(fact.latencyMs);
  }

  merge(other: Tally): void {
    this.requests += other.requests;
    this.errors += other.errors;
    this.inputTokens += other.inputTokens;
    this.outputTokens += other.outputTokens;
    this.cachedTokens += other.cachedTokens;
    this.thinkingTokens += other.thinkingTokens;
    this.latency.merge(other.latency);
  }

  totals(): StatsTotals {
    return {
      requests: this.requests,
      errors: this.errors,
      inputTokens: this.inputTokens,
      outputTokens: this.outputTokens,
      cachedTokens: this.cachedTokens,
      thinkingTokens: this.thinkingTokens,
      p50Ms: this.latency.percentile(0.5),
      p95Ms: this.latency.percentile(0.95),
      p99Ms: this.latency.percentile(0.99),
    };
  }
}
