import { describe, expect, it } from 'vitest';
import { SignedBlobUrls } from '../../src/blobs/signed-blob-urls.ts';
import { falApps, findFalApp, parseFalQueuePath, parseFalRunPath } from '../../src/dialects/fal/fal-apps.ts';
import { falDialect } from '../../src/dialects/fal/fal-dialect.ts';
import { falProxyTarget } from '../../src/dialects/fal/fal-proxy-target.ts';
import { safeUploadName } from '../../src/dialects/fal/fal-storage-routes.ts';
import { falInputSchema, parseFalInput, parseFalWebhookUrl } from '../../src/dialects/fal/fal-wire-schemas.ts';
import { toFalError } from '../../src/dialects/fal/to-fal-error.ts';
import { falRequestUrls, toFalOutput, toFalQueueStatus, toFalWebhookPayload } from '../../src/dialects/fal/to-fal-response.ts';
import { falToImageRequest } from '../../src/dialects/fal/to-image-request.ts';
import { GatewayError } from '../../src/domain/gateway-error.ts';
import type { Job } from '../../src/domain/job.ts';
import { falUpstreamError } from '../../src/engines/fal/fal-upstream-error.ts';
import { toFalTask } from '../../src/engines/fal/to-fal-input.ts';
import { sampleJob, sampleRequest } from '../helpers/sample-job.ts';

const generateApp = findFalApp('openai/gpt-image-2')!;
const editApp = findFalApp('fal-ai/gpt-image-2/edit')!;
const parse = (app = generateApp, body: Record<string, unknown> = {}) => parseFalInput(falInputSchema(app, 1000), body);
const thrown = (action: () => unknown): GatewayError => {
  try {
    action();
  } catch (error) {
    return error as GatewayError;
  }
  throw new Error('expected a throw');
};

function job(overrides: Partial<Job> = {}): Job {
  const base = sampleJob({ origin: { dialect: 'fal', operation: 'queue', extras: { app: 'openai/gpt-image-2/edit' } } });
  return { ...base, state: 'queued', result: undefined, error: undefined, attempts: 0, startedAt: undefined, completedAt: undefined, ...overrides };
}

const succeeded = (): Job =>
  job({
    state: 'succeeded',
    startedAt: new Date(1_700_000_000_000),
    completedAt: new Date(1_700_000_002_500),
    result: {
      images: [{ blobKey: 'results/j/0.jpeg', mediaType: 'image/jpeg', format: 'jpeg', width: 1024, height: 768, byteLength: 1234 }],
      warnings: [],
      usage: undefined,
      size: { width: 1024, height: 768 },
    },
  });

describe('fal paths and proxy targets', () => {
  it('parses submit and request paths, with or without the subpath, for served apps only', () => {
    expect(falApps.map((app) => app.model)).toEqual(['gpt-image-2', 'gpt-image-2-edit', 'gpt-image-2', 'gpt-image-2-edit']);
    expect(parseFalQueuePath('/openai/gpt-image-2/edit')).toEqual({ kind: 'submit', app: findFalApp('openai/gpt-image-2/edit') });
    expect(parseFalQueuePath('/openai/gpt-image-2/requests/abc/status')).toEqual({ kind: 'status', requestId: 'abc' });
    expect(parseFalQueuePath('/openai/gpt-image-2/edit/requests/abc/status/stream')).toEqual({ kind: 'status-stream', requestId: 'abc' });
    expect(parseFalQueuePath('/fal-ai/gpt-image-2/requests/abc')).toEqual({ kind: 'result', requestId: 'abc' });
    expect(parseFalQueuePath('/fal-ai/gpt-image-2/requests/abc/cancel')).toEqual({ kind: 'cancel', requestId: 'abc' });
    expect(parseFalQueuePath('/fal-ai/flux/dev')).toBeUndefined();
    expect(parseFalQueuePath('/openai/gpt-image-2/requests/abc/logs')).toBeUndefined();
    expect(parseFalRunPath('/openai/gpt-image-2/edit/stream')).toEqual({ app: findFalApp('openai/gpt-image-2/edit'), stream: true });
    expect(parseFalRunPath('/openai/gpt-image-2')).toEqual({ app: generateApp, stream: false });
  });

  it('maps fal hosts to darkroom prefixes and refuses everything else as 400 Invalid request', () => {
    expect(falProxyTarget('https://queue.fal.run/openai/gpt-image-2?fal_webhook=x')).toBe('/fal/queue/openai/gpt-image-2?fal_webhook=x');
    expect(falProxyTarget('https://fal.run/openai/gpt-image-2/edit/stream')).toBe('/fal/run/openai/gpt-image-2/edit/stream');
    expect(falProxyTarget('https://rest.fal.ai/storage/upload/initiate?storage_type=fal-cdn-v3')).toBe('/fal/rest/storage/upload/initiate?storage_type=fal-cdn-v3');
    for (const target of [undefined, '', 'nonsense', 'https://fal.ai.evil.com/x', 'file:///etc/passwd']) {
      const error = thrown(() => falProxyTarget(target));
      expect(error.message).toMatch(/^Invalid request/);
      expect(toFalError(error).status).toBe(400);
    }
    expect(thrown(() => falProxyTarget('https://ws.fal.run/x')).code).toBe('not_found');
  });
});

