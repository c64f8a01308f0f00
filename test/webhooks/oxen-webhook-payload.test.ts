import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/domain/job.ts';
import { toOxenWebhookPayload } from '../../src/dialects/oxen/to-oxen-response.ts';
import { sampleJob } from '../helpers/sample-job.ts';

const finished = (overrides: Partial<Job>): Job => ({
  ...sampleJob({ origin: { dialect: 'oxen', operation: 'queue', extras: { resolution: '1024x768' }, webhookUrl: 'https://hooks.example.com/x' } }),
  state: 'succeeded',
  result: undefined,
  error: undefined,
  attempts: 1,
  startedAt: new Date('2026-01-01T00:00:01Z'),
  completedAt: new Date('2026-01-01T00:00:05Z'),
  ...overrides,
});

describe('toOxenWebhookPayload', () => {
  it('wraps the generation object as media_generation_completed with the completion time', () => {
    const job = finished({
      result: {
        images: [{ blobKey: 'results/j/0.png', mediaType: 'image/png', format: 'png', width: 1024, height: 768, byteLength: 10 }],
        warnings: [],
        usage: undefined,
        size: { width: 1024, height: 768 },
      },
    });
    const payload = toOxenWebhookPayload(job, (key) => `https://darkroom.test/files/${key}`);
    expect(payload).toMatchObject({
      type: 'media_generation_completed',
      timestamp: '2026-01-01T00:00:05.000Z',
      data: {
        generation_id: job.id,
        status: 'succeeded',
        result_url: 'https://darkroom.test/files/results/j/0.png',
        error_message: null,
        resolution: '1024x768',
        completed_at: Date.parse('2026-01-01T00:00:05Z') / 1000,
      },
    });
  });

  it('carries the error message of a failed generation', () => {
    const job = finished({ state: 'failed', error: { code: 'content_rejected', message: 'no' } });
    expect(toOxenWebhookPayload(job, (key) => key).data).toMatchObject({ status: 'failed', result_url: null, error_message: 'no' });
  });
});
