import { GatewayError } from '../../domain/gateway-error.ts';
import type { ImageSize } from '../../domain/image-request.ts';
import type { EngineWarning } from '../../domain/job.ts';
import { formatSize, parseAspectRatio } from '../../domain/size-rules.ts';
import type { EngineRequest } from '../image-engine.ts';
import { applyEditOperations } from './apply-edit-operations.ts';
import { applyMask, decodeMask } from './apply-mask.ts';
import { composeLayout, layoutKeepsFirstImageSize } from './compose-layout.ts';
import { localEditVocabulary, localLayoutVocabulary } from './edit-vocabulary.ts';
import { keyOutBorder } from './key-out-border.ts';
import { localSizeLimits } from './local-size-limits.ts';
import { parseEditPrompt } from './parse-edit-prompt.ts';
import { decodeToRgba, hasTransparency, transformRgba, type RgbaImage } from './rgba-image.ts';
import { throwIfCancelled } from './throw-if-cancelled.ts';

/** Each edit is a full pass over the pixels; a pasted essay of edit words must not become minutes of CPU. */
export const maxEditOperations = 32;

export type RenderedVariant = { image: RgbaImage; warnings: EngineWarning[] };

/** Work shared by all output images of one request, and how to render variant i from it. */
export type RenderPlan = {
  warnings: EngineWarning[];
  /** Pixels must survive encoding exactly (a mask is present). */
  lossless: boolean;
  render(variant: number): Promise<RenderedVariant>;
};

export function unrecognisedEditError(): GatewayError {
  const operations = localEditVocabulary.map((entry) => entry.operation).join(', ');
  const layouts = localLayoutVocabulary.map((entry) => entry.operation).join(', ');
  return new GatewayError(
    'unsupported_operation',
    `The local engine did not recognise any edit in the prompt. It understands these operations: ${operations} ` +
      `(e.g. "make it black and white, then blur it slightly" or 'add the text "Hello" at the top'), and these layouts for several images: ${layouts}. ` +
      'For free-form generative edits, set OPENAI_API_KEY (or FAL_KEY / WAVESPEED_API_KEY) to route gpt-image-2 to a generative upstream.',
    {
      details: {
        supportedOperations: localEditVocabulary.map((entry) => entry.operation),
        supportedLayouts: localLayoutVocabulary.map((entry) => entry.operation),
      },
    },
  );
}

/** Explicit size: cover-resize (centre crop). `auto` with an aspect ratio: largest centred crop. Else: keep, within limits. */
async function fitOutputSize(image: RgbaImage, size: ImageSize | undefined, aspectRatio: string | undefined, warnings: EngineWarning[]): Promise<RgbaImage> {
  if (size) {
    if (size.width === image.width && size.height === image.height) return image;
    return transformRgba(image, (pipeline) => pipeline.resize(size.width, size.height, { fit: 'cover', position: 'centre' }));
  }
  const ratio = aspectRatio === undefined ? undefined : parseAspectRatio(aspectRatio);
  if (ratio !== undefined) {
    const width = Math.min(image.width, Math.round(image.height * ratio));
    const height = Math.min(image.height, Math.round(image.width / ratio));
    if (width === image.width && height === image.height) return image;
    return transformRgba(image, (pipeline) =>
      pipeline.extract({ left: Math.floor((image.width - width) / 2), top: Math.floor((image.height - height) / 2), width, height }),
    );
  }
  const { maxEdge, maxPixels } = localSizeLimits;
  const scale = Math.min(1, maxEdge / Math.max(image.width, image.height), Math.sqrt(maxPixels / (image.width * image.height)));
  if (scale >= 1) return image;
  const fitted = { width: Math.max(1, Math.floor(image.width * scale)), height: Math.max(1, Math.floor(image.height * scale)) };
  warnings.push({ feature: 'size', message: `The edit is ${formatSize(image)}, above the local engine's limits; it was scaled down to ${formatSize(fitted)}` });
  return transformRgba(image, (pipeline) => pipeline.resize(fitted.width, fitted.height, { fit: 'fill' }));
}

