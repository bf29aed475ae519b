/**
 * Latency distribution in fixed log-scale buckets, so that histograms of any
 * hours merge by adding counts and percentiles of a day or a range come out
 * of the merge. Eight buckets per doubling: a percentile is reported as its
 * bucket's geometric middle, at most 2^(1/16) − 1 ≈ 4.4 % from the true value,
 * and never outside the smallest and largest latency seen (so a lone request
 * reads exactly). Bucket 0 holds latencies under 1 ms; the last one everything
 * from 2^22 ms (70 minutes) up.
 */
const PER_DOUBLING = 8;
const DOUBLINGS = 22;
export const HISTOGRAM_BUCKETS = 1 + PER_DOUBLING * DOUBLINGS + 1;
const LAST = HISTOGRAM_BUCKETS - 1;

export class LatencyHistogram {
  readonly counts = new Uint32Array(HISTOGRAM_BUCKETS);
  total = 0;
  min = Infinity;
  max = -Infinity;

  add(latencyMs: number): void {
    this.counts[bucketOf(latencyMs)]++;
    this.total++;
    if (latencyMs < this.min) this.min = latencyMs;
    if (latencyMs > this.max) this.max = latencyMs;
  }

  merge(other: LatencyHistogram): void {
    for (let index = 0; index < HISTOGRAM_BUCKETS; index++) this.counts[index] += other.counts[index];
    this.total += other.total;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
  }

  /** The latency below which a `fraction` (0..1) of the requests fall, in ms; null without requests. */
  percentile(fraction: number): number | null {
    if (this.total === 0) return null;
    const rank = Math.max(1, Math.ceil(fraction * this.total));
    let seen = 0;
    for (let index = 0; index < HISTOGRAM_BUCKETS; index++) {
      seen += this.counts[index];
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, valueOf(index)));
    }
    return this.max;
  }

  /** `[min, max, index, count, index, count, …]` over the non-empty buckets, for the snapshot files. */
  toSparse(): number[] {
    if (this.total === 0) return [];
    const sparse = [this.min, this.max];
    for (let index = 0; index < HISTOGRAM_BUCKETS; index++) if (this.counts[index] > 0) sparse.push(index, this.counts[index]);
    return sparse;
  }

  /** The inverse of `toSparse`; pairs out of range are ignored. */
  static fromSparse(sparse: unknown): LatencyHistogram {
    const histogram = new LatencyHistogram();
    if (!Array.isArray(sparse) || typeof sparse[0] !== 'number' || typeof sparse[1] !== 'number') return histogram;
    [histogram.min, histogram.max] = sparse as number[];
    for (let at = 2; at + 1 < sparse.length; at += 2) {
      const index: unknown = sparse[at];
      const count: unknown = sparse[at + 1];
      if (!Number.isInteger(index) || (index as number) < 0 || (index as number) > LAST) continue;
      if (!Number.isInteger(count) || (count as number) < 0) continue;
      histogram.counts[index as number] += count as number;
      histogram.total += count as number;
    }
    return histogram;
  }
}

function bucketOf(latencyMs: number): number {
  if (!(latencyMs >= 1)) return 0; // also NaN and negatives from a clock step
  return Math.min(LAST, 1 + Math.floor(Math.log2(latencyMs) * PER_DOUBLING));
}

/** Geometric middle of a bucket, rounded to whole ms (bucket 0 reads as 0). */
function valueOf(index: number): number {
  if (index === 0) return 0;
  return Math.round(2 ** ((index - 0.5) / PER_DOUBLING));
}
