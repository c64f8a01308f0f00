import type { Job, JobState } from '../../domain/job.ts';
import type { JsonObject, JsonValue } from '../../domain/json-value.ts';

export type WaveSpeedStatus = 'created' | 'processing' | 'completed' | 'failed';

/** WaveSpeed documents four statuses; a cancelled job is a failed task with an error saying so. */
const statusByState: Record<JobState, WaveSpeedStatus> = {
  queued: 'created',
  running: 'processing',
  succeeded: 'completed',
  failed: 'failed',
  cancelled: 'failed',
};

export type WaveSpeedPrediction = {
  id: string;
  model: string;
  outputs: string[];
  urls: { get: string };
  has_nsfw_contents: boolean[];
  status: WaveSpeedStatus;
  created_at: string;
  error: string;
  timings: { inference: number };
};

/** The WaveSpeed model path of a job (`openai/gpt-image-2/edit`), or darkroom's model id for jobs other dialects submitted. */
export const waveSpeedModelOf = (job: Job): string => (job.origin.dialect === 'wavespeed' ? job.origin.operation : job.model);

/** `https://…/api/v3/predictions/{id}/result` for a job, given the absolute-URL maker. */
export const resultUrlOf = (job: Job, absolute: (path: string) => string): string =>
  absolute(`/api/v3/predictions/${encodeURIComponent(job.id)}/result`);

function errorText(job: Job): string {
  if (job.state === 'cancelled') return 'The task was cancelled';
  if (job.state === 'failed') return job.error?.message ?? 'The task failed';
  return '';
}

/**
 * The prediction object (`data` of the envelope). `outputs` are URLs or base64 strings, chosen by the
 * caller; they are only shown once the task completed. Pure: no I/O.
 */
export function toWaveSpeedPrediction(job: Job, outputs: string[], resultUrl: string): WaveSpeedPrediction {
  const status = statusByState[job.state];
  const shown = status === 'completed' ? outputs : [];
  const started = job.startedAt ?? job.createdAt;
  return {
    id: job.id,
    model: waveSpeedModelOf(job),
    outputs: shown,
    urls: { get: resultUrl },
    has_nsfw_contents: shown.map(() => false),
    status,
    created_at: job.createdAt.toISOString(),
    error: errorText(job),
    timings: { inference: job.completedAt ? Math.max(0, job.completedAt.getTime() - started.getTime()) : 0 },
  };
}

/** Every WaveSpeed answer: `{code, message, data}`. */
export const toWaveSpeedEnvelope = (data: WaveSpeedPrediction | JsonObject): JsonObject => ({
  code: 200,
  message: 'success',
  data: data as JsonObject,
});

/** The webhook body: the bare prediction (no envelope) with the submitted `input`, as WaveSpeed posts it. */
export function toWaveSpeedWebhookPayload(job: Job, outputUrls: string[], resultUrl: string): JsonObject {
  const { id, model, ...rest } = toWaveSpeedPrediction(job, outputUrls, resultUrl);
  const input = (job.origin.extras.input ?? { prompt: job.request.prompt }) as JsonValue;
  return { id, model, input, ...(rest as unknown as JsonObject) };
}

/** The submitted body as WaveSpeed echoes it in webhooks, with inline image data shortened so it is not stored twice. */
export function echoedInput(body: Record<string, unknown>): JsonObject {
  const shorten = (value: JsonValue): JsonValue => {
    if (typeof value === 'string') return value.startsWith('data:') ? `${value.slice(0, value.indexOf(',') + 1)}…` : value;
    if (Array.isArray(value)) return value.map(shorten);
    return value;
  };
  const input: JsonObject = {};
  for (const [name, value] of Object.entries(body)) {
    if (value !== undefined) input[name] = shorten(value as JsonValue);
  }
  return input;
}
