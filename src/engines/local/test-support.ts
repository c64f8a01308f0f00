/** Fixtures shared by the local engine's tests (not used at runtime). */
import sharp from 'sharp';
import type { ImageRequest } from '../../domain/image-request.ts';
import type { EngineCallContext, EngineImage, EngineProgress, EngineRequest } from '../image-engine.ts';
import { pipelineToRgba, type RgbaImage } from './rgba-image.ts';
import { sampleRequest } from '../../../test/helpers/sample-job.ts';

/** A deterministic "photo": gradients plus pseudo-random grain, all channels inside 30–220 so nothing clips. */
export function testPhoto(width: number, height: number, seed = 1): RgbaImage {
  const data = Buffer.alloc(width * height * 4);
  let state = seed >>> 0;
  const grain = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state >>> 24) / 255 - 0.5;
  };
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const offset = (y * width + x) * 4;
      data[offset] = Math.round(60 + (120 * x) / width + 40 * grain());
      data[offset + 1] = Math.round(80 + (100 * y) / height + 40 * grain());
      data[offset + 2] = Math.round(170 - (80 * x) / width + 40 * grain());
      data[offset + 3] = 255;
    }
  }
  return { data, width, height, channels: 4 };
}

/** An opaque image: a flat backdrop with a centred square "subject". */
export function productShot(width: number, height: number, backdrop: [number, number, number], subject: [number, number, number]): RgbaImage {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const inside = x >= width / 4 && x < (3 * width) / 4 && y >= height / 4 && y < (3 * height) / 4;
      data.set([...(inside ? subject : backdrop), 255], (y * width + x) * 4);
    }
  }
  return { data, width, height, channels: 4 };
}

export const toPng = (image: RgbaImage): Promise<Buffer> =>
  sharp(image.data, { raw: { width: image.width, height: image.height, channels: 4 } }).png().toBuffer();

export const decodeRgba = (bytes: Uint8Array): Promise<RgbaImage> => pipelineToRgba(sharp(bytes));

export function pixelAt(image: RgbaImage, x: number, y: number): number[] {
  const offset = (y * image.width + x) * 4;
  return [...image.data.subarray(offset, offset + 4)];
}

/** Mean of one channel (0 red … 3 alpha) over a region, default the whole image. */
export function channelMean(image: RgbaImage, channel: number, region = { x: 0, y: 0, width: image.width, height: image.height }): number {
  let sum = 0;
  for (let y = region.y; y < region.y + region.height; y += 1) {
    for (let x = region.x; x < region.x + region.width; x += 1) sum += image.data[(y * image.width + x) * 4 + channel] ?? 0;
  }
  return sum / (region.width * region.height);
}

export async function engineImage(image: RgbaImage): Promise<EngineImage> {
  return { data: await toPng(image), mediaType: 'image/png', width: image.width, height: image.height };
}

export function imageRequest(overrides: Partial<ImageRequest> = {}): ImageRequest {
  return sampleRequest({ model: 'darkroom-local', prompt: '', size: undefined, quality: 'auto', ...overrides });
}

export function engineRequest(request: Partial<ImageRequest>, inputImages: EngineImage[] = [], mask?: EngineImage): EngineRequest {
  return { jobId: 'job_test', request: imageRequest(request), size: request.size, inputImages, mask, credentials: {} };
}

export type RecordingContext = EngineCallContext & {
  controller: AbortController;
  progress: EngineProgress[];
  partials: Array<EngineImage & { index: number }>;
};

export function recordingContext(onPartial?: (index: number, controller: AbortController) => void): RecordingContext {
  const controller = new AbortController();
  const progress: EngineProgress[] = [];
  const partials: Array<EngineImage & { index: number }> = [];
  return {
    controller,
    progress,
    partials,
    signal: controller.signal,
    reportProgress: (update) => progress.push(update),
    reportPartialImage: async (image) => {
      partials.push(image);
      onPartial?.(image.index, controller);
    },
  };
}
