import { submitQueueJobs, type BenchContext, type Scenario } from '../bench-context.ts';
import { growth, percentile } from '../bench-statistics.ts';
import { atLeast, atMost, measuredFigure, type FigureBase } from '../bench-report.ts';
import { runOpenLoop } from '../closed-loop-client.ts';

type Round = {
  requests: number;
  admitted: number;
  rejections: number;
  rejectionsWithRetryAfter: number;
  unexpected: number;
  rejectionLatenciesMs: number[];
  plateauRssBytes: number;
  peakRssBytes: number;
  durationMs: number;
};

const scenario = 'overload';
const body = JSON.stringify({ model: 'bench-sleep', prompt: 'a lighthouse at dusk, oil painting' });

const figures = {
  retryAfter: { id: 'overload.rejections_with_retry_after_pct', scenario, name: 'rejections that are 429/503 with Retry-After (worst run)', unit: '%', target: atLeast(100) },
  unexpected: { id: 'overload.unexpected_answers', scenario, name: 'answers other than 2xx/429/503, and connection errors', unit: '', target: atMost(0) },
  rejectionP99: { id: 'overload.rejection_p99', scenario, name: 'rejection latency p99 (from scheduled send)', unit: 'ms', target: atMost(5) },
  rssGrowth: { id: 'overload.rss_growth_pct', scenario, name: 'RSS growth during overload over its plateau (worst run)', unit: '%', target: atMost(10) },
  offered: { id: 'overload.offered_vs_capacity', scenario, name: 'requests sent ÷ queue capacity (≥ 2 = at 2× capacity)', unit: '×', target: atLeast(2) },
  rejectionRate: { id: 'overload.rejections_per_s', scenario, name: 'rejections/s answered (offered rate is fixed)', unit: '/s' },
} satisfies Record<string, FigureBase>;

/**
 * Figure 6: with the queue full (capacity Q, one engine slot held for an hour), keep submitting at a fixed
 * rate (open loop, so a slow server cannot lower the offered load) well past 2×Q, and check that every
 * rejection is a 429/503 carrying Retry-After, fast, and that memory stays flat (no hidden queue).
 */
export const overloadScenario: Scenario = {
  id: scenario,
  title: 'Overload',
  async run(context: BenchContext) {
    const { queueCapacity, ratePerSecond, durationMs } = context.mode.overload;
    const connections = 64;
    const rounds: Round[] = [];
    for (let round = 0; round < context.mode.rounds; round += 1) {
      const darkroom = await context.startDarkroom({ BENCH_SLEEP_MS: '3600000', DARKROOM_QUEUE_CAPACITY: String(queueCapacity) });
      try {
        await submitQueueJobs(darkroom, queueCapacity, body);
        const request = () => ({ method: 'POST' as const, path: '/api/ai/queue', headers: { 'content-type': 'application/json' }, body });
        // Settle into overload first; the plateau is the RSS once rejections are flowing.
        await runOpenLoop(darkroom.url, { ratePerSecond, connections, durationMs: Math.min(1000, durationMs / 2), request });
        const plateauRssBytes = darkroom.rssBytes() ?? Number.NaN;
        let peakRssBytes = plateauRssBytes;
        const sampler = setInterval(() => (peakRssBytes = Math.max(peakRssBytes, darkroom.rssBytes() ?? 0)), 50);
        const measured: Round = { requests: 0, admitted: 0, rejections: 0, rejectionsWithRetryAfter: 0, unexpected: 0, rejectionLatenciesMs: [], plateauRssBytes, peakRssBytes, durationMs: 0 };
        try {
          const result = await runOpenLoop(darkroom.url, {
            ratePerSecond,
            connections,
            durationMs,
            request,
            onResponse: (status, headers, latencyMs) => {
              if (status >= 200 && status < 300) measured.admitted += 1;
              else if (status === 429 || status === 503) {
                measured.rejections += 1;
                measured.rejectionLatenciesMs.push(latencyMs);
                if (headers['retry-after'] !== undefined) measured.rejectionsWithRetryAfter += 1;
              } else measured.unexpected += 1;
            },
          });
          measured.unexpected += result.errors;
          measured.requests = result.requests;
          measured.durationMs = result.durationMs;
        } finally {
          clearInterval(sampler);
        }
        measured.peakRssBytes = Math.max(peakRssBytes, darkroom.rssBytes() ?? 0);
        rounds.push(measured);
        context.log(`overload round ${round + 1}: ${measured.rejections} rejections, p99 ${percentile(measured.rejectionLatenciesMs, 99).toFixed(2)} ms`);
      } finally {
        await darkroom.stop();
      }
    }
    return {
      figures: [
        measuredFigure({ ...figures.retryAfter, aggregate: 'min' }, rounds, (run) => (run.rejections === 0 ? Number.NaN : (100 * run.rejectionsWithRetryAfter) / run.rejections)),
        measuredFigure({ ...figures.unexpected, aggregate: 'sum' }, rounds, (run) => run.unexpected),
        measuredFigure(figures.rejectionP99, rounds, (run) => percentile(run.rejectionLatenciesMs, 99)),
        measuredFigure({ ...figures.rssGrowth, aggregate: 'max' }, rounds, (run) => 100 * growth(run.plateauRssBytes, run.peakRssBytes)),
        measuredFigure({ ...figures.offered, aggregate: 'min' }, rounds, (run) => (queueCapacity + run.requests) / queueCapacity),
        measuredFigure(figures.rejectionRate, rounds, (run) => (run.rejections * 1000) / run.durationMs),
      ],
      details: {
        queueCapacity,
        ratePerSecond,
        rounds: rounds.map(({ rejectionLatenciesMs, ...run }) => ({ ...run, rejectionP50: percentile(rejectionLatenciesMs, 50), rejectionP99: percentile(rejectionLatenciesMs, 99) })),
      },
    };
  },
};
