import { GatewayError } from '../../domain/gateway-error.ts';
import type { Job } from '../../domain/job.ts';
import type { JobEvent } from '../../domain/job-event.ts';
import type { JsonObject } from '../../domain/json-value.ts';
import { falErrorType, toFalError } from './to-fal-error.ts';

export type FalRequestUrls = { response_url: string; status_url: string; cancel_url: string };

export type FalLog = { message: string; level: 'INFO' | 'WARN' | 'ERROR' | 'DEBUG'; source: 'USER'; timestamp: string };

/** `{queueBase}/{owner}/{alias}/requests/{id}` and its status and cancel siblings; `queueBase` is absolute. */
export function falRequestUrls(queueBase: string, ownerAlias: string, requestId: string): FalRequestUrls {
  const response = `${queueBase}/${ownerAlias}/requests/${requestId}`;
  return { response_url: response, status_url: `${response}/status`, cancel_url: `${response}/cancel` };
}

/** What a finished job failed with, as a GatewayError (cancelled jobs included); undefined when it succeeded. */
export function falJobError(job: Job): GatewayError | undefined {
  if (job.state === 'cancelled') return new GatewayError('cancelled', `Request ${job.id} was cancelled`);
  if (job.state !== 'failed') return undefined;
  const error = job.error;
  return new GatewayError(error?.code ?? 'internal', error?.message ?? 'Request failed', {
    ...(error?.field ? { field: error.field } : {}),
    ...(error?.details !== undefined ? { details: error.details } : {}),
  });
}

/** A job event as a fal log line; undefined for events that are not worth a line. */
export function toFalLog(event: JobEvent): FalLog | undefined {
  const timestamp = event.at.toISOString();
  const line = (message: string, level: FalLog['level'] = 'INFO'): FalLog => ({ message, level, source: 'USER', timestamp });
  switch (event.type) {
    case 'job-started':
      return line(`Started (attempt ${String(event.data.attempt ?? 1)})`);
    case 'job-progress':
      return typeof event.data.message === 'string' ? line(event.data.message) : undefined;
    case 'job-partial-image':
      return line(`Partial image ${Number(event.data.index ?? 0) + 1} ready`, 'DEBUG');
    case 'job-succeeded':
      return line('Completed');
    case 'job-failed': {
      const error = event.data.error as { message?: unknown } | undefined;
      return line(`Failed: ${String(error?.message ?? 'unknown error')}`, 'ERROR');
    }
    case 'job-cancelled':
      return line('Cancelled', 'WARN');
    case 'job-queued':
      return undefined;
  }
}

/** Engine warnings (e.g. a size fitted to the engine's limits) as log lines of a finished job. */
export function warningLogs(job: Job): FalLog[] {
  const timestamp = (job.completedAt ?? job.createdAt).toISOString();
  return (job.result?.warnings ?? []).map((warning) => ({ message: warning.message, level: 'WARN', source: 'USER', timestamp }));
}

/**
 * fal's queue status object. Every state carries `response_url` (fal-js `isQueueStatus`) and `logs`
 * (fal-client for Python reads it unconditionally); a failure is COMPLETED with `error`/`error_type`.
 */
export function toFalQueueStatus(job: Job, options: { urls: FalRequestUrls; logs: FalLog[]; queuePosition: number }): JsonObject {
  const base = { request_id: job.id, ...options.urls, logs: options.logs };
  if (job.state === 'queued') return { status: 'IN_QUEUE', ...base, queue_position: options.queuePosition };
  if (job.state === 'running') return { status: 'IN_PROGRESS', ...base };
  const inferenceTime = job.startedAt && job.completedAt ? (job.completedAt.getTime() - job.startedAt.getTime()) / 1000 : null;
  const error = falJobError(job);
  return {
    status: 'COMPLETED',
    ...base,
    metrics: { inference_time: inferenceTime },
    ...(error ? { error: error.message, error_type: falErrorType(error) } : {}),
  };
}

const extensionOf = (format: string): string => (format === 'jpeg' ? 'jpg' : format);

/** The app output: `{images:[{url, content_type, file_name, file_size, width, height}], seed?}`. */
export function toFalOutput(job: Job, imageUrls: readonly string[]): JsonObject {
  const images = (job.result?.images ?? []).map((image, index) => ({
    url: imageUrls[index] ?? '',
    content_type: image.mediaType,
    file_name: `${job.id}-${index}.${extensionOf(image.format)}`,
    file_size: image.byteLength,
    width: image.width,
    height: image.height,
  }));
  return { images, ...(job.request.seed !== undefined ? { seed: job.request.seed } : {}) };
}

/** A progressive render on `/stream`: the output's shape, so clients render it the same way as the final one. */
export function toFalPartialOutput(event: JobEvent, url: string): JsonObject {
  const mediaType = String(event.data.mediaType ?? 'image/png');
  return {
    images: [{ url, content_type: mediaType, width: Number(event.data.width ?? 0), height: Number(event.data.height ?? 0) }],
    partial: true,
    partial_image_index: Number(event.data.index ?? 0),
  };
}

/** The webhook body fal sends: `{request_id, gateway_request_id, status: OK|ERROR, payload, error?}`. */
export function toFalWebhookPayload(job: Job, imageUrls: readonly string[]): JsonObject {
  const base = { request_id: job.id, gateway_request_id: job.id };
  const error = falJobError(job);
  if (!error) return { ...base, status: 'OK', payload: toFalOutput(job, imageUrls), error: null };
  const wire = toFalError(error);
  // fal's `error` is the status line; the body (422 detail list, or `{detail, error_type}`) is the payload.
  return { ...base, status: 'ERROR', error: `Invalid status code: ${wire.status}`, payload: wire.body as JsonObject };
}
