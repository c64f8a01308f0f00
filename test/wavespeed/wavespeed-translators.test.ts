import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/domain/gateway-error.ts';
import type { Job } from '../../src/domain/job.ts';
import { snapToInputAspectRatio, waveSpeedToImageRequest } from '../../src/dialects/wavespeed/to-image-request.ts';
import { toWaveSpeedError } from '../../src/dialects/wavespeed/to-wavespeed-error.ts';
import { echoedInput, toWaveSpeedPrediction, toWaveSpeedWebhookPayload } from '../../src/dialects/wavespeed/to-wavespeed-prediction.ts';
import { safeUploadName } from '../../src/dialects/wavespeed/wavespeed-uploads.ts';
import { waveSpeedRequestSchema } from '../../src/dialects/wavespeed/wavespeed-wire-schemas.ts';
import { parseWith } from '../../src/dialects/shared/zod-error.ts';
import { sampleJob, sampleRequest } from '../helpers/sample-job.ts';

const parse = (endpoint: 'edit' | 'text-to-image', body: Record<string, unknown>) => parseWith(waveSpeedRequestSchema(endpoint, 1000, 16), body);
const rejection = (run: () => unknown): GatewayError => {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
  }
  throw new Error('expected a GatewayError');
};

describe('WaveSpeed request → internal draft', () => {
  it('fills WaveSpeed defaults and ignores unknown fields', () => {
    const body = parse('edit', { images: ['https://example.com/a.png'], prompt: ' warmer ', seed: 7, enable_sync_mode: null });
    expect(body).toMatchObject({ resolution: '1k', quality: 'medium', output_format: 'png', enable_sync_mode: false, enable_base64_output: false });
    expect(waveSpeedToImageRequest(body, 'edit')).toEqual({
      model: 'gpt-image-2-edit',
      prompt: 'warmer',
      imageCount: 1,
      size: undefined,
      sizeTier: '1K',
      aspectRatio: undefined,
      quality: 'medium',
      outputFormat: 'png',
      outputCompression: undefined,
      background: 'auto',
      seed: undefined,
      inputImages: [{ type: 'url', url: 'https://example.com/a.png', field: 'images.0' }],
      mask: undefined,
      partialImages: 0,
      engineOptions: {},
    });
  });

  it('maps text-to-image to gpt-image-2 at 1:1 unless a ratio is given; tiers and formats are case-tolerant', () => {
    const square = waveSpeedToImageRequest(parse('text-to-image', { prompt: 'x', images: ['ignored'] }), 'text-to-image');
    expect(square).toMatchObject({ model: 'gpt-image-2', aspectRatio: '1:1', sizeTier: '1K', inputImages: [] });
    const wide = waveSpeedToImageRequest(parse('text-to-image', { prompt: 'x', aspect_ratio: '21:9', resolution: '4K', output_format: 'JPG', quality: 'high' }), 'text-to-image');
    expect(wide).toMatchObject({ aspectRatio: '21:9', sizeTier: '4K', outputFormat: 'jpeg', quality: 'high' });
  });

  it('names the field of each validation error', () => {
    expect(rejection(() => parse('edit', { prompt: 'x' })).field).toBe('images');
    expect(rejection(() => parse('edit', { prompt: 'x', images: [] })).message).toBe('images: at least one image is required');
    expect(rejection(() => parse('edit', { prompt: 'x', images: Array.from({ length: 17 }, () => 'u') })).field).toBe('images');
    expect(rejection(() => parse('text-to-image', { prompt: 'x', aspect_ratio: '7:5' })).message).toMatch(/^aspect_ratio: must be one of 1:1, 3:2/);
    expect(rejection(() => parse('text-to-image', { prompt: 'x', resolution: '8k' })).field).toBe('resolution');
    expect(rejection(() => parse('text-to-image', { prompt: '' })).field).toBe('prompt');
    expect(rejection(() => parse('text-to-image', { prompt: 'x', webhook_url: 'ftp://x' })).field).toBe('webhook_url');
  });

  it('snaps an edit without aspect_ratio to the closest supported ratio of its first input', () => {
    const stored = { blobKey: 'inputs/a/0.png', mediaType: 'image/png', byteLength: 1 };
    const snap = snapToInputAspectRatio('1k');
    expect(snap(sampleRequest({ size: { width: 1, height: 1 }, inputImages: [{ ...stored, width: 1000, height: 700 }] }))).toMatchObject({
      aspectRatio: '3:2',
      size: { width: 1248, height: 832 },
    });
    expect(snapToInputAspectRatio('2k')(sampleRequest({ inputImages: [{ ...stored, width: 1080, height: 1920 }] }))).toMatchObject({ aspectRatio: '9:16' });
    const explicit = sampleRequest({ aspectRatio: '1:1', inputImages: [{ ...stored, width: 1000, height: 700 }] });
    expect(snap(explicit)).toBe(explicit);
  });
});

