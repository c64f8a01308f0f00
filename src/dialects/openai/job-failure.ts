import { GatewayError } from '../../domain/gateway-error.ts';
import type { Job } from '../../domain/job.ts';

/**
 * Why a finished (or still unfinished) job has no images to return, as the error the client should see;
 * undefined when it succeeded. Keeps the stored error's code, field and details (moderation categories).
 * Never retryable: the runner already retried, and a client retry would submit a second job.
 */
export function jobFailure(job: Job): GatewayError | undefined {
  if (job.state === 'succeeded') return undefined;
  if (job.state === 'failed') {
    const error = job.error;
    return new GatewayError(error?.code ?? 'internal', error?.message ?? 'Generation failed', {
      retryable: false,
      ...(error?.field !== undefined ? { field: error.field } : {}),
      ...(error?.details !== undefined ? { details: error.details } : {}),
    });
  }
  if (job.state === 'cancelled') return new GatewayError('cancelled', `Job ${job.id} was cancelled`, { status: 409, retryable: false });
  // Still queued or running when the wait ended.
  return new GatewayError('timeout', `Job ${job.id} is still ${job.state}; poll GET /api/ai/queue/${job.id} for its result`, {
    retryable: false,
    details: { job_id: job.id },
  });
}
