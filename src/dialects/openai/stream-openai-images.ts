import type { Context } from 'hono';
import type { Principal } from '../../auth/authenticator.ts';
import type { Job } from '../../domain/job.ts';
import { terminalEventTypes } from '../../domain/job-event.ts';
import type { JsonObject } from '../../domain/json-value.ts';
import type { DialectServices } from '../dialect.ts';
import { streamJobEvents, type SseMessage } from '../shared/stream-job-events.ts';
import { jobFailure } from './job-failure.ts';
import { toOpenAiErrorObject } from './to-openai-error.ts';
import { toOpenAiCompletedEvent, toOpenAiPartialImageEvent, type OpenAiOperation } from './to-openai-response.ts';

export type StreamOpenAiImagesOptions = {
  services: DialectServices;
  operation: OpenAiOperation;
  /** The job as submitted. */
  job: Job;
  principal: Principal;
  /** The bus sequence read before submitting, so no event of the job can be missed. */
  afterSequence: number;
};

const message = (payload: JsonObject): SseMessage => ({ event: String(payload.type), data: JSON.stringify(payload) });

/**
 * `stream: true`: the job's events as OpenAI's image stream. Partial renders become `*.partial_image`, the
 * result one `*.completed` per image, a failure `event: error` with an OpenAI error object (which the SDK
 * raises as an APIError); the stream ends with the job.
 */
export function streamOpenAiImages(context: Context, options: StreamOpenAiImagesOptions): Response {
  const { services, operation, job: submitted, principal } = options;
  const base64Of = async (blobKey: string): Promise<string> => Buffer.from((await services.blobs.get(blobKey))?.data ?? new Uint8Array()).toString('base64');
  return streamJobEvents(context, {
    events: services.events,
    filter: { jobId: submitted.id },
    afterSequence: options.afterSequence,
    keepAliveMs: services.settings.keepAliveMs,
    closeAfter: (event) => terminalEventTypes.includes(event.type),
    toMessages: async (event) => {
      switch (event.type) {
        case 'job-partial-image': {
          const { blobKey, width, height, index } = event.data;
          const image = { b64_json: await base64Of(String(blobKey)), size: { width: Number(width), height: Number(height) }, createdAt: event.at };
          return [message(toOpenAiPartialImageEvent(operation, submitted.request, image, Number(index ?? 0)))];
        }
        case 'job-succeeded': {
          const job = await services.jobs.get(submitted.id, principal);
          return Promise.all(
            (job.result?.images ?? []).map(async (result, index) => {
              const image = { b64_json: await base64Of(result.blobKey), size: { width: result.width, height: result.height }, createdAt: event.at };
              return message(toOpenAiCompletedEvent(operation, job, image, index));
            }),
          );
        }
        case 'job-failed':
        case 'job-cancelled': {
          const failure = jobFailure(await services.jobs.get(submitted.id, principal));
          return failure ? [{ event: 'error', data: JSON.stringify(toOpenAiErrorObject(failure)) }] : [];
        }
        case 'job-queued':
        case 'job-started':
        case 'job-progress':
          return [];
      }
    },
  });
}
