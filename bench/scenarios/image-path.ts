import { type BenchContext, type DarkroomServer, type Scenario } from '../bench-context.ts';
import { runBenchScript } from '../bench-processes.ts';
import { interleavedOrder, median, ratio } from '../bench-statistics.ts';
import { atLeast, atMost, measuredFigure, type FigureBase } from '../bench-report.ts';
import type { ImagePathRound, ImagePathWorkerInput, ImagePathWorkerOutput } from '../image-path-worker.ts';

type ApiRound = { downloadMs: number[]; submitMs: number[]; editMs: number[]; failures: number };

const scenario = 'image';

const figures = {
  ingestP50: { id: 'image.ingest_4k_p50', scenario, name: '4K PNG ingest p50 (validate + decode + resize ≤ 2048 + encode), one at a time', unit: 'ms', target: atMost(150) },
  inspectP50: { id: 'image.inspect_4k_p50', scenario, name: "4K PNG inspectImage p50 (darkroom's own input check)", unit: 'ms' },
  ingestVsDecode: { id: 'image.ingest_vs_raw_decode', scenario, name: 'ingest p50 ÷ bare sharp decode p50 of the same PNG', unit: '×' },
  throughput: { id: 'image.ingest_4k_per_s', scenario, name: '4K PNG ingests/s, parallel, 2 cores', unit: '/s', target: atLeast(12) },
  eventLoop: { id: 'image.event_loop_delay_p99', scenario, name: 'event-loop delay p99 during parallel ingest', unit: 'ms', target: atMost(20) },
  editP50: { id: 'image.local_edit_1024_p50', scenario, name: 'local-engine 1024² edit p50 (in-process)', unit: 'ms', target: atMost(100) },
  apiSubmit: { id: 'image.api_submit_4k_added_p50', scenario, name: 'API: 4K PNG by URL, submit p50 minus plain download p50', unit: 'ms' },
  apiEdit: { id: 'image.api_local_edit_1024_p50', scenario, name: 'API: sync local edit of a 1024² PNG by URL, p50', unit: 'ms' },
  apiFailures: { id: 'image.api_failures', scenario, name: 'API requests that failed', unit: '', target: atMost(0) },
} satisfies Record<string, FigureBase>;

async function timedRequest(url: string, init?: RequestInit): Promise<{ ms: number; ok: boolean }> {
  const started = performance.now();
  const response = await fetch(url, init);
  await response.arrayBuffer();
  return { ms: performance.now() - started, ok: response.ok };
}

async function measureApi(context: BenchContext, darkroom: DarkroomServer): Promise<ApiRound[]> {
  const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const uhdUrl = `${context.upstream.url}/files/uhd.png`;
  const steps = {
    download: () => timedRequest(uhdUrl),
    submit: () => timedRequest(`${darkroom.url}/api/ai/queue`, json({ model: 'bench-sleep', prompt: 'a lighthouse at dusk', input_image: uhdUrl })),
    edit: () =>
      timedRequest(`${darkroom.url}/api/ai/images/edit`, json({ model: 'darkroom-local', prompt: 'make it black and white and add a thin white border', input_image: `${context.upstream.url}/files/payload.png` })),
  };
  await steps.download();
  await steps.submit();
  await steps.edit();
  const rounds: ApiRound[] = [];
  for (let round = 0; round < context.mode.rounds; round += 1) {
    const measured: ApiRound = { downloadMs: [], submitMs: [], editMs: [], failures: 0 };
    for (let sample = 0; sample < context.mode.imagePath.apiSamples; sample += 1) {
      for (const step of interleavedOrder(['download', 'submit', 'edit'] as const, round + sample)) {
        const { ms, ok } = await steps[step]();
        measured[`${step}Ms`].push(ms);
        if (!ok) measured.failures += 1;
      }
    }
    rounds.push(measured);
  }
  return rounds;
}

/**
 * Figure 5: darkroom's image modules measured in a process of their own on both cores (inspectImage,
 * encodeImage, LocalImageEngine), then the same work through the API: a 4K PNG submitted by URL and a
 * synchronous local-engine edit.
 */
export const imagePathScenario: Scenario = {
  id: scenario,
  title: 'Image path',
  async run(context: BenchContext) {
    const { ingestSamples, parallelImages, editSamples } = context.mode.imagePath;
    const input: ImagePathWorkerInput = { rounds: context.mode.rounds, ingestSamples, parallelImages, editSamples };
    const worker = (await runBenchScript({ name: 'image-path worker', args: ['--import', 'tsx', 'bench/image-path-worker.ts', JSON.stringify(input)], cpus: '0,1' })) as ImagePathWorkerOutput;
    context.log(`image: in-process ingest p50 ${median(worker.rounds[0]?.ingestMs ?? []).toFixed(1)} ms`);
    // The bench-sleep engine keeps the 4K submissions queued: only ingest and the insert are measured.
    const darkroom = await context.startDarkroom({ BENCH_SLEEP_MS: '3600000' });
    let api: ApiRound[];
    try {
      api = await measureApi(context, darkroom);
    } finally {
      await darkroom.stop();
    }
    const rounds: ImagePathRound[] = worker.rounds;
    return {
      figures: [
        measuredFigure(figures.ingestP50, rounds, (run) => median(run.ingestMs)),
        measuredFigure(figures.inspectP50, rounds, (run) => median(run.inspectMs)),
        measuredFigure(figures.ingestVsDecode, rounds, (run) => ratio(median(run.ingestMs), median(run.rawDecodeMs))),
        measuredFigure(figures.throughput, rounds, (run) => (run.parallel.images * 1000) / run.parallel.wallMs),
        measuredFigure(figures.eventLoop, rounds, (run) => run.parallel.eventLoopP99Ms),
        measuredFigure(figures.editP50, rounds, (run) => median(run.localEditMs)),
        measuredFigure(figures.apiSubmit, api, (run) => median(run.submitMs) - median(run.downloadMs)),
        measuredFigure(figures.apiEdit, api, (run) => median(run.editMs)),
        measuredFigure({ ...figures.apiFailures, aggregate: 'sum' }, api, (run) => run.failures),
      ],
      details: {
        uhdPngBytes: worker.uhdBytes,
        editInputBytes: worker.editInputBytes,
        sharpConcurrency: worker.sharpConcurrency,
        threadPoolSize: worker.threadPoolSize,
        rounds: rounds.map((run) => ({ rawDecodeP50: median(run.rawDecodeMs), inspectP50: median(run.inspectMs), ingestP50: median(run.ingestMs), localEditP50: median(run.localEditMs), parallel: run.parallel })),
        api: api.map((run) => ({ downloadP50: median(run.downloadMs), submitP50: median(run.submitMs), editP50: median(run.editMs), failures: run.failures })),
      },
    };
  },
};
