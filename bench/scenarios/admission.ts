import Database from 'better-sqlite3';
import { join } from 'node:path';
import { submitQueueJobs, type BenchContext, type DarkroomServer, type Scenario } from '../bench-context.ts';
import { interleavedOrder, ratio } from '../bench-statistics.ts';
import { atLeast, atMost, measuredFigure, type FigureBase } from '../bench-report.ts';
import { runAutocannon, type ThroughputOptions, type ThroughputResult } from '../run-autocannon.ts';

type Variant = 'hello' | 'submit' | 'poll';
type Round = Record<Variant, ThroughputResult> & { acknowledged: number; recorded: number };

const scenario = 'admission';
const submitBody = JSON.stringify({ model: 'bench-sleep', prompt: 'a lighthouse at dusk, oil painting' });
const pollJobs = 200;

const figures = {
  submitRate: { id: 'admission.submit_per_s', scenario, name: 'async submits/s (POST /api/ai/queue, c=100)', unit: '/s', target: atLeast(5000) },
  submitRatio: { id: 'admission.submit_vs_hello', scenario, name: 'submits/s ÷ node:http hello-world req/s', unit: '×' },
  submitP99: { id: 'admission.submit_p99', scenario, name: 'submit latency p99 (autocannon, whole ms)', unit: 'ms', target: atMost(20) },
  submitSuccess: { id: 'admission.submit_success_pct', scenario, name: 'submits answered 2xx', unit: '%', target: atLeast(100) },
  unrecorded: { id: 'admission.acknowledged_not_recorded', scenario, name: 'acknowledged submits missing from the job store', unit: '', target: atMost(0) },
  pollRate: { id: 'admission.poll_per_s', scenario, name: 'status polls/s (GET /api/ai/queue/:id, c=100)', unit: '/s', target: atLeast(15_000) },
  pollRatio: { id: 'admission.poll_vs_hello', scenario, name: 'polls/s ÷ node:http hello-world req/s', unit: '×' },
  pollP99: { id: 'admission.poll_p99', scenario, name: 'poll latency p99 (autocannon, whole ms)', unit: 'ms', target: atMost(15) },
  helloRate: { id: 'admission.hello_world_per_s', scenario, name: 'baseline: raw node:http hello-world req/s, same box', unit: '/s' },
} satisfies Record<string, FigureBase>;

function countStoredJobs(darkroom: DarkroomServer): number {
  const database = new Database(join(darkroom.dataDirectory, 'darkroom.db'), { readonly: true, fileMustExist: true });
  try {
    return database.prepare<[], { count: number }>('SELECT count(*) AS count FROM jobs').get()?.count ?? 0;
  } finally {
    database.close();
  }
}

/**
 * Figure 3: how many async submits (job durably recorded before the 2xx) and status polls one process
 * admits, each as a ratio of raw node:http hello-world measured in the same round. The `bench-sleep` engine
 * runs one job at a time for an hour, so every submitted job stays queued (capacity is raised to 10 M).
 * Each round gets a fresh darkroom, so rounds do not inherit each other's queue.
 */
export const admissionScenario: Scenario = {
  id: scenario,
  title: 'Admission',
  async run(context: BenchContext) {
    const { warmupSeconds, durationSeconds, connections } = context.mode.admission;
    const rounds: Round[] = [];
    for (let round = 0; round < context.mode.rounds; round += 1) {
      const darkroom = await context.startDarkroom({ BENCH_SLEEP_MS: '3600000' });
      try {
        const ids = await submitQueueJobs(darkroom, pollJobs, submitBody);
        let acknowledged = ids.length;
        const runs: Record<Variant, ThroughputOptions> = {
          hello: { url: context.hello.url, connections, durationSeconds },
          submit: { url: `${darkroom.url}/api/ai/queue`, connections, durationSeconds, method: 'POST', headers: { 'content-type': 'application/json' }, body: submitBody },
          poll: { url: darkroom.url, connections, durationSeconds, pathFor: (index) => `/api/ai/queue/${ids[index % ids.length]}` },
        };
        const results: Partial<Record<Variant, ThroughputResult>> = {};
        for (const variant of interleavedOrder<Variant>(['hello', 'submit', 'poll'], round)) {
          const warmup = await runAutocannon({ ...runs[variant], durationSeconds: warmupSeconds });
          results[variant] = await runAutocannon(runs[variant]);
          if (variant === 'submit') acknowledged += warmup.successes + (results.submit?.successes ?? 0);
        }
        const { hello, submit, poll } = results;
        if (!hello || !submit || !poll) throw new Error('an admission run produced no result');
        rounds.push({ hello, submit, poll, acknowledged, recorded: countStoredJobs(darkroom) });
        context.log(`admission round ${round + 1}: hello ${hello.requestsPerSecond.toFixed(0)}/s, submit ${submit.requestsPerSecond.toFixed(0)}/s, poll ${poll.requestsPerSecond.toFixed(0)}/s`);
      } finally {
        await darkroom.stop();
      }
    }
    return {
      figures: [
        measuredFigure(figures.submitRate, rounds, (run) => run.submit.requestsPerSecond),
        measuredFigure(figures.submitRatio, rounds, (run) => ratio(run.submit.requestsPerSecond, run.hello.requestsPerSecond)),
        measuredFigure(figures.submitP99, rounds, (run) => run.submit.p99Ms),
        measuredFigure({ ...figures.submitSuccess, aggregate: 'min' }, rounds, (run) => (100 * run.submit.successes) / Math.max(1, run.submit.total)),
        measuredFigure({ ...figures.unrecorded, aggregate: 'sum' }, rounds, (run) => Math.max(0, run.acknowledged - run.recorded)),
        measuredFigure(figures.pollRate, rounds, (run) => run.poll.requestsPerSecond),
        measuredFigure(figures.pollRatio, rounds, (run) => ratio(run.poll.requestsPerSecond, run.hello.requestsPerSecond)),
        measuredFigure(figures.pollP99, rounds, (run) => run.poll.p99Ms),
        measuredFigure(figures.helloRate, rounds, (run) => run.hello.requestsPerSecond),
      ],
      details: { rounds },
    };
  },
};
