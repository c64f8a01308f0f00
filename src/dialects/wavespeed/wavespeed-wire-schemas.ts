import { z } from 'zod';
import { memoizeByKey } from '../shared/memoize-by-key.ts';
import { waveSpeedAspectRatios } from '../../domain/size-rules.ts';

export type WaveSpeedEndpoint = 'edit' | 'text-to-image';

/** The WaveSpeed model paths darkroom serves, and the darkroom model each one runs. */
export const waveSpeedModels: Record<WaveSpeedEndpoint, { modelPath: string; model: string }> = {
  edit: { modelPath: 'openai/gpt-image-2/edit', model: 'gpt-image-2-edit' },
  'text-to-image': { modelPath: 'openai/gpt-image-2/text-to-image', model: 'gpt-image-2' },
};

/** Clients (and WaveSpeed's playground) send `null` or `""` for options they leave unset. */
const unset = (value: unknown): unknown => (value === null || value === '' ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(unset, schema.optional());
const lowerCase = (value: unknown): unknown => (typeof value === 'string' ? value.trim().toLowerCase() : unset(value));

const httpUrl = z.string().trim().refine((value) => {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}, 'must be an absolute http(s) URL');

/**
 * The body of `POST /api/v3/openai/gpt-image-2/{edit|text-to-image}`, as WaveSpeed documents it; unknown
 * fields are ignored as WaveSpeed does. `output_format` is a darkroom extension (default png).
 */
function buildWaveSpeedRequestSchema(endpoint: WaveSpeedEndpoint, maxPromptLength: number, maxInputImages: number) {
  const image = z.string().trim().min(1, 'must be an image URL or a data URI');
  return z
    .object({
      images:
        endpoint === 'edit'
          ? z.array(image, 'required: a list of image URLs').min(1, 'at least one image is required').max(maxInputImages, `at most ${maxInputImages} images`)
          : z.unknown().optional(),
      prompt: z.string('required: a text prompt').trim().min(1, 'must not be empty').max(maxPromptLength, `at most ${maxPromptLength} characters`),
      aspect_ratio: optional(z.enum(waveSpeedAspectRatios, `must be one of ${waveSpeedAspectRatios.join(', ')}`)),
      resolution: z.preprocess(lowerCase, z.enum(['1k', '2k', '4k'], 'must be one of 1k, 2k, 4k').default('1k')),
      quality: z.preprocess(lowerCase, z.enum(['low', 'medium', 'high'], 'must be one of low, medium, high').default('medium')),
      output_format: z.preprocess(
        (value) => (lowerCase(value) === 'jpg' ? 'jpeg' : lowerCase(value)),
        z.enum(['png', 'jpeg', 'webp'], 'must be one of png, jpeg, webp').default('png'),
      ),
      enable_sync_mode: z.preprocess(unset, z.boolean('must be true or false').default(false)),
      enable_base64_output: z.preprocess(unset, z.boolean('must be true or false').default(false)),
      webhook_url: optional(httpUrl),
    })
    .loose();
}

export const waveSpeedRequestSchema: (
  endpoint: WaveSpeedEndpoint,
  maxPromptLength: number,
  maxInputImages: number,
) => ReturnType<typeof buildWaveSpeedRequestSchema> = memoizeByKey(
  (endpoint: WaveSpeedEndpoint, maxPromptLength: number, maxInputImages: number) => `${endpoint}|${maxPromptLength}|${maxInputImages}`,
  buildWaveSpeedRequestSchema,
);

export type WaveSpeedRequestBody = z.output<ReturnType<typeof waveSpeedRequestSchema>>;

/** `POST /api/v3/media/uploads`: the upload ticket the `wavespeed` SDK asks for before PUTting the bytes. */
export const uploadTicketSchema = z
  .object({
    filename: z.string('required: the file name').trim().min(1, 'must not be empty').max(1024),
    size: z.number('required: the file size in bytes').int('must be a whole number of bytes').positive('must be at least 1 byte'),
    content_type: optional(z.string().trim().max(255)),
  })
  .loose();

export const webhookQuerySchema = optional(httpUrl);
