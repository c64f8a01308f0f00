import type { ImageRequestDraft, ImageSource } from '../../domain/image-request.ts';
import { parseSizeString, type ResolutionTier } from '../../domain/size-rules.ts';
import type { OxenEndpoint, OxenRequestBody } from './oxen-wire-schemas.ts';

/** Oxen's seed default for text-to-image (`resolution` default on the gpt-image-2 page). */
const defaultGenerateSize = { width: 1920, height: 1080 };

/** A validated Oxen body → the internal request draft. Pure: no I/O. */
export function oxenToImageRequest(body: OxenRequestBody, endpoint: OxenEndpoint): ImageRequestDraft {
  const references = body.input_image == null ? [] : Array.isArray(body.input_image) ? body.input_image : [body.input_image];
  const inputImages: ImageSource[] = references.map((url, index) => ({
    type: 'url',
    url,
    field: Array.isArray(body.input_image) ? `input_image.${index}` : 'input_image',
  }));
  const aspectRatio = body.aspect_ratio && body.aspect_ratio !== 'auto' ? body.aspect_ratio : undefined;
  let size = undefined as ImageRequestDraft['size'];
  let sizeTier: ResolutionTier | undefined;
  const resolution = body.resolution ?? undefined;
  if (resolution && resolution !== 'auto') {
    size = parseSizeString(resolution);
    if (!size) sizeTier = resolution.toUpperCase() as ResolutionTier;
  } else if (!resolution && body.aspect_ratio) {
    // An aspect ratio alone picks the newer Oxen page's default tier.
    sizeTier = '2K';
  } else if (!resolution && inputImages.length === 0 && endpoint !== 'edit') {
    size = defaultGenerateSize;
  }
  return {
    model: body.model,
    prompt: body.prompt,
    imageCount: body.num_images,
    size,
    sizeTier,
    aspectRatio,
    quality: body.quality,
    outputFormat: body.output_format,
    outputCompression: body.output_compression ?? undefined,
    background: body.background,
    seed: body.seed ?? undefined,
    inputImages,
    mask: body.mask_url ? { type: 'url', url: body.mask_url, field: 'mask_url', convention: 'white-edits' } : undefined,
    partialImages: body.partial_images,
    engineOptions: {},
  };
}
