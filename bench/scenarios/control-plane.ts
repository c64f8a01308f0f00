import { probeOpenAiPath, type BenchContext, type Scenario } from '../bench-context.ts';
import { addedLatency, interleavedOrder, percentile, ratio } from '../bench-statistics.ts';
import { atMost, measuredFigure, unavailableFigure, type FigureBase } from '../bench-report.ts';
import { describeResults, runClosedLoop, successes, type LoadResult } from '../closed-loop-client.ts';

type Variant = 'direct' | 'darkroom' | 'portkey';
type Round = Partial<Record<`${Variant}-c${1 | 16}`, LoadResult>>;

const body = JSON.stringify({ model: 'gpt-image-2', prompt: 'a lighthouse at dusk, oil painting', response_format: 'url' });
const scenario = 'control';

const figures = {
  darkroomP50c1: { id: 'control.darkroom_added_p50_c1', scenario, name: 'darkroom added latency p50, c=1', unit: 'ms', target: atMost(1.0) },
  darkroomP99c1: { id: 'control.darkroom_added_p99_c1', scenario, name: 'darkroom added latency p99, c=1', unit: 'ms', target: atMost(2.5) },
  darkroomP99c16: { id: 'control.darkroom_added_p99_c16', scenario, name: 'darkroom added latency p99, c=16', unit: 'ms', target: atMost(6) },
  portkeyP50c1: { id: 'control.portkey_added_p50_c1', scenario, name: 'Portkey added latency p50, c=1', unit: 'ms' },
  portkeyP99c1: { id: 'control.portkey_added_p99_c1', scenario, name: 'Portkey added latency p99, c=1', unit: 'ms' },
  portkeyP99c16: { id: 'control.portkey_added_p99_c16', scenario, name: 'Portkey added latency p99, c=16', unit: 'ms' },
  ratioP50c1: { id: 'control.darkroom_vs_portkey_p50_c1', scenario, name: 'darkroom added / Portkey added, p50 c=1', unit: '×', target: atMost(0.5) },
  ratioP99c16: { id: 'control.darkroom_vs_portkey_p99_c16', scenario, name: 'darkroom added / Portkey added, p99 c=16', unit: '×', target: atMost(0.5) },
  directP50c1: { id: 'control.direct_p50_c1', scenario, name: 'baseline: straight to the fake upstream, p50 c=1', unit: 'ms' },
  failures: { id: 'control.darkroom_failures', scenario, name: 'darkroom non-2xx answers and errors', unit: '', target: atMost(0) },
} satisfies Record<string, FigureBase>;

const failed = (result: LoadResult | undefined) => (result ? result.requests - successes(result) : Number.NaN);

/**
 * Figure 1: latency darkroom adds on `POST /v1/images/generations` when the upstream answers a small
 * URL-form result, against the same request sent straight to the fake upstream and through Portkey's
 * gateway, interleaved in the same run. darkroom's path includes fetching and storing the result image.
 */
export const controlPlaneScenario: Scenario = {
  id: scenario,
  title: 'Added latency, control plane',
  async run(context: BenchContext) {
    const darkroom = await context.startDarkroom({ OPENAI_BASE_URL: `${context.upstream.url}/url/v1` });
    try {
      const unavailable = await probeOpenAiPath(darkroom, context.upstream);
      if (unavailable) return { figures: Object.values(figures).map((figure) => unavailableFigure(figure, unavailable)), details: { unavailable } };
      const portkey = 'unavailable' in context.portkey ? undefined : context.portkey;
      const targets: Record<Variant, { origin: string; path: string; headers: Record<string, string> } | undefined> = {
        direct: { origin: context.upstream.url, path: '/url/v1/images/generations', headers: {} },
        darkroom: { origin: darkroom.url, path: '/v1/images/generations', headers: {} },
        portkey: portkey && {
          origin: portkey.url,
          path: '/v1/images/generations',
          headers: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${context.upstream.url}/url/v1` },
        },
      };
      const { warmupMs, durationMs } = context.mode.controlPlane;
      const rounds: Round[] = [];
      for (let round = 0; round < context.mode.rounds; round += 1) {
        const results: Round = {};
        for (const concurrency of [1, 16] as const) {
          for (const variant of interleavedOrder<Variant>(['direct', 'darkroom', 'portkey'], round)) {
            const target = targets[variant];
            if (!target) continue;
            results[`${variant}-c${concurrency}`] = await runClosedLoop(target.origin, {
              concurrency,
              warmupMs,
              durationMs,
              request: () => ({ method: 'POST', path: target.path, headers: { 'content-type': 'application/json', authorization: 'Bearer bench', ...target.headers }, body }),
            });
          }
        }
        rounds.push(results);
        context.log(`control round ${round + 1}: darkroom p50 c1 ${percentile(results['darkroom-c1']?.latenciesMs ?? [], 50).toFixed(2)} ms, direct ${percentile(results['direct-c1']?.latenciesMs ?? [], 50).toFixed(2)} ms`);
      }
      const added = (run: Round, variant: Variant, concurrency: 1 | 16, p: number) =>
        addedLatency(run[`${variant}-c${concurrency}`]?.latenciesMs ?? [], run[`direct-c${concurrency}`]?.latenciesMs ?? [], p);
      const portkeyFigures = portkey
        ? [
            measuredFigure(figures.portkeyP50c1, rounds, (run) => added(run, 'portkey', 1, 50)),
            measuredFigure(figures.portkeyP99c1, rounds, (run) => added(run, 'portkey', 1, 99)),
            measuredFigure(figures.portkeyP99c16, rounds, (run) => added(run, 'portkey', 16, 99)),
            measuredFigure(figures.ratioP50c1, rounds, (run) => ratio(added(run, 'darkroom', 1, 50), added(run, 'portkey', 1, 50))),
            measuredFigure(figures.ratioP99c16, rounds, (run) => ratio(added(run, 'darkroom', 16, 99), added(run, 'portkey', 16, 99))),
          ]
        : [figures.portkeyP50c1, figures.portkeyP99c1, figures.portkeyP99c16, figures.ratioP50c1, figures.ratioP99c16].map((figure) =>
            unavailableFigure(figure, `Portkey did not start: ${(context.portkey as { unavailable: string }).unavailable}`),
          );
      return {
        figures: [
          measuredFigure(figures.darkroomP50c1, rounds, (run) => added(run, 'darkroom', 1, 50)),
          measuredFigure(figures.darkroomP99c1, rounds, (run) => added(run, 'darkroom', 1, 99)),
          measuredFigure(figures.darkroomP99c16, rounds, (run) => added(run, 'darkroom', 16, 99)),
          ...portkeyFigures,
          measuredFigure(figures.directP50c1, rounds, (run) => percentile(run['direct-c1']?.latenciesMs ?? [], 50)),
          measuredFigure({ ...figures.failures, aggregate: 'sum' }, rounds, (run) => failed(run['darkroom-c1']) + failed(run['darkroom-c16'])),
        ],
        details: { rounds: rounds.map(describeResults) },
      };
    } finally {
      await darkroom.stop();
    }
  },
};