describe('fal input → internal request', () => {
  it('applies fal\'s defaults: landscape_4_3 for text-to-image, auto for edits, high quality, png, one image', () => {
    const generate = falToImageRequest(parse(generateApp, { prompt: ' a fox ' }), generateApp, { partialImages: 0 });
    expect(generate).toMatchObject({ model: 'gpt-image-2', prompt: 'a fox', size: { width: 1024, height: 768 }, quality: 'high', outputFormat: 'png', imageCount: 1, inputImages: [] });
    const edit = falToImageRequest(parse(editApp, { prompt: 'x', image_urls: ['https://a/1.png', 'data:image/png;base64,AAAA'] }), editApp, { partialImages: 2 });
    expect(edit).toMatchObject({ model: 'gpt-image-2-edit', size: undefined, partialImages: 2, mask: undefined });
    expect(edit.inputImages).toEqual([
      { type: 'url', url: 'https://a/1.png', field: 'image_urls.0' },
      { type: 'url', url: 'data:image/png;base64,AAAA', field: 'image_urls.1' },
    ]);
  });

  it('maps presets, custom sizes and both mask field names (white = edit); the BYOK key stays out of the draft', () => {
    const preset = falToImageRequest(parse(generateApp, { prompt: 'x', image_size: 'portrait_16_9', num_images: 3, output_format: 'webp', quality: 'low' }), generateApp, { partialImages: 0 });
    expect(preset).toMatchObject({ size: { width: 576, height: 1024 }, imageCount: 3, outputFormat: 'webp', quality: 'low' });
    const custom = falToImageRequest(parse(editApp, { prompt: 'x', image_urls: ['u'], image_size: { width: 1920, height: 1088 }, mask_url: 'm1' }), editApp, { partialImages: 0 });
    expect(custom).toMatchObject({ size: { width: 1920, height: 1088 }, mask: { type: 'url', url: 'm1', field: 'mask_url', convention: 'white-edits' } });
    const both = falToImageRequest(parse(editApp, { prompt: 'x', image_urls: ['u'], mask_url: 'm1', mask_image_url: 'm2', openai_api_key: 'sk-secret' }), editApp, { partialImages: 0 });
    expect(both.mask).toMatchObject({ url: 'm2', field: 'mask_image_url' });
    expect(JSON.stringify(both)).not.toContain('sk-secret');
    // The text-to-image apps ignore edit fields, as fal does.
    expect(falToImageRequest(parse(generateApp, { prompt: 'x', image_urls: ['u'] }), generateApp, { partialImages: 0 }).inputImages).toEqual([]);
  });

  it('reports every problem as fal detail entries with pydantic-style types', () => {
    const error = thrown(() => parse(editApp, { image_urls: [], num_images: 0, output_format: 'gif', image_size: { width: 1024, height: 770 } }));
    expect(error.code).toBe('invalid_request');
    const wire = toFalError(error);
    expect(wire.status).toBe(422);
    expect((wire.body as { detail: unknown[] }).detail).toEqual([
      { loc: ['body', 'prompt'], msg: 'Field required', type: 'missing', url: 'https://docs.fal.ai/errors/#missing' },
      { loc: ['body', 'image_urls'], msg: 'at least one image URL is required', type: 'too_short', url: 'https://docs.fal.ai/errors/#too_short' },
      expect.objectContaining({ loc: ['body', 'image_size', 'height'], type: 'multiple_of' }),
      expect.objectContaining({ loc: ['body', 'num_images'], type: 'greater_than_equal' }),
      expect.objectContaining({ loc: ['body', 'output_format'], type: 'literal_error' }),
    ]);
    expect(parseFalWebhookUrl('https://example.com/hook?x=1')).toBe('https://example.com/hook?x=1');
    expect(parseFalWebhookUrl(undefined)).toBeUndefined();
    expect(toFalError(thrown(() => parseFalWebhookUrl('javascript:alert(1)'))).body).toMatchObject({ detail: [{ loc: ['query', 'fal_webhook'] }] });
  });
});

