import { describe, expect, it } from 'vitest';
import type { Job } from '../../domain/job.ts';
import { sampleJob } from '../../../test/helpers/sample-job.ts';
import { jobFailure } from './job-failure.ts';

const job = (overrides: Partial<Job>): Job => ({
  ...sampleJob(),
  state: 'queued',
  result: undefined,
  error: undefined,
  attempts: 0,
  startedAt: undefined,
  completedAt: undefined,
  ...overrides,
});

describe('jobFailure', () => {
  it('is undefined for a succeeded job', () => {
    expect(jobFailure(job({ state: 'succeeded' }))).toBeUndefined();
  });

  it('rebuilds a stored failure with its code, field and details, never retryable', () => {
    const failure = jobFailure(job({ state: 'failed', error: { code: 'content_rejected', message: 'rejected', field: 'prompt', details: { categories: ['x'] } } }));
    expect(failure).toMatchObject({ code: 'content_rejected', status: 400, message: 'rejected', field: 'prompt', details: { categories: ['x'] }, retryable: false });
    expect(jobFailure(job({ state: 'failed', error: { code: 'upstream_error', message: 'bad gateway' } }))).toMatchObject({ status: 502, retryable: false });
  });

  it('answers a cancelled job with 409 and an unfinished one with a timeout naming the job', () => {
    expect(jobFailure(job({ state: 'cancelled' }))).toMatchObject({ code: 'cancelled', status: 409 });
    const pending = job({ state: 'running' });
    expect(jobFailure(pending)).toMatchObject({ code: 'timeout', status: 504, retryable: false, details: { job_id: pending.id } });
  });
});
