import type { EngineWarning } from '../../domain/job.ts';
import type { JsonObject } from '../../domain/json-value.ts';
import type { EngineImage, EngineRequest } from '../image-engine.ts';

/** Which fal apps the engine calls; both take the same fields except the edit app's images and mask. */
export type FalEngineApps = { generate: string; edit: string };

export const defaultFalEngineApps: FalEngineApps = { generate: 'openai/gpt-image-2', edit: 'openai/gpt-image-2/edit' };

export type FalTask = { appId: string; body: JsonObject; warnings: EngineWarning[] };

const toDataUri = (image: EngineImage): string => `data:${image.mediaType};base64,${Buffer.from(image.data).toString('base64')}`;

/**
 * The internal request as a fal gpt-image-2 input. Pure. Inputs travel as data URIs (they always reach fal,
 * whatever darkroom's own address); the mask is already fal's convention (white = edit) as a PNG.
 */
export function toFalTask(engineRequest: EngineRequest, apps: FalEngineApps = defaultFalEngineApps): FalTask {
  const { request, inputImages, mask, size, credentials } = engineRequest;
  const edit = inputImages.length > 0;
  const warnings: EngineWarning[] = [];
  if (request.background === 'transparent') {
    warnings.push({ feature: 'background', message: 'fal gpt-image-2 has no transparent background option; the image is opaque' });
  }
  if (request.outputCompression !== undefined) {
    warnings.push({ feature: 'output_compression', message: 'fal gpt-image-2 has no output_compression option; its encoder default was used' });
  }
  const body: JsonObject = {
    prompt: request.prompt,
    image_size: size ? { width: size.width, height: size.height } : 'auto',
    num_images: Math.max(1, request.imageCount),
    output_format: request.outputFormat,
    // fal documents low|medium|high; leaving the field out lets the model pick, which is what `auto` means.
    ...(request.quality !== 'auto' ? { quality: request.quality } : {}),
    ...(edit ? { image_urls: inputImages.map(toDataUri) } : {}),
    ...(edit && mask ? { mask_image_url: toDataUri(mask) } : {}),
    ...(credentials.openaiApiKey ? { openai_api_key: credentials.openaiApiKey } : {}),
  };
  return { appId: edit ? apps.edit : apps.generate, body, warnings };
}
