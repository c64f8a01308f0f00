import type { ImageRequestDraft, ImageSource, Quality } from '../../domain/image-request.ts';
import type { JsonObject } from '../../domain/json-value.ts';
import { parseSizeString } from '../../domain/size-rules.ts';
import { defaultOpenAiModel, type OpenAiImageBody, type OpenAiQuality } from './openai-wire-schemas.ts';

const internalQuality: Record<OpenAiQuality, Quality> = {
  auto: 'auto',
  low: 'low',
  medium: 'medium',
  high: 'high',
  standard: 'medium',
  hd: 'high',
  xhigh: 'high',
  max: 'high',
};

/** Levels above `high` have no internal name; engines that know them find the original in engineOptions. */
const upstreamOnlyQualities: ReadonlySet<OpenAiQuality> = new Set(['xhigh', 'max']);

export type OpenAiImageSources = {
  /** In request order; empty for generations. */
  images: ImageSource[];
  /** OpenAI's convention: fully transparent pixels mark the area to edit. */
  mask: ImageSource | undefined;
};

/**
 * The OpenAI-only fields an OpenAI(-compatible) engine forwards as they came, under their wire names
 * (`moderation`, `input_fidelity`, `user`, `safety_identifier`, `complexity`, and `quality` when above `high`).
 */
export function openAiEngineOptions(body: OpenAiImageBody): JsonObject {
  const options: JsonObject = {};
  if (body.moderation) options.moderation = body.moderation;
  if (body.input_fidelity) options.input_fidelity = body.input_fidelity;
  if (body.user) options.user = body.user;
  if (body.safety_identifier) options.safety_identifier = body.safety_identifier;
  if (body.complexity) options.complexity = body.complexity;
  if (body.quality && upstreamOnlyQualities.has(body.quality)) options.quality = body.quality;
  return options;
}

/** A validated OpenAI images body and its image sources → the internal request draft. Pure: no I/O. */
export function openAiToImageRequest(body: OpenAiImageBody, sources: OpenAiImageSources): ImageRequestDraft {
  const engineOptions = openAiEngineOptions(body);
  return {
    model: body.model ?? defaultOpenAiModel,
    prompt: body.prompt,
    imageCount: body.n ?? 1,
    // `auto` (and omitted): generations get the engine's default, edits keep the first input's size.
    size: body.size && body.size !== 'auto' ? parseSizeString(body.size) : undefined,
    sizeTier: undefined,
    aspectRatio: undefined,
    quality: internalQuality[body.quality ?? 'auto'],
    outputFormat: body.output_format ?? 'png',
    outputCompression: body.output_compression ?? undefined,
    background: body.background ?? 'auto',
    seed: undefined,
    inputImages: sources.images,
    mask: sources.mask ? { ...sources.mask, convention: 'alpha-edits' } : undefined,
    partialImages: body.stream ? (body.partial_images ?? 0) : 0,
    engineOptions: Object.keys(engineOptions).length > 0 ? { openai: engineOptions } : {},
  };
}

/** What a job remembers of its OpenAI request (shown by the Oxen queue API): the scalars, without the prompt. */
export function echoedOpenAiParameters(body: OpenAiImageBody): JsonObject {
  const echoed: JsonObject = {};
  for (const [name, value] of Object.entries(body)) {
    if (name === 'prompt' || name === 'model' || value === undefined || value === null) continue;
    echoed[name] = value;
  }
  return echoed;
}
