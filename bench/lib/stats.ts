// Latency and throughput figures for load runs: nearest-rank percentiles over every request timed.

export interface LoadFigures {
  requests: number;
  errors: number;
  durationMs: number;
  /** Successful requests per second. */
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of ascending-sorted values (p in 0..100); NaN for no values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Figures for successful requests' latencies (ms) measured over durationMs of load. */
export function summarise(latenciesMs: readonly number[], errors: number, durationMs: number): LoadFigures {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    requests: sorted.length,
    errors,
    durationMs,
    rps: durationMs > 0 ? (sorted.length * 1000) / durationMs : 0,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
  };
}

/** Several runs against the same target as one: every latency pooled, durations added. */
export function combine(runs: readonly { latenciesMs: readonly number[]; errors: number; durationMs: number }[]): LoadFigures {
  return summarise(
    runs.flatMap((r) => r.latenciesMs),
    runs.reduce((sum, r) => sum + r.errors, 0),
    runs.reduce((sum, r) => sum + r.durationMs, 0),
  );
}

export function formatFigures(label: string, f: LoadFigures): string {
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  return `${label.padEnd(14)} ${f.rps.toFixed(0).padStart(6)} req/s   p50 ${ms(f.p50).padStart(9)}   p95 ${ms(f.p95).padStart(9)}   p99 ${ms(f.p99).padStart(9)}   max ${ms(f.max).padStart(9)}   (${f.requests} ok, ${f.errors} errors, ${(f.durationMs / 1000).toFixed(1)} s)`;
}
