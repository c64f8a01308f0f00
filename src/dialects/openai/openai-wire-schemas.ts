import { z } from 'zod';
import { memoizeByKey } from '../shared/memoize-by-key.ts';
import { parseSizeString } from '../../domain/size-rules.ts';

/** OpenAI defaults to dall-e-2 / gpt-image-1.5; darkroom serves the gpt-image-2 family, so that is its default. */
export const defaultOpenAiModel = 'gpt-image-2';

export const maxEditImages = 16;

/** `standard|hd` are the dall-e names; `xhigh|max` are newer gpt-image levels darkroom renders as `high`. */
export const openAiQualities = ['auto', 'low', 'medium', 'high', 'standard', 'hd', 'xhigh', 'max'] as const;
export type OpenAiQuality = (typeof openAiQualities)[number];

export type OpenAiImageBodyOptions = {
  maxPromptLength: number;
  /** The serving engine's largest edge; the rest of its size rules are fitted (with a warning), as for any dialect. */
  maxEdge: number;
};

const minEdge = 16;

const sizeSchema = (maxEdge: number) =>
  z
    .string()
    .trim()
    .refine((value) => {
      if (value === 'auto') return true;
      const size = parseSizeString(value);
      return size !== undefined && Math.min(size.width, size.height) >= minEdge && Math.max(size.width, size.height) <= maxEdge;
    }, `must be auto or WIDTHxHEIGHT (e.g. 1536x1024) with each edge between ${minEdge} and ${maxEdge}`);

/**
 * The scalar fields of `/v1/images/generations` and `/v1/images/edits` (both bodies). Unknown fields are
 * ignored rather than rejected, so newer SDKs keep working; `null` means "default", as the SDK types allow.
 */
function buildOpenAiImageBodySchema(options: OpenAiImageBodyOptions) {
  return z.object({
    model: z.string().trim().min(1, 'must not be empty').nullish(),
    prompt: z
      .string({ error: (issue) => (issue.input === undefined ? 'required' : 'must be a string') })
      .trim()
      .min(1, 'must not be empty')
      .max(options.maxPromptLength, `must be at most ${options.maxPromptLength} characters`),
    n: z.int().min(1).max(10).nullish(),
    size: sizeSchema(options.maxEdge).nullish(),
    quality: z.enum(openAiQualities).nullish(),
    background: z.enum(['auto', 'transparent', 'opaque']).nullish(),
    output_format: z.enum(['png', 'jpeg', 'webp']).nullish(),
    output_compression: z.int().min(0).max(100).nullish(),
    moderation: z.enum(['low', 'auto']).nullish(),
    input_fidelity: z.enum(['high', 'low']).nullish(),
    complexity: z.enum(['low', 'medium', 'high']).nullish(),
    user: z.string().max(512).nullish(),
    safety_identifier: z.string().max(512).nullish(),
    stream: z.boolean().nullish(),
    partial_images: z.int().min(0).max(3).nullish(),
    /** OpenAI ignores this for gpt-image; darkroom honours `url` with its own signed URLs. */
    response_format: z.enum(['url', 'b64_json']).nullish(),
  });
}

type OpenAiImageBodySchema = ReturnType<typeof buildOpenAiImageBodySchema>;

export const openAiImageBodySchema: (options: OpenAiImageBodyOptions) => OpenAiImageBodySchema = memoizeByKey(
  (options: OpenAiImageBodyOptions) => `${options.maxPromptLength}|${options.maxEdge}`,
  buildOpenAiImageBodySchema,
);

export type OpenAiImageBody = z.output<OpenAiImageBodySchema>;

const imageReference = z
  .object({ image_url: z.string().min(1).max(20_971_520).optional(), file_id: z.string().min(1).optional() })
  .strict()
  .refine((reference) => (reference.image_url === undefined) !== (reference.file_id === undefined), 'give exactly one of image_url or file_id');

export type OpenAiImageReference = z.output<typeof imageReference>;

/** The image references of a JSON edit body (`EditImageBodyJsonParam`). */
export const openAiJsonEditReferencesSchema = z.object({
  images: z
    .array(imageReference, { error: (issue) => (issue.input === undefined ? 'required: 1 to 16 {image_url} or {file_id} objects' : 'must be an array') })
    .min(1, 'must hold at least one image')
    .max(maxEditImages, `at most ${maxEditImages} images`),
  mask: imageReference.nullish(),
});

/** `POST /v1/files` purposes OpenAI accepts; darkroom stores any of them and reads them as images at use. */
export const openAiFilePurposes = ['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'] as const;

const numericFormFields = new Set(['n', 'output_compression', 'partial_images']);
const booleanFormFields = new Set(['stream']);

/**
 * Multipart scalars arrive as strings (`n="2"`, `stream="true"`); turn the numeric and boolean ones into
 * their JSON types so one schema validates both bodies. Empty optional fields count as absent. Pure.
 */
export function coerceFormFields(fields: Record<string, string>): Record<string, unknown> {
  const coerced: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    const trimmed = value.trim();
    if (trimmed === '' && name !== 'prompt') continue;
    if (numericFormFields.has(name) && /^-?\d+$/.test(trimmed)) coerced[name] = Number(trimmed);
    else if (booleanFormFields.has(name) && /^(true|false|1|0)$/i.test(trimmed)) coerced[name] = /^(true|1)$/i.test(trimmed);
    else coerced[name] = value;
  }
  return coerced;
}
