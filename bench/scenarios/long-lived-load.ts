import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { submitQueueJobs, upstreamStats, type BenchContext, type DarkroomServer, type Scenario } from '../bench-context.ts';
import { percentile } from '../bench-statistics.ts';
import { atLeast, atMost, measuredFigure, type FigureBase } from '../bench-report.ts';
import { openSseSubscribers, type SseSubscribers } from '../sse-subscribers.ts';

type Round = {
  peakRssBytes: number;
  dropped: number;
  missedDeliveries: number;
  lateSubscriptions: number;
  fanoutMs: number[];
  eventLoopP99Ms: number;
  peakInFlight: number;
  failedJobs: number;
  /** How long each phase took: connecting the subscribers, submitting, all in flight, all delivered. */
  phasesMs: { connect: number; submit: number; inFlight: number; delivered: number };
};

const scenario = 'longlived';

const figures = {
  rss: { id: 'longlived.peak_rss', scenario, name: 'darkroom peak RSS (worst run)', unit: 'MB', target: atMost(600) },
  dropped: { id: 'longlived.dropped_streams', scenario, name: 'SSE streams that ended early', unit: '', target: atMost(0) },
  missed: { id: 'longlived.missed_deliveries', scenario, name: 'completion events a subscriber never received', unit: '', target: atMost(0) },
  fanoutP99: { id: 'longlived.fanout_p99', scenario, name: 'completion fan-out p99 (job finished → subscriber got it)', unit: 'ms', target: atMost(250) },
  fanoutP50: { id: 'longlived.fanout_p50', scenario, name: 'completion fan-out p50', unit: 'ms' },
  eventLoop: { id: 'longlived.event_loop_delay_p99', scenario, name: 'darkroom event-loop delay p99', unit: 'ms', target: atMost(50) },
  inFlight: { id: 'longlived.in_flight', scenario, name: 'jobs in flight at once on the upstream (worst run)', unit: '' },
  failed: { id: 'longlived.failed_jobs', scenario, name: 'jobs that did not succeed', unit: '', target: atMost(0) },
} satisfies Record<string, FigureBase>;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const megabytes = (bytes: number) => bytes / (1024 * 1024);

async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await delay(250);
  }
  return false;
}

async function countFailedJobs(darkroom: DarkroomServer, ids: string[], headers: Record<string, string>): Promise<number> {
  let failed = 0;
  for (let index = 0; index < ids.length; index += 50) {
    const states = await Promise.all(
      ids.slice(index, index + 50).map(async (id) => ((await (await fetch(`${darkroom.url}/api/ai/queue/${id}`, { headers })).json()) as { status?: string }).status),
    );
    failed += states.filter((state) => state !== 'succeeded' && state !== 'completed').length;
  }
  return failed;
}

/**
 * Figure 4: one process holds N jobs in flight on a sleeping upstream while M clients listen on
 * `GET /api/events`. The fake upstream holds every call until all N are in flight, keeps them `holdMs`
 * longer, then answers them spread over `releaseSpreadMs`, as long renders finish. Fan-out is measured per
 * delivery, from the moment darkroom published the job's terminal event (reported over IPC) to the
 * subscriber's receipt.
 */