export async function prepareEdit(engineRequest: EngineRequest, signal: AbortSignal): Promise<RenderPlan> {
  const { request } = engineRequest;
  const parsed = parseEditPrompt(request.prompt);
  const { layout } = parsed;
  const warnings: EngineWarning[] = [];
  const operations = parsed.operations.slice(0, maxEditOperations);
  if (parsed.operations.length > maxEditOperations) {
    warnings.push({ feature: 'prompt', message: `The prompt asks for ${parsed.operations.length} edits; the local engine applied the first ${maxEditOperations}` });
  }
  const inputCount = engineRequest.inputImages.length;
  const usesLayout = layout !== undefined && inputCount > 1;
  if (operations.length === 0 && !usesLayout) throw unrecognisedEditError();

  // Inputs were validated before the job was queued; a failure here still deserves a 400 naming the image.
  const decodeOrReject = (bytes: Uint8Array, field: string) =>
    decodeToRgba(bytes).catch((error: unknown) => {
      throw new GatewayError('invalid_request', `${field}: could not be decoded`, { field, cause: error });
    });
  const images: RgbaImage[] = [];
  for (const [index, input] of (usesLayout ? engineRequest.inputImages : engineRequest.inputImages.slice(0, 1)).entries()) {
    throwIfCancelled(signal);
    images.push(await decodeOrReject(input.data, `input_image.${index}`));
  }
  const [first] = images;
  if (!first) throw new Error('an edit needs an input image');
  if (inputCount > 1 && !usesLayout) {
    warnings.push({
      feature: 'input_images',
      message: `The local engine combines several images only when the prompt names a layout (side by side, stack, grid, inset); it edited the first image and ignored ${inputCount - 1} more`,
    });
  }
  if (layout !== undefined && !usesLayout) {
    warnings.push({ feature: 'layout', message: `The ${layout} layout needs at least two input images; it was ignored` });
  }

  let mask: Awaited<ReturnType<typeof decodeMask>> | undefined;
  if (engineRequest.mask) {
    mask = await decodeMask(engineRequest.mask.data).catch((error: unknown) => {
      throw new GatewayError('invalid_request', 'mask: could not be decoded', { field: 'mask', cause: error });
    });
    if (mask.width !== first.width || mask.height !== first.height) {
      throw GatewayError.invalid('mask', `mask is ${formatSize(mask)} but the first input image is ${formatSize(first)}; they must match`);
    }
    if (usesLayout && !layoutKeepsFirstImageSize(layout)) {
      throw GatewayError.invalid('mask', `a mask cannot be combined with the ${layout} layout: the mask matches the first image, but the layout changes the canvas size`);
    }
    if (request.outputFormat === 'jpeg') {
      warnings.push({ feature: 'mask', message: 'jpeg is lossy, so areas outside the mask are close to, but not bit-identical with, the original; use png or webp for exact preservation' });
    }
  }

  const transparent = request.background === 'transparent';
  if (transparent && request.outputFormat === 'jpeg') {
    warnings.push({ feature: 'background', message: 'jpeg cannot store transparency, so background "transparent" was ignored and the image is opaque; use png or webp' });
  }

  throwIfCancelled(signal);
  const base = usesLayout ? await composeLayout(images, layout, localSizeLimits) : { image: first, warnings: [] };
  warnings.push(...base.warnings);

  const render = async (variant: number): Promise<RenderedVariant> => {
    const outcome = await applyEditOperations(base.image, operations, { variant, signal });
    const variantWarnings = [...outcome.warnings];
    let result = outcome.image;
    throwIfCancelled(signal);
    if (transparent && request.outputFormat !== 'jpeg' && !hasTransparency(result)) {
      const keyed = keyOutBorder(result);
      if (keyed) result = keyed.image;
      else variantWarnings.push({ feature: 'background', message: 'No uniform border colour was found to make transparent, so the image stays opaque' });
    } else if (request.background === 'opaque' && hasTransparency(result)) {
      result = await transformRgba(result, (pipeline) => pipeline.flatten({ background: '#ffffff' }));
    }
    if (mask) {
      if (result.width !== first.width || result.height !== first.height) {
        throw GatewayError.invalid('mask', `the edit changes the image from ${formatSize(first)} to ${formatSize(result)}, so the mask no longer lines up; remove the mask or the size-changing edit`);
      }
      result = applyMask(first, result, mask);
    }
    throwIfCancelled(signal);
    return { image: await fitOutputSize(result, engineRequest.size, request.aspectRatio, variantWarnings), warnings: variantWarnings };
  };
  return { warnings, lossless: mask !== undefined, render };
}
