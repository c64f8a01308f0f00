import type { EngineWarning } from '../../domain/job.ts';
import { encodeImage } from '../../imaging/encode-image.ts';
import type { EngineCallContext, EngineCapabilities, EngineImage, EngineRequest, EngineResult, ImageEngine } from '../image-engine.ts';
import { localSizeLimits } from './local-size-limits.ts';
import { prepareEdit } from './prepare-edit.ts';
import { prepareGeneration } from './prepare-generation.ts';
import { progressiveRender } from './progressive-renders.ts';
import { hasTransparency, type RgbaImage } from './rgba-image.ts';
import { throwIfCancelled } from './throw-if-cancelled.ts';

/**
 * The offline engine that serves requests when no upstream is configured. It is a real, deterministic
 * editor and typesetter on sharp, not an imitation of a generative model: edits follow a fixed
 * vocabulary (edit-vocabulary.ts), generations typeset the prompt. Same request, same bytes.
 */
export class LocalImageEngine implements ImageEngine {
  readonly engineId = 'local';
  readonly description =
    'Offline deterministic engine: prompt-driven photo edits (grayscale, blur, rotate, text overlay, layouts…) and typeset text compositions; no generative model';
  readonly capabilities: EngineCapabilities = {
    generate: true,
    edit: true,
    mask: true,
    maxInputImages: 16,
    partialImages: true,
    transparentBackground: true,
  };
  readonly sizeLimits = localSizeLimits;

  async run(engineRequest: EngineRequest, context: EngineCallContext): Promise<EngineResult> {
    const { request } = engineRequest;
    const { signal } = context;
    throwIfCancelled(signal);
    const isEdit = engineRequest.inputImages.length > 0;
    context.reportProgress({ message: isEdit ? 'reading the input images' : 'laying out the prompt', fraction: 0.05 });
    const plan = isEdit ? await prepareEdit(engineRequest, signal) : prepareGeneration(engineRequest);
    const warnings: EngineWarning[] = [...plan.warnings];
    const addWarnings = (more: EngineWarning[]) => {
      for (const warning of more) {
        if (!warnings.some((known) => known.feature === warning.feature && known.message === warning.message)) warnings.push(warning);
      }
    };
    const encode = (image: RgbaImage, fast = false): Promise<EngineImage> =>
      encodeImage(image, request.outputFormat, request.quality, request.outputCompression, { lossless: plan.lossless, fast });

    const count = Math.max(1, request.imageCount);
    const images: EngineImage[] = [];
    for (let variant = 0; variant < count; variant += 1) {
      throwIfCancelled(signal);
      context.reportProgress({ message: `rendering image ${variant + 1} of ${count}`, fraction: 0.1 + (0.85 * variant) / count });
      const rendered = await plan.render(variant);
      addWarnings(rendered.warnings);
      if (request.outputFormat === 'jpeg' && hasTransparency(rendered.image)) {
        addWarnings([{ feature: 'background', message: 'jpeg cannot store transparency; transparent areas were flattened onto white' }]);
      }
      if (variant === 0) {
        for (let index = 0; index < request.partialImages; index += 1) {
          throwIfCancelled(signal);
          // Previews are shown once and replaced: encoded for speed.
          const preview = await encode(await progressiveRender(rendered.image, index), true);
          await context.reportPartialImage({ ...preview, index });
        }
      }
      throwIfCancelled(signal);
      images.push(await encode(rendered.image));
    }
    context.reportProgress({ message: 'done', fraction: 1 });
    return { images, warnings, usage: undefined };
  }
}
