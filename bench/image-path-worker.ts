// Figure 5, in-process half: runs darkroom's own image modules in a process of their own (so its event
// loop and both cores are measured alone). Started by bench/scenarios/image-path.ts as
//   node --import tsx bench/image-path-worker.ts '<ImagePathWorkerInput as JSON>'
// and prints one line: `result <ImagePathWorkerOutput as JSON>`.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import sharp from 'sharp';
import { LocalImageEngine } from '../src/engines/local/local-image-engine.ts';
import type { EngineCallContext, EngineRequest } from '../src/engines/image-engine.ts';
import { encodeImage } from '../src/imaging/encode-image.ts';
import { inspectImage } from '../src/imaging/inspect-image.ts';
import { payloadPng, uhdPng } from './bench-images.ts';

export type ImagePathWorkerInput = { rounds: number; ingestSamples: number; parallelImages: number; editSamples: number };

export type ImagePathRound = {
  /** Baseline: sharp decoding the same 4K PNG to raw pixels, nothing else. */
  rawDecodeMs: number[];
  /** inspectImage alone: what darkroom's ImageIngestor does to every input (sniff, header, pixel cap, PNG chunk walk or a decode). */
  inspectMs: number[];
  /** inspectImage + resize to ≤ 2048 px + darkroom's PNG encoder. */
  ingestMs: number[];
  parallel: { images: number; wallMs: number; eventLoopP99Ms: number; eventLoopMaxMs: number };
  /** LocalImageEngine.run: a prompt-driven edit of a 1024² PNG, PNG out. */
  localEditMs: number[];
};

export type ImagePathWorkerOutput = { uhdBytes: number; editInputBytes: number; sharpConcurrency: number; threadPoolSize: string; rounds: ImagePathRound[] };

const limits = { field: 'image', maxPixels: 50_000_000, maxBytes: 50 * 1024 * 1024 };

/** darkroom's ingest of one upload (header, pixel cap, PNG chunk checksums) plus the downscale an upstream call needs. */
async function ingest(bytes: Uint8Array): Promise<void> {
  await inspectImage(bytes, limits);
  // One decode, resized on the way; a copy for an upstream is encoded for speed (lossless, larger).
  const resized = sharp(bytes, { failOn: 'warning', limitInputPixels: limits.maxPixels }).resize({ width: 2048, height: 2048, fit: 'inside', withoutEnlargement: true });
  await encodeImage(resized, 'png', 'auto', undefined, { fast: true });
}

const silentContext: EngineCallContext = { signal: new AbortController().signal, reportProgress: () => undefined, reportPartialImage: async () => undefined };

/** A local-engine edit request as the job runner builds it (size auto = keep the input's). */
function editRequest(input: EngineRequest['inputImages'][number], prompt: string): EngineRequest {
  const stored = { blobKey: 'inputs/bench/0.png', mediaType: input.mediaType, width: input.width, height: input.height, byteLength: input.data.byteLength };
  return {
    jobId: 'bench',
    request: {
      model: 'darkroom-local', prompt, imageCount: 1, size: undefined, aspectRatio: undefined, quality: 'auto', outputFormat: 'png',
      outputCompression: undefined, background: 'auto', seed: undefined, inputImages: [stored], mask: undefined, partialImages: 0, engineOptions: {},
    },
    size: undefined,
    inputImages: [input],
    mask: undefined,
    credentials: {},
  };
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

async function sequential(samples: number, action: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let sample = 0; sample < samples; sample += 1) times.push(await timed(action));
  return times;
}

async function main(input: ImagePathWorkerInput): Promise<ImagePathWorkerOutput> {
  const [uhd, photo] = await Promise.all([uhdPng(), payloadPng()]);
  const engine = new LocalImageEngine();
  const editInput = { data: new Uint8Array(photo), mediaType: 'image/png', width: 1024, height: 1024 };
  const edit = () => engine.run(editRequest(editInput, 'make it black and white and add a thin white border'), silentContext);
  // Warm-up: first calls load libvips operations and compile the JS paths.
  await ingest(uhd);
  await edit();
  const delay = monitorEventLoopDelay({ resolution: 5 });
  const rounds: ImagePathRound[] = [];
  for (let round = 0; round < input.rounds; round += 1) {
    const rawDecodeMs = await sequential(input.ingestSamples, () => sharp(uhd).raw().toBuffer());
    const inspectMs = await sequential(input.ingestSamples, () => inspectImage(uhd, limits));
    const ingestMs = await sequential(input.ingestSamples, () => ingest(uhd));
    delay.reset();
    delay.enable();
    const wallMs = await timed(() => Promise.all(Array.from({ length: input.parallelImages }, () => ingest(uhd))));
    delay.disable();
    const localEditMs = await sequential(input.editSamples, edit);
    rounds.push({
      rawDecodeMs,
      inspectMs,
      ingestMs,
      parallel: { images: input.parallelImages, wallMs, eventLoopP99Ms: delay.percentile(99) / 1e6, eventLoopMaxMs: delay.max / 1e6 },
      localEditMs,
    });
  }
  return { uhdBytes: uhd.byteLength, editInputBytes: photo.byteLength, sharpConcurrency: sharp.concurrency(), threadPoolSize: process.env.UV_THREADPOOL_SIZE ?? 'default (4)', rounds };
}

const output = await main(JSON.parse(process.argv[2] ?? '{}') as ImagePathWorkerInput);
process.stdout.write(`result ${JSON.stringify(output)}\n`);
