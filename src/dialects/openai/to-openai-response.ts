import type { ImageRequest, ImageSize } from '../../domain/image-request.ts';
import type { ImageUsage, Job } from '../../domain/job.ts';
import type { JsonObject } from '../../domain/json-value.ts';
import { formatSize } from '../../domain/size-rules.ts';
import type { Route } from '../../engines/engine-router.ts';

export type OpenAiImageData = { b64_json: string } | { url: string };
export type OpenAiOperation = 'generations' | 'edits';

const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/** Always the full shape, zeros when the engine reported no tokens (the local engine has none). */
export function toOpenAiUsage(usage: ImageUsage | undefined): JsonObject {
  return {
    total_tokens: usage?.totalTokens ?? 0,
    input_tokens: usage?.inputTokens ?? 0,
    output_tokens: usage?.outputTokens ?? 0,
    input_tokens_details: { text_tokens: usage?.inputTextTokens ?? 0, image_tokens: usage?.inputImageTokens ?? 0 },
    output_tokens_details: { image_tokens: usage?.outputImageTokens ?? 0, text_tokens: usage?.outputTextTokens ?? 0 },
  };
}

/**
 * The concrete quality to echo: what was asked for, `auto` as `medium` (how the local engine renders `auto`),
 * and `xhigh|max` as sent (they travel in engineOptions because the internal scale stops at `high`).
 */
export function echoedQuality(request: ImageRequest): string {
  const upstreamLevel = request.engineOptions.openai?.quality;
  if (typeof upstreamLevel === 'string') return upstreamLevel;
  return request.quality === 'auto' ? 'medium' : request.quality;
}

/** `transparent` only when it was asked for and the format can hold it; `auto` is echoed as `opaque`. */
export function echoedBackground(request: ImageRequest): 'transparent' | 'opaque' {
  return request.background === 'transparent' && request.outputFormat !== 'jpeg' ? 'transparent' : 'opaque';
}

/** The `ImagesResponse` of a succeeded job, with the size the engine actually produced. */
export function toOpenAiImagesResponse(job: Job, data: OpenAiImageData[]): JsonObject {
  const size = job.result?.size ?? job.request.size;
  return {
    created: seconds(job.createdAt),
    data,
    background: echoedBackground(job.request),
    output_format: job.request.outputFormat,
    size: size ? formatSize(size) : 'auto',
    quality: echoedQuality(job.request),
    usage: toOpenAiUsage(job.result?.usage),
  };
}

const eventPrefix = (operation: OpenAiOperation) => (operation === 'edits' ? 'image_edit' : 'image_generation');

export type StreamImage = { b64_json: string; size: ImageSize; createdAt: Date };

/** `image_generation.partial_image` / `image_edit.partial_image`, every required field present. */
export function toOpenAiPartialImageEvent(operation: OpenAiOperation, request: ImageRequest, image: StreamImage, index: number): JsonObject {
  return {
    type: `${eventPrefix(operation)}.partial_image`,
    b64_json: image.b64_json,
    created_at: seconds(image.createdAt),
    size: formatSize(image.size),
    quality: echoedQuality(request),
    background: echoedBackground(request),
    output_format: request.outputFormat,
    partial_image_index: index,
  };
}

/**
 * `image_generation.completed` / `image_edit.completed`, one per result image. With n > 1 only the first
 * event carries the job's token usage and the others report zero, so clients summing per event stay right.
 */
export function toOpenAiCompletedEvent(operation: OpenAiOperation, job: Job, image: StreamImage, imageIndex: number): JsonObject {
  return {
    type: `${eventPrefix(operation)}.completed`,
    b64_json: image.b64_json,
    created_at: seconds(image.createdAt),
    size: formatSize(image.size),
    quality: echoedQuality(job.request),
    background: echoedBackground(job.request),
    output_format: job.request.outputFormat,
    usage: toOpenAiUsage(imageIndex === 0 ? job.result?.usage : undefined),
  };
}

/** The `Model` object of `GET /v1/models`. */
export function toOpenAiModel(route: Route): JsonObject {
  return { id: route.model.id, object: 'model', created: seconds(new Date(route.model.releasedAt)), owned_by: 'darkroom' };
}

export type OpenAiFileRecord = {
  id: string;
  /** null = uploaded without a key (open mode). */
  ownerKeyId: string | null;
  filename: string;
  purpose: string;
  bytes: number;
  createdAt: number;
  mediaType: string;
  contentKey: string;
};

/** The `File` object of the Files API. */
export function toOpenAiFile(record: OpenAiFileRecord): JsonObject {
  return {
    id: record.id,
    object: 'file',
    bytes: record.bytes,
    created_at: record.createdAt,
    filename: record.filename,
    purpose: record.purpose,
    status: 'processed',
  };
}
