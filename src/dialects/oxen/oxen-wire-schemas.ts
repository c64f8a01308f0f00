import { z } from 'zod';
import { memoizeByKey } from '../shared/memoize-by-key.ts';
import type { ModelDefinition } from '../../engines/model-catalog.ts';

export const oxenResolutionPresets = ['1024x768', '1024x1024', '1024x1536', '1920x1080', '2560x1440', '3840x2160'] as const;
export const oxenResolutionTiers = ['1K', '2K', '4K', '1k', '2k', '4k'] as const;
export const oxenAspectRatios = ['auto', '1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3', '21:9', '9:21', '4:5', '5:4'] as const;

export type OxenEndpoint = 'generate' | 'edit' | 'queue';

const imageReference = z
  .string()
  .min(1, 'must not be empty')
  .describe('An http(s) URL or a data URI (data:image/png;base64,...) of a png, jpeg or webp image.');

/**
 * The Oxen request body for one model on one endpoint. The same schema validates requests and, through
 * `z.toJSONSchema`, is published as the model's `request_schema` — they cannot drift apart.
 * Unknown fields are ignored (stripped), as Oxen clients send extras such as `target_namespace`.
 */
function buildOxenRequestSchema(model: ModelDefinition, endpoint: OxenEndpoint, maxPromptLength: number) {
  const editsOnly = model.requiresInputImages || endpoint === 'edit';
  const inputImage = z
    .union([imageReference, z.array(imageReference).min(1, 'must hold at least one image').max(16, 'at most 16 images')])
    .describe('One or more reference images to transform. Multiple images are composed together by the model.');
  return z.object({
    model: z.string().min(1, 'must not be empty').describe('Model id, e.g. gpt-image-2.'),
    prompt: z
      .string({ error: (issue) => (issue.input === undefined ? 'Prompt cannot be empty' : 'must be a string') })
      .trim()
      .min(1, 'Prompt cannot be empty')
      .max(maxPromptLength, `must be at most ${maxPromptLength} characters`)
      .describe(editsOnly ? 'Text description of how to edit the input image(s).' : 'Text description of the image to generate.'),
    input_image: editsOnly ? inputImage : inputImage.nullish(),
    resolution: z
      .enum(['auto', ...oxenResolutionPresets, ...oxenResolutionTiers])
      .nullish()
      .describe(
        'Output image resolution: auto (the first input image\'s size), a preset, or a 1K/2K/4K tier combined with aspect_ratio. ' +
          'HD sizes (1920x1080 and lower) bill at the standard tier; QHD+ sizes (2560x1440 and higher) at the high-resolution tier. ' +
          `Default: ${editsOnly ? 'auto' : '1920x1080'}.`,
      ),
    aspect_ratio: z
      .enum(oxenAspectRatios)
      .nullish()
      .describe('Aspect ratio for the 1K/2K/4K resolution tiers; auto follows the first input image.'),
    quality: z
      .enum(['auto', 'low', 'medium', 'high'])
      .default('high')
      .describe("Output quality tier. Use 'auto' to let the model pick, or set explicitly to low, medium, or high."),
    output_format: z.enum(['png', 'jpeg', 'webp']).default('png').describe('File format for the generated image.'),
    num_images: z.int().min(1).max(4).default(1).describe('Number of images to generate per request.'),
    mask_url: imageReference
      .nullish()
      .describe('Optional mask image URL. White pixels mark regions to edit; black pixels are preserved. Must match the first input image\'s size.'),
    response_format: z.enum(['url', 'b64_json']).default('url').describe('Return signed URLs (default) or base64 image data.'),
    background: z.enum(['auto', 'transparent', 'opaque']).default('auto').describe('Transparent backgrounds need png or webp.'),
    output_compression: z.int().min(0).max(100).nullish().describe('Encoder quality 0-100 for jpeg and webp.'),
    seed: z.int().nullish().describe('Seed for deterministic variation.'),
    partial_images: z
      .int()
      .min(0)
      .max(3)
      .default(0)
      .describe('darkroom extension: progressive renders announced as media_generation_partial_image events (0-3).'),
    ...(endpoint === 'queue'
      ? {
          num_generations: z.int().min(1).max(4).default(1).describe('Number of independent generations to enqueue.'),
          // darkroom extension: Oxen's queue has no webhooks.
          webhook_url: z
            .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' })
            .max(2048, 'must be at most 2048 characters')
            .nullish()
            .describe('darkroom extension: POST each finished generation here as a signed Standard Webhooks request (see docs/webhooks.md).'),
        }
      : {}),
  });
}

type OxenRequestSchema = ReturnType<typeof buildOxenRequestSchema>;

export const oxenRequestSchema: (model: ModelDefinition, endpoint: OxenEndpoint, maxPromptLength?: number) => OxenRequestSchema = memoizeByKey(
  (model: ModelDefinition, endpoint: OxenEndpoint, maxPromptLength = 32_000) => `${model.id}|${model.requiresInputImages}|${endpoint}|${maxPromptLength}`,
  (model: ModelDefinition, endpoint: OxenEndpoint, maxPromptLength = 32_000) => buildOxenRequestSchema(model, endpoint, maxPromptLength),
);

export type OxenRequestBody = z.output<OxenRequestSchema> & { num_generations?: number; webhook_url?: string | null };

export const oxenQueueListQuerySchema = z.object({
  status: z.enum(['queued', 'processing', 'succeeded', 'failed', 'cancelled', 'all']).optional(),
  model: z.string().min(1).optional(),
  media_type: z.enum(['image', 'video']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.string().min(1).optional(),
});
