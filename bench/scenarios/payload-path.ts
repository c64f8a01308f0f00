import { probeOpenAiPath, type BenchContext, type Scenario } from '../bench-context.ts';
import { addedLatency, interleavedOrder } from '../bench-statistics.ts';
import { atLeast, atMost, measuredFigure, unavailableFigure, type FigureBase } from '../bench-report.ts';
import { describeResults, runClosedLoop, successes, type LoadResult } from '../closed-loop-client.ts';

type Variant = 'direct' | 'darkroom-url' | 'darkroom-b64';
type Round = { results: Partial<Record<`${Variant}-c${1 | 16}`, LoadResult>>; peakRssBytes: number };

const scenario = 'payload';
const concurrentClients = 16;

const figures = {
  urlP50: { id: 'payload.added_p50_c1_url', scenario, name: 'added p50, c=1, response_format url', unit: 'ms', target: atMost(12) },
  urlP99: { id: 'payload.added_p99_c1_url', scenario, name: 'added p99, c=1, response_format url', unit: 'ms', target: atMost(25) },
  b64P50: { id: 'payload.added_p50_c1_b64', scenario, name: 'added p50, c=1, default b64_json answer', unit: 'ms', target: atMost(12) },
  b64P99: { id: 'payload.added_p99_c1_b64', scenario, name: 'added p99, c=1, default b64_json answer', unit: 'ms', target: atMost(25) },
  urlRate: { id: 'payload.images_per_s_c16_url', scenario, name: 'images/s through darkroom, c=16, url answer', unit: '/s', target: atLeast(70) },
  b64Rate: { id: 'payload.images_per_s_c16_b64', scenario, name: 'images/s through darkroom, c=16, b64 answer', unit: '/s' },
  directRate: { id: 'payload.direct_images_per_s_c16', scenario, name: 'baseline: images/s straight from the fake, c=16', unit: '/s' },
  rssGrowth: { id: 'payload.rss_growth_c16', scenario, name: 'peak RSS above idle at c=16 (worst run)', unit: 'MB' },
  rssBound: { id: 'payload.rss_growth_per_inflight_payload', scenario, name: 'peak RSS growth / in-flight payload bytes (16 × JSON)', unit: '×', target: atMost(4) },
  failures: { id: 'payload.darkroom_failures', scenario, name: 'darkroom non-2xx answers and errors', unit: '', target: atMost(0) },
} satisfies Record<string, FigureBase>;

const megabytes = (bytes: number) => bytes / (1024 * 1024);

/**
 * Figure 2: the upstream answers a 1024² PNG as b64_json (≈ 3.4 MB of JSON); darkroom decodes, validates,
 * stores it and answers (a signed URL, or b64 again by default), against the same answer fetched directly.
 */
export const payloadPathScenario: Scenario = {
  id: scenario,
  title: 'Added latency, payload path',
  async run(context: BenchContext) {
    const darkroom = await context.startDarkroom({ OPENAI_BASE_URL: `${context.upstream.url}/b64/v1` });
    try {
      const unavailable = await probeOpenAiPath(darkroom, context.upstream);
      if (unavailable) return { figures: Object.values(figures).map((figure) => unavailableFigure(figure, unavailable)), details: { unavailable } };
      const idleRss = darkroom.rssBytes() ?? Number.NaN;
      const request = (variant: Variant) => {
        const headers = { 'content-type': 'application/json', authorization: 'Bearer bench' };
        const prompt = 'a lighthouse at dusk, oil painting';
        if (variant === 'direct') return { origin: context.upstream.url, path: '/b64/v1/images/generations', headers, body: JSON.stringify({ model: 'gpt-image-2', prompt }) };
        const format = variant === 'darkroom-url' ? { response_format: 'url' } : {};
        return { origin: darkroom.url, path: '/v1/images/generations', headers, body: JSON.stringify({ model: 'gpt-image-2', prompt, ...format }) };
      };
      const { warmupMs, durationMs } = context.mode.payload;
      const rounds: Round[] = [];
      for (let round = 0; round < context.mode.rounds; round += 1) {
        const results: Round['results'] = {};
        let peakRssBytes = 0;
        for (const concurrency of [1, concurrentClients] as const) {
          for (const variant of interleavedOrder<Variant>(['direct', 'darkroom-url', 'darkroom-b64'], round)) {
            const target = request(variant);
            const sampler = concurrency > 1 && variant !== 'direct' ? setInterval(() => (peakRssBytes = Math.max(peakRssBytes, darkroom.rssBytes() ?? 0)), 50) : undefined;
            try {
              results[`${variant}-c${concurrency}`] = await runClosedLoop(target.origin, {
                concurrency,
                warmupMs,
                durationMs,
                request: () => ({ method: 'POST', path: target.path, headers: target.headers, body: target.body }),
              });
            } finally {
              clearInterval(sampler);
            }
          }
        }
        rounds.push({ results, peakRssBytes });
        context.log(`payload round ${round + 1}: ${JSON.stringify(describeResults(results)['darkroom-url-c1'])}`);
      }
      const added = (run: Round, variant: Variant, p: number) => addedLatency(run.results[`${variant}-c1`]?.latenciesMs ?? [], run.results['direct-c1']?.latenciesMs ?? [], p);
      const rate = (result: LoadResult | undefined) => (result ? (successes(result) * 1000) / result.durationMs : Number.NaN);
      const failed = (result: LoadResult | undefined) => (result ? result.requests - successes(result) : Number.NaN);
      const direct = rounds[0]?.results['direct-c1'];
      const payloadBytes = direct && direct.requests > 0 ? direct.responseBytes / direct.requests : Number.NaN;
      return {
        figures: [
          measuredFigure(figures.urlP50, rounds, (run) => added(run, 'darkroom-url', 50)),
          measuredFigure(figures.urlP99, rounds, (run) => added(run, 'darkroom-url', 99)),
          measuredFigure(figures.b64P50, rounds, (run) => added(run, 'darkroom-b64', 50)),
          measuredFigure(figures.b64P99, rounds, (run) => added(run, 'darkroom-b64', 99)),
          measuredFigure(figures.urlRate, rounds, (run) => rate(run.results[`darkroom-url-c${concurrentClients}`])),
          measuredFigure(figures.b64Rate, rounds, (run) => rate(run.results[`darkroom-b64-c${concurrentClients}`])),
          measuredFigure(figures.directRate, rounds, (run) => rate(run.results[`direct-c${concurrentClients}`])),
          measuredFigure({ ...figures.rssGrowth, aggregate: 'max' }, rounds, (run) => megabytes(run.peakRssBytes - idleRss)),
          measuredFigure({ ...figures.rssBound, aggregate: 'max' }, rounds, (run) => (run.peakRssBytes - idleRss) / (concurrentClients * payloadBytes)),
          measuredFigure({ ...figures.failures, aggregate: 'sum' }, rounds, (run) =>
            (['darkroom-url', 'darkroom-b64'] as const).reduce((total, variant) => total + failed(run.results[`${variant}-c1`]) + failed(run.results[`${variant}-c${concurrentClients}`]), 0),
          ),
        ],
        details: { payloadJsonBytes: payloadBytes, idleRssMb: megabytes(idleRss), rounds: rounds.map((run) => ({ peakRssMb: megabytes(run.peakRssBytes), ...describeResults(run.results) })) },
      };
    } finally {
      await darkroom.stop();
    }
  },
};
