import type { ImageSize } from '../../domain/image-request.ts';
import type { EngineWarning } from '../../domain/job.ts';
import { fitSizeToLimits, parseAspectRatio } from '../../domain/size-rules.ts';
import type { EngineRequest } from '../image-engine.ts';
import { localSizeLimits } from './local-size-limits.ts';
import type { RenderPlan } from './prepare-edit.ts';
import { typesetPrompt } from './typeset-prompt.ts';

const defaultPixels = 1024 * 1024;

/** `auto`: 1024×1024, or about one megapixel at the requested aspect ratio. */
export function autoGenerationSize(aspectRatio: string | undefined): ImageSize {
  const ratio = aspectRatio === undefined ? undefined : parseAspectRatio(aspectRatio);
  if (ratio === undefined) return { width: 1024, height: 1024 };
  return fitSizeToLimits({ width: Math.sqrt(defaultPixels * ratio), height: Math.sqrt(defaultPixels / ratio) }, localSizeLimits);
}

/** Text-to-image without a model: a deterministic typeset composition of the prompt (see typeset-prompt.ts). */
export function prepareGeneration(engineRequest: EngineRequest): RenderPlan {
  const { request } = engineRequest;
  const size = engineRequest.size ?? autoGenerationSize(request.aspectRatio);
  const warnings: EngineWarning[] = [];
  let transparent = request.background === 'transparent';
  if (transparent && request.outputFormat === 'jpeg') {
    warnings.push({ feature: 'background', message: 'jpeg cannot store transparency, so background "transparent" was ignored and the image is opaque; use png or webp' });
    transparent = false;
  }
  return {
    warnings,
    lossless: false,
    render: async (variant) => ({ image: await typesetPrompt(request.prompt, { size, seed: request.seed, variant, transparent }), warnings: [] }),
  };
}
