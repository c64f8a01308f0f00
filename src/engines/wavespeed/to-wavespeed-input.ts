import type { ImageSize, Quality } from '../../domain/image-request.ts';
import type { EngineWarning } from '../../domain/job.ts';
import type { JsonObject } from '../../domain/json-value.ts';
import {
  closestAspectRatio,
  formatSize,
  parseAspectRatio,
  resolutionTierPixels,
  sizeForTier,
  waveSpeedAspectRatios,
  type ResolutionTier,
} from '../../domain/size-rules.ts';
import type { EngineRequest } from '../image-engine.ts';

export type WaveSpeedResolution = '1k' | '2k' | '4k';

export type WaveSpeedOperation = 'edit' | 'text-to-image';

/** One upstream task: the model path under `/api/v3/` and its JSON body. */
export type WaveSpeedTask = { modelPath: `openai/gpt-image-2/${WaveSpeedOperation}`; body: JsonObject; warnings: EngineWarning[] };

const tiers = Object.keys(resolutionTierPixels) as ResolutionTier[];
const resolutionOf = (tier: ResolutionTier): WaveSpeedResolution => tier.toLowerCase() as WaveSpeedResolution;

/** The tier whose pixel budget is closest (on a log scale) to the size's pixel count. */
export function closestTier(size: ImageSize): ResolutionTier {
  const pixels = size.width * size.height;
  let best: ResolutionTier = '1K';
  for (const tier of tiers) {
    if (Math.abs(Math.log(pixels / resolutionTierPixels[tier])) < Math.abs(Math.log(pixels / resolutionTierPixels[best]))) best = tier;
  }
  return best;
}

/** WaveSpeed has no `auto` quality; medium is its default. */
const toWaveSpeedQuality = (quality: Quality): Exclude<Quality, 'auto'> => (quality === 'auto' ? 'medium' : quality);

const toDataUri = (image: { data: Uint8Array; mediaType: string }): string =>
  `data:${image.mediaType};base64,${Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength).toString('base64')}`;

/**
 * The internal request as a WaveSpeed gpt-image-2 task. WaveSpeed sizes outputs by aspect ratio and a
 * `1k|2k|4k` tier, so an explicit size becomes the closest of both, with a warning when the output will
 * differ. Features WaveSpeed cannot express are dropped with a warning. Pure: no I/O.
 */
export function toWaveSpeedTask(engineRequest: EngineRequest): WaveSpeedTask {
  const { request, size, inputImages } = engineRequest;
  const operation: WaveSpeedOperation = inputImages.length > 0 ? 'edit' : 'text-to-image';
  const warnings: EngineWarning[] = [];
  const body: JsonObject = { prompt: request.prompt };
  if (operation === 'edit') body.images = inputImages.map(toDataUri);

  if (size) {
    const aspectRatio = closestAspectRatio(size, waveSpeedAspectRatios);
    const tier = closestTier(size);
    body.aspect_ratio = aspectRatio;
    body.resolution = resolutionOf(tier);
    const expected = sizeForTier(tier, parseAspectRatio(aspectRatio) ?? 1);
    if (expected.width !== size.width || expected.height !== size.height) {
      warnings.push({
        feature: 'size',
        message: `WaveSpeed sizes images by aspect ratio and resolution: ${formatSize(size)} was sent as ${aspectRatio} at ${resolutionOf(tier)}, which produces about ${formatSize(expected)}`,
      });
    }
  } else {
    const ratio = request.aspectRatio === undefined ? undefined : parseAspectRatio(request.aspectRatio);
    // Without a ratio WaveSpeed matches an edit's input (and uses 1:1 for text-to-image), as `auto` means.
    if (ratio !== undefined) body.aspect_ratio = closestAspectRatio({ width: ratio, height: 1 }, waveSpeedAspectRatios);
    const first = inputImages[0];
    body.resolution = resolutionOf(first ? closestTier(first) : '1K');
  }
  body.quality = toWaveSpeedQuality(request.quality);

  if (request.background === 'transparent') {
    warnings.push({ feature: 'background', message: 'WaveSpeed gpt-image-2 has no transparent background option; the image is opaque' });
  }
  if (request.seed !== undefined) warnings.push({ feature: 'seed', message: 'WaveSpeed gpt-image-2 does not take a seed; it was ignored' });
  return { modelPath: `openai/gpt-image-2/${operation}`, body, warnings };
}
