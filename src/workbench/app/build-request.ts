import type { JsonObject, JsonValue } from '../../domain/json-value.ts';
import { formatSize, parseAspectRatio, parseSizeString, sizeForTier, type ResolutionTier } from '../../domain/size-rules.ts';

export type RunMode = 'sync' | 'queued';

/** Everything the Workbench form holds, independent of any wire format. */
export type WorkbenchForm = {
  model: string;
  prompt: string;
  /** Parameters the user set (values equal to the schema default are left out). */
  parameters: Record<string, JsonValue>;
  /** URLs or data URIs, in order; the mask applies to the first. */
  inputImages: string[];
  /** Size of the first input image, when known (for `auto` aspect ratios). */
  firstImageSize: { width: number; height: number } | undefined;
  /** PNG data URI, white = edit on black (Oxen, fal). */
  mask: string | undefined;
  /** The same mask with transparent = edit (OpenAI). */
  alphaMask: string | undefined;
  /** The model only edits (`gpt-image-2-edit`): even without images it goes to the edit endpoint. */
  editOnly: boolean;
  mode: RunMode;
  /** Independent queued generations (Oxen `num_generations`). */
  generations: number;
};

export type HttpRequest = { method: 'POST'; path: string; body: JsonObject };

export type Dialect = 'oxen' | 'openai';

/** The OpenAI /v1 dialect is offered for the gpt-image family, whose models it was made for. */
export const supportsOpenAiDialect = (modelId: string): boolean => /^gpt-image/i.test(modelId);

/** The Oxen request the Workbench's Run button sends. */
export function oxenRequest(form: WorkbenchForm): HttpRequest {
  const isEdit = form.editOnly || form.inputImages.length > 0;
  const path = form.mode === 'queued' ? '/api/ai/queue' : isEdit ? '/api/ai/images/edit' : '/api/ai/images/generate';
  const body: JsonObject = { model: form.model, prompt: form.prompt };
  if (form.inputImages.length > 0) body.input_image = [...form.inputImages];
  Object.assign(body, form.parameters);
  if (form.mask && form.inputImages.length > 0) body.mask_url = form.mask;
  if (form.mode === 'queued' && form.generations > 1) body.num_generations = form.generations;
  return { method: 'POST', path, body };
}

/** The same request in the OpenAI Images API (`/v1/images/generations` or JSON `/v1/images/edits`). */
export function openAiRequest(form: WorkbenchForm): HttpRequest {
  const isEdit = form.editOnly || form.inputImages.length > 0;
  const body: JsonObject = { model: form.model, prompt: form.prompt };
  if (isEdit) body.images = form.inputImages.map((image) => ({ image_url: image }));
  const { parameters } = form;
  const count = parameters.num_images;
  if (typeof count === 'number' && count !== 1) body.n = count;
  const size = openAiSize(parameters, form.firstImageSize);
  if (size) body.size = size;
  for (const name of ['quality', 'output_format', 'background', 'output_compression'] as const) {
    const value = parameters[name];
    if (value !== undefined && value !== null) body[name] = value;
  }
  if (isEdit && form.alphaMask && form.inputImages.length > 0) body.mask = { image_url: form.alphaMask };
  return { method: 'POST', path: isEdit ? '/v1/images/edits' : '/v1/images/generations', body };
}

/**
 * Oxen's `resolution` (+ `aspect_ratio`) as OpenAI's `size`: presets map as they are, 1K/2K/4K tiers become
 * the tier's size at the chosen ratio (the first image's own ratio for `auto`), `auto` stays `auto`.
 */
export function openAiSize(parameters: Record<string, JsonValue>, firstImageSize: WorkbenchForm['firstImageSize']): string | undefined {
  const resolution = typeof parameters.resolution === 'string' ? parameters.resolution : undefined;
  const aspect = typeof parameters.aspect_ratio === 'string' ? parameters.aspect_ratio : undefined;
  if (resolution === 'auto') return 'auto';
  const preset = resolution ? parseSizeString(resolution) : undefined;
  if (preset) return formatSize(preset);
  // An aspect ratio alone means the 2K tier on Oxen.
  const tier = (resolution?.toUpperCase() ?? (aspect ? '2K' : undefined)) as ResolutionTier | undefined;
  if (!tier) return undefined;
  const ratio = aspect && aspect !== 'auto' ? parseAspectRatio(aspect) : firstImageSize ? firstImageSize.width / firstImageSize.height : 1;
  return formatSize(sizeForTier(tier, ratio ?? 1));
}