export const longLivedLoadScenario: Scenario = {
  id: scenario,
  title: 'Long-lived load',
  async run(context: BenchContext) {
    const { jobs, subscribers, holdMs, releaseSpreadMs, tenants } = context.mode.longLived;
    const openAiUnavailable = await context.openAiUnavailable();
    // Without the OpenAI engine the jobs sleep in the bench engine instead of on an upstream connection.
    const settings: Record<string, string> = openAiUnavailable
      ? { BENCH_SLEEP_MS: String(holdMs), BENCH_SLEEP_JITTER_MS: String(releaseSpreadMs), DARKROOM_ENGINE_CONCURRENCY: `bench-sleep=${jobs}` }
      : { OPENAI_BASE_URL: `${context.upstream.url}/url-hold/v1` };
    if (tenants > 0) settings.BENCH_KEYS = String(tenants);
    // Job i and subscriber s belong to tenant (i mod T) and (s mod T); without tenants everyone sees everything.
    const tenantOf = (index: number) => (tenants > 0 ? index % tenants : 0);
    const jobsSeenBy = (subscriber: number) =>
      tenants > 0 ? Math.floor(jobs / tenants) + (tenantOf(subscriber) < jobs % tenants ? 1 : 0) : jobs;
    let expectedDeliveries = 0;
    for (let subscriber = 0; subscriber < subscribers; subscriber += 1) expectedDeliveries += jobsSeenBy(subscriber);
    const body = JSON.stringify({ model: openAiUnavailable ? 'bench-sleep' : 'gpt-image-2', prompt: 'a lighthouse at dusk, oil painting' });
    const rounds: Round[] = [];
    for (let round = 0; round < context.mode.rounds; round += 1) {
      const darkroom = await context.startDarkroom(settings);
      let streams: SseSubscribers | undefined;
      try {
        const keys = tenants > 0 ? (JSON.parse(readFileSync(join(darkroom.dataDirectory, 'bench-keys.json'), 'utf8')) as { admin: string; tenants: string[] }) : undefined;
        const auth = (key: string | undefined): Record<string, string> => (key ? { authorization: `Bearer ${key}` } : {});
        const tenantHeaders = (index: number) => auth(keys?.tenants[tenantOf(index)]);
        const connectStarted = performance.now();
        streams = await openSseSubscribers(darkroom.url, subscribers, { headersFor: tenantHeaders });
        const connectMs = performance.now() - connectStarted;
        await delay(500);
        await darkroom.metrics({ reset: true });
        let peakRssBytes = darkroom.rssBytes() ?? 0;
        const sampler = setInterval(() => (peakRssBytes = Math.max(peakRssBytes, darkroom.rssBytes() ?? 0)), 100);
        let ids: string[] = [];
        let peakInFlight = Number.NaN;
        const phasesMs = { connect: connectMs, submit: 0, inFlight: 0, delivered: 0 };
        const phaseStarted = performance.now();
        try {
          ids = await submitQueueJobs(darkroom, jobs, body, tenantHeaders);
          phasesMs.submit = performance.now() - phaseStarted;
          if (!openAiUnavailable) {
            await waitFor(async () => (await upstreamStats(context.upstream)).held >= jobs, 60_000 + jobs * 50);
            peakInFlight = (await upstreamStats(context.upstream)).held;
            phasesMs.inFlight = performance.now() - phaseStarted;
            await delay(holdMs);
            await fetch(`${context.upstream.url}/__release?spread=${releaseSpreadMs}`, { method: 'POST' });
          }
          await waitFor(async () => Object.keys((await darkroom.metrics()).completions).length >= jobs, holdMs + releaseSpreadMs + 60_000);
          const open = streams;
          await waitFor(() => open.completionsPerSubscriber().reduce((total, count) => total + count, 0) >= expectedDeliveries, 15_000);
          phasesMs.delivered = performance.now() - phaseStarted;
        } finally {
          clearInterval(sampler);
        }
        const metrics = await darkroom.metrics();
        const fanoutMs: number[] = [];
        for (const id of ids) {
          const finishedAt = metrics.completions[id];
          if (finishedAt !== undefined) for (const receivedAt of streams.receiveTimes(id)) fanoutMs.push(receivedAt - finishedAt);
        }
        const received = streams.completionsPerSubscriber();
        const measured: Round = {
          peakRssBytes: Math.max(peakRssBytes, metrics.rssBytes),
          dropped: streams.dropped(),
          missedDeliveries: received.reduce((total, count, subscriber) => total + Math.max(0, jobsSeenBy(subscriber) - count), 0),
          lateSubscriptions: streams.queuedPerSubscriber().filter((count, subscriber) => count < jobsSeenBy(subscriber)).length,
          fanoutMs,
          eventLoopP99Ms: metrics.eventLoopDelay.p99,
          peakInFlight,
          failedJobs: await countFailedJobs(darkroom, ids, auth(keys?.admin)),
          phasesMs,
        };
        rounds.push(measured);
        context.log(`longlived round ${round + 1}: fan-out p99 ${percentile(fanoutMs, 99).toFixed(1)} ms, RSS ${megabytes(measured.peakRssBytes).toFixed(0)} MB, loop p99 ${measured.eventLoopP99Ms.toFixed(1)} ms`);
      } finally {
        streams?.close();
        await darkroom.stop();
      }
    }
    const note = openAiUnavailable ? `jobs held by the bench-sleep engine (${openAiUnavailable})` : 'jobs held on the fake OpenAI upstream through the openai engine';
    return {
      figures: [
        measuredFigure({ ...figures.rss, aggregate: 'max', note }, rounds, (run) => megabytes(run.peakRssBytes)),
        measuredFigure({ ...figures.dropped, aggregate: 'sum' }, rounds, (run) => run.dropped),
        measuredFigure({ ...figures.missed, aggregate: 'sum' }, rounds, (run) => run.missedDeliveries),
        measuredFigure(figures.fanoutP99, rounds, (run) => percentile(run.fanoutMs, 99)),
        measuredFigure(figures.fanoutP50, rounds, (run) => percentile(run.fanoutMs, 50)),
        measuredFigure(figures.eventLoop, rounds, (run) => run.eventLoopP99Ms),
        ...(openAiUnavailable ? [] : [measuredFigure({ ...figures.inFlight, target: atLeast(jobs), aggregate: 'min' }, rounds, (run) => run.peakInFlight)]),
        measuredFigure({ ...figures.failed, aggregate: 'sum' }, rounds, (run) => run.failedJobs),
      ],
      details: {
        jobs,
        subscribers,
        tenants,
        deliveriesPerRound: expectedDeliveries,
        holdMs,
        releaseSpreadMs,
        engine: openAiUnavailable ? 'bench-sleep' : 'openai',
        rounds: rounds.map(({ fanoutMs, ...run }) => ({ ...run, peakRssMb: megabytes(run.peakRssBytes), deliveries: fanoutMs.length, fanoutP50: percentile(fanoutMs, 50), fanoutP99: percentile(fanoutMs, 99), fanoutMax: percentile(fanoutMs, 100) })),
      },
    };
  },
};
