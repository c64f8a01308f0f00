import { z } from 'zod';
import { memoizeByKey } from '../shared/memoize-by-key.ts';
import { GatewayError } from '../../domain/gateway-error.ts';
import type { ImageSize } from '../../domain/image-request.ts';
import type { JsonValue } from '../../domain/json-value.ts';
import type { FalApp } from './fal-apps.ts';

/** fal's named image sizes (GptImage2Input `image_size`). */
export const falImageSizePresets: Record<string, ImageSize> = {
  square_hd: { width: 1024, height: 1024 },
  square: { width: 512, height: 512 },
  portrait_4_3: { width: 768, height: 1024 },
  portrait_16_9: { width: 576, height: 1024 },
  landscape_4_3: { width: 1024, height: 768 },
  landscape_16_9: { width: 1024, height: 576 },
};
const presetNames = Object.keys(falImageSizePresets) as [string, ...string[]];

export const falMaxInputImages = 16;

const imageReference = z.string().trim().min(1, 'must not be empty');
const edge = z.int().min(16, 'must be at least 16').max(3840, 'must be at most 3840').multipleOf(16, 'must be a multiple of 16');

export type FalImageSize = string | ImageSize;

/** The validated input of the gpt-image-2 apps; edit-only fields are absent on the text-to-image apps. */
export type FalInput = {
  prompt: string;
  image_urls?: string[];
  mask_url?: string | null;
  mask_image_url?: string | null;
  image_size: FalImageSize;
  quality: 'auto' | 'low' | 'medium' | 'high';
  num_images: number;
  output_format: 'png' | 'jpeg' | 'webp';
  sync_mode: boolean;
  openai_api_key?: string | null;
  seed?: number | null;
};

/** The input schema of one app (fal-js GptImage2Input / GptImage2EditInput). Unknown fields are ignored, as fal does. */
function buildFalInputSchema(app: FalApp, maxPromptLength: number) {
  const edit = app.operation === 'edit';
  return z.object({
    prompt: z
      .string({ error: (issue) => (issue.input === undefined ? 'Field required' : 'must be a string') })
      .trim()
      .min(1, 'must not be empty')
      .max(maxPromptLength, `must be at most ${maxPromptLength} characters`),
    ...(edit
      ? {
          image_urls: z
            .array(imageReference, { error: (issue) => (issue.input === undefined ? 'Field required' : 'must be a list of image URLs') })
            .min(1, 'at least one image URL is required')
            .max(falMaxInputImages, `at most ${falMaxInputImages} images are allowed`),
          mask_url: imageReference.nullish(),
          mask_image_url: imageReference.nullish(),
        }
      : {}),
    image_size: z
      .union([z.enum(['auto', ...presetNames]), z.object({ width: edge, height: edge })], {
        error: `must be auto, one of ${presetNames.join(', ')}, or {"width", "height"} in multiples of 16`,
      })
      .default(edit ? 'auto' : 'landscape_4_3'),
    quality: z.enum(['auto', 'low', 'medium', 'high']).default('high'),
    num_images: z.int().min(1, 'must be at least 1').max(4, 'must be at most 4').default(1),
    output_format: z.enum(['png', 'jpeg', 'webp']).default('png'),
    sync_mode: z.boolean().default(false),
    openai_api_key: z.string().nullish(),
    seed: z.int().nullish(),
  });
}

/** A zod issue code as the pydantic-style `type` fal clients see in `detail[].type`. */
function falIssueType(issue: z.core.$ZodIssue, input: unknown): string {
  const sized = (string: string, array: string, number: string) =>
    'origin' in issue ? (issue.origin === 'string' ? string : issue.origin === 'array' ? array : number) : number;
  if (issue.code === 'invalid_type') return input === undefined ? 'missing' : `${issue.expected}_type`;
  if (issue.code === 'too_small') return sized('string_too_short', 'too_short', 'greater_than_equal');
  if (issue.code === 'too_big') return sized('string_too_long', 'too_long', 'less_than_equal');
  if (issue.code === 'invalid_value') return 'literal_error';
  if (issue.code === 'not_multiple_of') return 'multiple_of';
  return 'value_error';
}

const valueAt = (root: unknown, path: ReadonlyArray<PropertyKey>): unknown =>
  path.reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined), root);

/**
 * Validates a body; failures become one GatewayError whose details are fal's `detail` entries
 * (`{loc:["body",…], msg, type}`), so the 422 lists every problem as fal's FastAPI apps do.
 */
export const falInputSchema: (app: FalApp, maxPromptLength: number) => ReturnType<typeof buildFalInputSchema> = memoizeByKey(
  (app: FalApp, maxPromptLength: number) => `${app.id}|${maxPromptLength}`,
  buildFalInputSchema,
);

export function parseFalInput(schema: ReturnType<typeof falInputSchema>, body: Record<string, unknown>): FalInput {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data as FalInput;
  const issues = parsed.error.issues;
  const detail: JsonValue[] = issues.slice(0, 20).map((issue) => ({
    loc: ['body', ...issue.path.map((key) => (typeof key === 'number' ? key : String(key)))],
    msg: issue.message,
    type: falIssueType(issue, valueAt(body, issue.path)),
  }));
  const first = issues[0];
  const field = first?.path.map(String).join('.') || 'body';
  throw new GatewayError('invalid_request', `${field}: ${first?.message ?? 'invalid value'}`, { field, details: { detail } });
}

/** `?fal_webhook=` must be an absolute http(s) URL; whether it may be reached is decided at delivery. */
export function parseFalWebhookUrl(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value.trim());
  } catch {
    url = undefined;
  }
  if (url && (url.protocol === 'http:' || url.protocol === 'https:')) return url.href;
  const msg = 'must be an absolute http(s) URL';
  throw new GatewayError('invalid_request', `fal_webhook: ${msg}`, {
    field: 'fal_webhook',
    details: { detail: [{ loc: ['query', 'fal_webhook'], msg, type: 'url_parsing' }] },
  });
}
