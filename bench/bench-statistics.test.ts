import { describe, expect, it } from 'vitest';
import { addedLatency, growth, interleavedOrder, median, medianOfRuns, meetsTarget, percentile, ratio, summarize } from './bench-statistics.ts';

describe('percentile', () => {
  it('interpolates between closest ranks', () => {
    const values = [10, 20, 30, 40];
    expect(percentile(values, 0)).toBe(10);
    expect(percentile(values, 100)).toBe(40);
    expect(percentile(values, 50)).toBe(25);
    expect(percentile(values, 90)).toBeCloseTo(37, 10);
  });

  it('does not depend on input order and leaves the input alone', () => {
    const values = [5, 1, 4, 2, 3];
    expect(percentile(values, 50)).toBe(3);
    expect(values).toEqual([5, 1, 4, 2, 3]);
  });

  it('p99 of 1..100 sits between the two largest samples', () => {
    const values = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(values, 99)).toBeCloseTo(99.01, 10);
  });

  it('is NaN without samples and rejects percentiles outside 0–100', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('summaries and derived figures', () => {
  it('summarizes count, mean, max and percentiles', () => {
    expect(summarize([1, 2, 3, 4, 5])).toEqual({ count: 5, p50: 3, p90: 4.6, p99: 4.96, max: 5, mean: 3 });
    expect(summarize([]).p50).toBeNaN();
  });

  it('added latency is the difference of the same percentile of both samples', () => {
    const direct = [1, 1, 1, 1, 2];
    const via = [1.5, 1.5, 1.5, 1.5, 6];
    expect(addedLatency(via, direct, 50)).toBeCloseTo(0.5, 10);
    expect(addedLatency(via, direct, 100)).toBe(4);
  });

  it('ratio refuses a zero, negative or missing baseline instead of reporting infinity', () => {
    expect(ratio(3, 4)).toBe(0.75);
    expect(ratio(3, 0)).toBeNaN();
    expect(ratio(3, -1)).toBeNaN();
    expect(ratio(Number.NaN, 2)).toBeNaN();
    expect(growth(200, 220)).toBeCloseTo(0.1, 10);
  });

  it('median of an even count averages the middle pair', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('medianOfRuns', () => {
  it('computes the figure within each run, then takes the median across runs', () => {
    const runs = [
      { darkroom: 12, baseline: 10 },
      { darkroom: 30, baseline: 20 },
      { darkroom: 9, baseline: 10 },
    ];
    const result = medianOfRuns(runs, (run) => ratio(run.darkroom, run.baseline));
    expect(result.runs).toEqual([1.2, 1.5, 0.9]);
    expect(result.value).toBe(1.2);
    // Not the ratio of medians (12 / 10), which mixes runs measured under different conditions.
    expect(medianOfRuns([{ a: 1, b: 1 }, { a: 10, b: 20 }, { a: 2, b: 1 }], (run) => run.a / run.b).value).toBe(1);
  });

  it('is NaN when any run failed to produce the figure', () => {
    expect(medianOfRuns([1, Number.NaN, 3], (value) => value).value).toBeNaN();
  });
});

describe('interleavedOrder', () => {
  it('rotates the variants each round so each runs first in turn', () => {
    expect(interleavedOrder(['A', 'B'], 0)).toEqual(['A', 'B']);
    expect(interleavedOrder(['A', 'B'], 1)).toEqual(['B', 'A']);
    expect(interleavedOrder(['A', 'B', 'C'], 1)).toEqual(['B', 'C', 'A']);
    expect(interleavedOrder(['A', 'B', 'C'], 5)).toEqual(['C', 'A', 'B']);
    expect(interleavedOrder([], 3)).toEqual([]);
  });
});

describe('meetsTarget', () => {
  it('compares in the target direction and never passes a missing value', () => {
    expect(meetsTarget(1, { comparison: 'at-most', limit: 1 })).toBe(true);
    expect(meetsTarget(1.01, { comparison: 'at-most', limit: 1 })).toBe(false);
    expect(meetsTarget(70, { comparison: 'at-least', limit: 70 })).toBe(true);
    expect(meetsTarget(Number.NaN, { comparison: 'at-least', limit: 0 })).toBe(false);
  });
});
