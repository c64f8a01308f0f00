import type { ImageRequestDraft, ImageSource } from '../../domain/image-request.ts';
import type { FalApp } from './fal-apps.ts';
import { falImageSizePresets, type FalInput } from './fal-wire-schemas.ts';

/**
 * A validated fal input → the internal request draft. Pure: no I/O. `openai_api_key` is deliberately not
 * carried over: the draft becomes the stored job, and a client's key must never be stored.
 */
export function falToImageRequest(input: FalInput, app: FalApp, options: { partialImages: number }): ImageRequestDraft {
  const imageUrls = app.operation === 'edit' ? (input.image_urls ?? []) : [];
  const inputImages: ImageSource[] = imageUrls.map((url, index) => ({ type: 'url', url, field: `image_urls.${index}` }));
  // Both names are in use: `mask_url` in fal-js's types, `mask_image_url` on fal's model page.
  const maskField = input.mask_image_url ? 'mask_image_url' : 'mask_url';
  const maskUrl = app.operation === 'edit' ? (input.mask_image_url ?? input.mask_url ?? undefined) : undefined;
  const imageSize = input.image_size;
  const size = typeof imageSize === 'string' ? falImageSizePresets[imageSize] : { width: imageSize.width, height: imageSize.height };
  return {
    model: app.model,
    prompt: input.prompt,
    imageCount: input.num_images,
    size: size ? { ...size } : undefined,
    sizeTier: undefined,
    aspectRatio: undefined,
    quality: input.quality,
    outputFormat: input.output_format,
    outputCompression: undefined,
    background: 'auto',
    seed: input.seed ?? undefined,
    inputImages,
    mask: maskUrl ? { type: 'url', url: maskUrl, field: maskField, convention: 'white-edits' } : undefined,
    partialImages: options.partialImages,
    engineOptions: {},
  };
}