describe('internal job → WaveSpeed prediction', () => {
  const job = (overrides: Partial<Job>): Job => ({
    ...sampleJob({ origin: { dialect: 'wavespeed', operation: 'openai/gpt-image-2/edit', extras: { input: { prompt: 'p', images: ['data:…'] } } } }),
    state: 'queued',
    result: undefined,
    error: undefined,
    attempts: 0,
    startedAt: undefined,
    completedAt: undefined,
    ...overrides,
  });
  const resultUrl = 'http://darkroom/api/v3/predictions/x/result';

  it('shows outputs (one nsfw flag each) and inference time only once completed', () => {
    const createdAt = new Date('2026-05-01T10:00:00.000Z');
    expect(toWaveSpeedPrediction(job({ createdAt }), ['u'], resultUrl)).toMatchObject({
      model: 'openai/gpt-image-2/edit',
      status: 'created',
      outputs: [],
      has_nsfw_contents: [],
      created_at: '2026-05-01T10:00:00.000Z',
      error: '',
      urls: { get: resultUrl },
      timings: { inference: 0 },
    });
    expect(toWaveSpeedPrediction(job({ state: 'running' }), [], resultUrl).status).toBe('processing');
    const done = job({ state: 'succeeded', startedAt: new Date(1000), completedAt: new Date(3500) });
    expect(toWaveSpeedPrediction(done, ['u1', 'u2'], resultUrl)).toMatchObject({ status: 'completed', outputs: ['u1', 'u2'], has_nsfw_contents: [false, false], timings: { inference: 2500 } });
  });

  it('reports failures and cancellations as failed with an error', () => {
    const failed = job({ state: 'failed', error: { code: 'unsupported_operation', message: 'no edit recognised' }, completedAt: new Date() });
    expect(toWaveSpeedPrediction(failed, [], resultUrl)).toMatchObject({ status: 'failed', error: 'no edit recognised', outputs: [] });
    expect(toWaveSpeedPrediction(job({ state: 'cancelled' }), [], resultUrl)).toMatchObject({ status: 'failed', error: 'The task was cancelled' });
  });

  it('builds the webhook body as the bare data object with the submitted input', () => {
    const payload = toWaveSpeedWebhookPayload(job({ state: 'succeeded', completedAt: new Date() }), ['u'], resultUrl);
    expect(payload).toMatchObject({ model: 'openai/gpt-image-2/edit', input: { prompt: 'p', images: ['data:…'] }, outputs: ['u'], status: 'completed', urls: { get: resultUrl } });
    expect(payload).not.toHaveProperty('code');
    expect(Object.keys(payload)).toEqual(['id', 'model', 'input', 'outputs', 'urls', 'has_nsfw_contents', 'status', 'created_at', 'error', 'timings']);
  });

  it('echoes the input with inline images shortened', () => {
    expect(echoedInput({ prompt: 'p', images: ['data:image/png;base64,AAAA', 'https://x/y.png'], resolution: '2k' })).toEqual({
      prompt: 'p',
      images: ['data:image/png;base64,…', 'https://x/y.png'],
      resolution: '2k',
    });
  });
});

describe('WaveSpeed errors and upload names', () => {
  it('uses the {code, message, data:null} envelope; bad params of any kind are 400', () => {
    expect(toWaveSpeedError(GatewayError.invalid('images.0', 'bad'))).toEqual({ status: 400, body: { code: 400, message: 'images.0: bad', data: null } });
    expect(toWaveSpeedError(new GatewayError('unsupported_media_type', 'file: no')).status).toBe(400);
    expect(toWaveSpeedError(new GatewayError('not_found', 'Job not found: x')).body).toEqual({ code: 404, message: 'Job not found: x', data: null });
    expect(toWaveSpeedError(new GatewayError('unauthorized', 'Invalid API key')).status).toBe(401);
    expect(toWaveSpeedError(new GatewayError('internal', 'secret detail')).body).toEqual({ code: 500, message: 'Internal error', data: null });
  });

  it('turns any file name into one safe key segment', () => {
    expect(safeUploadName('photo.png')).toBe('photo.png');
    expect(safeUploadName('../../etc/passwd')).toBe('passwd');
    expect(safeUploadName('C:\\Users\\me\\My Photo (1).jpg')).toBe('My_Photo_1_.jpg');
    expect(safeUploadName('.hidden')).toBe('hidden');
    expect(safeUploadName('???')).toBe('file');
    expect(safeUploadName('')).toBe('file');
  });
});