describe('fal errors', () => {
  it('maps model errors to 422 detail lists, renaming darkroom fields to fal\'s', () => {
    expect(toFalError(GatewayError.invalid('input_image', 'at least one input image is required')).body).toEqual({
      detail: [{ loc: ['body', 'image_urls'], msg: 'at least one input image is required', type: 'value_error', url: 'https://docs.fal.ai/errors/#value_error' }],
    });
    expect(toFalError(GatewayError.invalid('image_urls.2', 'fetching the URL failed')).body).toMatchObject({ detail: [{ loc: ['body', 'image_urls', 2] }] });
    expect(toFalError(new GatewayError('payload_too_large', 'image_urls.0: too big', { field: 'image_urls.0' }))).toMatchObject({ status: 422, body: { detail: [{ type: 'file_too_large' }] } });
    expect(toFalError(new GatewayError('content_rejected', 'refused'))).toMatchObject({ status: 422, body: { detail: [{ loc: ['body'], type: 'content_policy_violation' }] } });
  });

  it('maps request errors to {detail, error_type} with X-Fal-Error-Type and fal\'s statuses', () => {
    expect(toFalError(new GatewayError('timeout', 'too slow'))).toEqual({
      status: 504,
      body: { detail: 'too slow', error_type: 'request_timeout' },
      headers: { 'X-Fal-Error-Type': 'request_timeout', 'x-fal-retryable': 'true' },
    });
    expect(toFalError(new GatewayError('upstream_error', 'boom'))).toMatchObject({ status: 500, body: { error_type: 'runner_server_error' } });
    expect(toFalError(new GatewayError('queue_full', 'full'))).toMatchObject({ status: 503, body: { error_type: 'runner_scheduling_failure' } });
    expect(toFalError(new GatewayError('internal', 'secret stack detail'))).toMatchObject({ status: 500, body: { detail: 'Internal error', error_type: 'internal_error' } });
    expect(toFalError(new GatewayError('unauthorized', 'Invalid API key'))).toMatchObject({ status: 401, body: { error_type: 'unauthorized' } });
  });
});

describe('fal status objects, outputs and webhooks', () => {
  const urls = falRequestUrls('http://darkroom/fal/queue', 'openai/gpt-image-2', 'j');

  it('always carries response_url and logs; IN_QUEUE has a position; COMPLETED has metrics, and failures error/error_type', () => {
    expect(toFalQueueStatus(job(), { urls, logs: [], queuePosition: 3 })).toEqual({
      status: 'IN_QUEUE',
      request_id: expect.any(String),
      response_url: 'http://darkroom/fal/queue/openai/gpt-image-2/requests/j',
      status_url: 'http://darkroom/fal/queue/openai/gpt-image-2/requests/j/status',
      cancel_url: 'http://darkroom/fal/queue/openai/gpt-image-2/requests/j/cancel',
      logs: [],
      queue_position: 3,
    });
    expect(toFalQueueStatus(job({ state: 'running' }), { urls, logs: [], queuePosition: 0 })).toMatchObject({ status: 'IN_PROGRESS', logs: [] });
    expect(toFalQueueStatus(succeeded(), { urls, logs: [], queuePosition: 0 })).toMatchObject({ status: 'COMPLETED', metrics: { inference_time: 2.5 } });
    const failed = job({ state: 'failed', error: { code: 'unsupported_operation', message: 'no edit recognised' } });
    const status = toFalQueueStatus(failed, { urls, logs: [], queuePosition: 0 });
    expect(status).toMatchObject({ status: 'COMPLETED', error: 'no edit recognised', error_type: 'feature_not_supported', metrics: { inference_time: null } });
  });

  it('shapes the output like fal\'s (file names, sizes, content types)', () => {
    const done = succeeded();
    expect(toFalOutput(done, ['https://x/0.jpeg'])).toEqual({
      images: [{ url: 'https://x/0.jpeg', content_type: 'image/jpeg', file_name: `${done.id}-0.jpg`, file_size: 1234, width: 1024, height: 768 }],
    });
    expect(toFalOutput({ ...done, request: sampleRequest({ seed: 42 }) }, ['u'])).toMatchObject({ seed: 42 });
  });

  it('builds fal webhook bodies: OK with the output, ERROR with the status line and the error body', () => {
    const done = succeeded();
    expect(toFalWebhookPayload(done, ['https://x/0.jpeg'])).toEqual({
      request_id: done.id,
      gateway_request_id: done.id,
      status: 'OK',
      payload: toFalOutput(done, ['https://x/0.jpeg']),
      error: null,
    });
    const invalid = job({ state: 'failed', error: { code: 'invalid_request', message: 'prompt: too long', field: 'prompt' } });
    expect(toFalWebhookPayload(invalid, [])).toMatchObject({ status: 'ERROR', error: 'Invalid status code: 422', payload: { detail: [{ loc: ['body', 'prompt'], msg: 'too long' }] } });
    const timedOut = job({ state: 'failed', error: { code: 'timeout', message: 'took too long' } });
    expect(toFalWebhookPayload(timedOut, [])).toMatchObject({ status: 'ERROR', error: 'Invalid status code: 504', payload: { detail: 'took too long', error_type: 'request_timeout' } });
    const signer = new SignedBlobUrls({ publicUrl: () => 'http://darkroom', secret: 'x'.repeat(32), defaultTtlSeconds: 60, now: () => new Date() });
    const payload = falDialect.toWebhookPayload!(done, signer) as { payload: { images: Array<{ url: string }> } };
    expect(signer.resolveOwnUrl(payload.payload.images[0]!.url)).toBe('results/j/0.jpeg');
  });

  it('names uploads safely', () => {
    expect(safeUploadName('../../etc/passwd')).toBe('passwd');
    expect(safeUploadName('.hidden')).toBe('hidden');
    expect(safeUploadName('my photo.png')).toBe('my_photo.png');
    expect(safeUploadName(undefined)).toBe('file');
  });
});

