import type { Job, JobState } from '../../domain/job.ts';
import type { JobEvent } from '../../domain/job-event.ts';
import type { JsonObject, JsonValue } from '../../domain/json-value.ts';

export type OxenStatus = 'queued' | 'processing' | 'succeeded' | 'failed' | 'cancelled';

const statusByState: Record<JobState, OxenStatus> = {
  queued: 'queued',
  running: 'processing',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
};
export const toOxenStatus = (state: JobState): OxenStatus => statusByState[state];
export const fromOxenStatus = (status: OxenStatus): JobState =>
  (Object.keys(statusByState) as JobState[]).find((state) => statusByState[state] === status) ?? 'queued';

const seconds = (date: Date | undefined): number | null => (date ? Math.floor(date.getTime() / 1000) : null);

export type UrlFor = (blobKey: string) => string;

/** The sync response: `{model, created, images:[{url}|{b64_json}]}`. */
export function toOxenImagesResponse(job: Job, images: Array<{ url: string } | { b64_json: string }>): JsonObject {
  return { model: job.model, created: seconds(job.createdAt) ?? 0, images };
}

/** The generation object of `GET /api/ai/queue/:id` (and list entries). Submitted parameters are echoed. */
export function toOxenGeneration(job: Job, urlFor: UrlFor): JsonObject {
  const urls = job.result?.images.map((image) => urlFor(image.blobKey)) ?? [];
  const echoed = job.origin.extras;
  return {
    ...echoed,
    generation_id: job.id,
    model_name: job.model,
    prompt: job.request.prompt,
    media_type: 'image',
    status: toOxenStatus(job.state),
    result_url: job.state === 'succeeded' ? (urls[0] ?? null) : null,
    result_urls: job.state === 'succeeded' ? urls : [],
    error_message: job.state === 'failed' ? (job.error?.message ?? 'Generation failed') : null,
    enqueued_at: seconds(job.createdAt),
    started_at: seconds(job.startedAt),
    completed_at: seconds(job.completedAt),
    engine: job.engineId,
    ...(job.result && job.result.warnings.length > 0 ? { warnings: job.result.warnings.map((warning) => warning.message) } : {}),
  };
}

/**
 * The darkroom-extension webhook body for a finished queue generation: the generation object under the
 * Standard Webhooks `{type, timestamp, data}` envelope, named like Oxen's SSE completion event.
 */
export function toOxenWebhookPayload(job: Job, urlFor: UrlFor): JsonObject {
  return {
    type: 'media_generation_completed',
    timestamp: (job.completedAt ?? job.createdAt).toISOString(),
    data: toOxenGeneration(job, urlFor),
  };
}

/**
 * Event-bus events as `/api/events` messages. `media_generation_completed` is Oxen's (succeeded or failed);
 * the other names are darkroom additions that Oxen clients ignore because they filter on `event:`.
 */
export function toOxenEventMessage(event: JobEvent, urlFor: UrlFor): { event: string; data: JsonObject } | undefined {
  const base = { generation_id: event.jobId, media_type: 'image', model: event.model };
  switch (event.type) {
    case 'job-succeeded': {
      const images = (event.data.images ?? []) as Array<{ blobKey: string }>;
      const urls = images.map((image) => urlFor(image.blobKey));
      return { event: 'media_generation_completed', data: { ...base, status: 'succeeded', url: urls[0] ?? null, urls } };
    }
    case 'job-failed': {
      const error = event.data.error as { message?: JsonValue } | undefined;
      return { event: 'media_generation_completed', data: { ...base, status: 'failed', error: String(error?.message ?? 'Generation failed') } };
    }
    case 'job-queued':
      return { event: 'media_generation_queued', data: { ...base, status: 'queued' } };
    case 'job-started':
      return { event: 'media_generation_started', data: { ...base, status: 'processing' } };
    case 'job-progress':
      return { event: 'media_generation_progress', data: { ...base, status: 'processing', message: event.data.message ?? null, fraction: event.data.fraction ?? null } };
    case 'job-partial-image':
      return {
        event: 'media_generation_partial_image',
        data: { ...base, status: 'processing', index: event.data.index ?? 0, url: urlFor(String(event.data.blobKey)) },
      };
    case 'job-cancelled':
      return { event: 'media_generation_cancelled', data: { ...base, status: 'cancelled' } };
  }
}

/** What a queued generation echoes back: the submitted parameters, with inline image data left out. */
export function echoedParameters(body: Record<string, unknown>): JsonObject {
  const echoed: JsonObject = {};
  for (const [name, value] of Object.entries(body)) {
    if (name === 'prompt' || name === 'model' || value === undefined) continue;
    echoed[name] = redactDataUris(value as JsonValue);
  }
  return echoed;
}

function redactDataUris(value: JsonValue): JsonValue {
  if (typeof value === 'string') return value.startsWith('data:') ? `${value.slice(0, value.indexOf(',') + 1)}…` : value;
  if (Array.isArray(value)) return value.map(redactDataUris);
  return value;
}
