import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { meetsTarget, medianOfRuns, type Target } from './bench-statistics.ts';

export type FigureStatus = 'pass' | 'fail' | 'info' | 'unavailable';

export type Figure = {
  /** Stable key, e.g. `control.added_p50_c1`. */
  id: string;
  scenario: string;
  name: string;
  /** Median across runs; undefined when unavailable. */
  value: number | undefined;
  unit: string;
  target: Target | undefined;
  status: FigureStatus;
  /** The figure in each interleaved run, in run order. */
  runs: number[];
  note?: string;
};

export type FigureBase = { id: string; scenario: string; name: string; unit: string; target?: Target; note?: string };

/**
 * A figure measured in every run, judged against its target (none = informational). The value is the
 * median across runs; failure counts are summed and memory peaks and success rates take the worst run
 * instead, so one bad run cannot hide behind two good ones.
 */
export function measuredFigure<Run>(
  base: FigureBase & { aggregate?: 'median' | 'max' | 'min' | 'sum' },
  runs: readonly Run[],
  compute: (run: Run) => number,
): Figure {
  const { aggregate = 'median', ...rest } = base;
  const median = medianOfRuns(runs, compute);
  const complete = median.runs.length > 0 && median.runs.every((value) => Number.isFinite(value));
  const value =
    aggregate === 'median' ? median.value
    : !complete ? Number.NaN
    : aggregate === 'max' ? Math.max(...median.runs)
    : aggregate === 'min' ? Math.min(...median.runs)
    : median.runs.reduce((total, run) => total + run, 0);
  const status: FigureStatus = rest.target ? (meetsTarget(value, rest.target) ? 'pass' : 'fail') : 'info';
  return { ...rest, target: rest.target, value, runs: median.runs, status };
}

/** A figure that could not be measured (e.g. its endpoint does not exist yet), with the reason. */
export function unavailableFigure(base: FigureBase, reason: string): Figure {
  return { ...base, target: base.target, value: undefined, runs: [], status: 'unavailable', note: reason };
}

export const atMost = (limit: number): Target => ({ comparison: 'at-most', limit });
export const atLeast = (limit: number): Target => ({ comparison: 'at-least', limit });

const formatNumber = (value: number): string => {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  return value.toFixed(2);
};

const formatTarget = (target: Target | undefined, unit: string): string =>
  target ? `${target.comparison === 'at-most' ? '≤' : '≥'} ${formatNumber(target.limit)} ${unit}`.trim() : '';

/** The one table the harness prints: figure, value, target, pass/fail. */
export function formatTable(figures: readonly Figure[]): string {
  const rows = figures.map((figure) => [
    figure.id,
    figure.value === undefined ? '—' : `${formatNumber(figure.value)} ${figure.unit}`.trim(),
    formatTarget(figure.target, figure.unit),
    figure.status,
    figure.status === 'unavailable' ? (figure.note ?? '') : figure.runs.map(formatNumber).join(' / '),
  ]);
  const header = ['figure', 'value (median)', 'target', 'result', 'runs / note'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

export type BenchReport = {
  startedAt: string;
  finishedAt: string;
  mode: string;
  machine: Record<string, unknown>;
  figures: Figure[];
  details: Record<string, unknown>;
};

/** Writes `<directory>/<timestamp>.json` and `<directory>/latest.json`; returns the timestamped path. */
export function writeReport(directory: string, report: BenchReport): string {
  mkdirSync(directory, { recursive: true });
  const json = JSON.stringify(report, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2);
  const path = join(directory, `${report.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(path, `${json}\n`);
  writeFileSync(join(directory, 'latest.json'), `${json}\n`);
  return path;
}
