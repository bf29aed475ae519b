/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function median(values) {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 ? finite[mid] : (finite[mid - 1] + finite[mid]) / 2;
}

function distribution(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN };
}

/** Per-run figures from the generator's samples. */
export function summarize(samples) {
  const statuses = {};
  for (const sample of samples) statuses[sample.status] = (statuses[sample.status] ?? 0) + 1;
  const ok = samples.filter((s) => s.status >= 200 && s.status < 300 && Number.isFinite(s.total));
  return {
    measured: samples.length,
    ok: ok.length,
    failed: samples.length - ok.length,
    statuses,
    total: distribution(ok.map((s) => s.total)),
    ttfb: distribution(ok.map((s) => s.ttfb)),
    ttft: distribution(ok.map((s) => s.ttft)),
    chunks: median(ok.map((s) => s.chunks)),
    gapMean: median(ok.map((s) => s.gapMean)),
    gapMax: distribution(ok.map((s) => s.gapMax)).p50,
  };
}