describe('fal engine translators', () => {
  const engineRequest = (overrides: Parameters<typeof sampleRequest>[0] = {}, inputs = 0) => {
    const request = sampleRequest(overrides);
    const image = { data: new Uint8Array([1, 2, 3]), mediaType: 'image/png', width: 1, height: 1 };
    return { jobId: 'j', request, size: request.size, inputImages: Array.from({ length: inputs }, () => image), mask: undefined, credentials: {} };
  };

  it('picks the app by inputs and maps size, quality and the unsupported options to warnings', () => {
    const generate = toFalTask(engineRequest({ quality: 'auto', background: 'transparent', outputCompression: 50, size: undefined }));
    expect(generate.appId).toBe('openai/gpt-image-2');
    expect(generate.body).toEqual({ prompt: 'a lighthouse at dusk', image_size: 'auto', num_images: 1, output_format: 'png' });
    expect(generate.warnings.map((warning) => warning.feature)).toEqual(['background', 'output_compression']);
    const edit = toFalTask(engineRequest({}, 2));
    expect(edit.appId).toBe('openai/gpt-image-2/edit');
    expect(edit.body).toMatchObject({ image_size: { width: 1024, height: 768 }, quality: 'high', image_urls: ['data:image/png;base64,AQID', 'data:image/png;base64,AQID'] });
    expect(edit.body).not.toHaveProperty('mask_image_url');
  });

  it('maps fal errors: model errors keep fal\'s message, 429/5xx retry, a bad key is final', () => {
    expect(falUpstreamError(422, JSON.stringify({ detail: [{ loc: ['body', 'image_urls', 0], msg: 'could not load image', type: 'image_load_error' }] }), 'x')).toMatchObject({
      code: 'invalid_request',
      field: 'image_urls.0',
      message: 'fal rejected the request (image_urls.0): could not load image',
    });
    expect(falUpstreamError(429, '{"detail":"slow down"}', 'x', 3)).toMatchObject({ code: 'upstream_rate_limited', retryable: true, retryAfterSeconds: 3 });
    expect(falUpstreamError(503, '{"detail":"No runner","error_type":"runner_scheduling_failure"}', 'polling')).toMatchObject({
      code: 'upstream_error',
      retryable: true,
      message: 'fal answered HTTP 503 [runner_scheduling_failure] when polling: No runner',
    });
    expect(falUpstreamError(504, '{"detail":"Request timed out","error_type":"request_timeout"}', 'x')).toMatchObject({ code: 'timeout' });
    expect(falUpstreamError(403, 'nope', 'x')).toMatchObject({ code: 'upstream_error', retryable: false });
  });
});
