/** The statistics every figure is built from. Pure functions, unit-tested in bench-statistics.test.ts. */

/**
 * The p-th percentile (0–100) by linear interpolation between closest ranks (numpy's default), so a
 * percentile of few samples moves smoothly instead of jumping between neighbours. NaN for no samples.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  if (p < 0 || p > 100) throw new RangeError(`percentile must be within 0–100, got ${p}`);
  const sorted = [...values].sort((left, right) => left - right);
  const rank = (p / 100) * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  const low = sorted[lower] ?? Number.NaN;
  const high = sorted[upper] ?? Number.NaN;
  return low + (high - low) * (rank - lower);
}

export const median = (values: readonly number[]): number => percentile(values, 50);

export type LatencySummary = { count: number; p50: number; p90: number; p99: number; max: number; mean: number };

export function summarize(values: readonly number[]): LatencySummary {
  const mean = values.length === 0 ? Number.NaN : values.reduce((total, value) => total + value, 0) / values.length;
  return {
    count: values.length,
    p50: percentile(values, 50),
    p90: percentile(values, 90),
    p99: percentile(values, 99),
    max: values.length === 0 ? Number.NaN : Math.max(...values),
    mean,
  };
}

/** Latency a gateway adds at percentile p: p(client→gateway→upstream) − p(client→upstream), same run. */
export const addedLatency = (via: readonly number[], direct: readonly number[], p: number): number => percentile(via, p) - percentile(direct, p);

/**
 * value / baseline; NaN unless the baseline is a positive number, so a broken baseline (or a peer that
 * added no measurable latency) never reads as a pass.
 */
export const ratio = (value: number, baseline: number): number =>
  Number.isFinite(value) && Number.isFinite(baseline) && baseline > 0 ? value / baseline : Number.NaN;

/** Relative growth of `after` over `before` (0.1 = 10% more). */
export const growth = (before: number, after: number): number => ratio(after - before, before);

/**
 * A figure computed inside each run (against that run's own baseline), then the median across runs —
 * never a figure computed from medians of different runs.
 */
export function medianOfRuns<Run>(runs: readonly Run[], figure: (run: Run) => number): { value: number; runs: number[] } {
  const values = runs.map(figure);
  const finite = values.filter((value) => Number.isFinite(value));
  return { value: finite.length === values.length ? median(values) : Number.NaN, runs: values };
}

/**
 * The order variants run in, round by round: rotated each round (A B C, B C A, C A B; for two: A B, B A),
 * so no variant always runs first, on a cold cache, or right after the heaviest one.
 */
export function interleavedOrder<Variant>(variants: readonly Variant[], round: number): Variant[] {
  const shift = variants.length === 0 ? 0 : round % variants.length;
  return [...variants.slice(shift), ...variants.slice(0, shift)];
}

export type Target = { comparison: 'at-most' | 'at-least'; limit: number };

/** Whether a value meets its target; NaN (a missing measurement) never passes. */
export function meetsTarget(value: number, target: Target): boolean {
  if (!Number.isFinite(value)) return false;
  return target.comparison === 'at-most' ? value <= target.limit : value >= target.limit;
}
