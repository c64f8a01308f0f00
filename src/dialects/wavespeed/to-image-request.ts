import type { ImageRequest, ImageRequestDraft } from '../../domain/image-request.ts';
import { closestAspectRatio, parseAspectRatio, sizeForTier, type ResolutionTier } from '../../domain/size-rules.ts';
import { waveSpeedAspectRatios } from '../../domain/size-rules.ts';
import { waveSpeedModels, type WaveSpeedEndpoint, type WaveSpeedRequestBody } from './wavespeed-wire-schemas.ts';

const toTier = (resolution: WaveSpeedRequestBody['resolution']): ResolutionTier => resolution.toUpperCase() as ResolutionTier;

/**
 * A validated WaveSpeed body → the internal request draft. Pure: no I/O. The size comes from the
 * `resolution` tier and the aspect ratio; an edit without `aspect_ratio` takes its ratio from the first
 * input (see {@link snapToInputAspectRatio}), text-to-image defaults to 1:1 as WaveSpeed does.
 */
export function waveSpeedToImageRequest(body: WaveSpeedRequestBody, endpoint: WaveSpeedEndpoint): ImageRequestDraft {
  const images = endpoint === 'edit' && Array.isArray(body.images) ? (body.images as string[]) : [];
  return {
    model: waveSpeedModels[endpoint].model,
    prompt: body.prompt,
    imageCount: 1,
    size: undefined,
    sizeTier: toTier(body.resolution),
    aspectRatio: body.aspect_ratio ?? (endpoint === 'text-to-image' ? '1:1' : undefined),
    quality: body.quality,
    outputFormat: body.output_format,
    outputCompression: undefined,
    background: 'auto',
    seed: undefined,
    inputImages: images.map((url, index) => ({ type: 'url', url, field: `images.${index}` })),
    mask: undefined,
    partialImages: 0,
    engineOptions: {},
  };
}

/**
 * WaveSpeed's auto-detection: once the inputs are stored, an edit without `aspect_ratio` gets the closest
 * of the ten supported ratios to its first image, and the tier's size for that ratio.
 */
export function snapToInputAspectRatio(resolution: WaveSpeedRequestBody['resolution']): (request: ImageRequest) => ImageRequest {
  return (request) => {
    const first = request.inputImages[0];
    if (request.aspectRatio !== undefined || !first) return request;
    const aspectRatio = closestAspectRatio(first, waveSpeedAspectRatios);
    return { ...request, aspectRatio, size: sizeForTier(toTier(resolution), parseAspectRatio(aspectRatio) ?? 1) };
  };
}
