import { describe, expect, it } from 'vitest';
import type { ImageRequest } from '../../src/domain/image-request.ts';
import { closestTier, toWaveSpeedTask } from '../../src/engines/wavespeed/to-wavespeed-input.ts';
import { retryAfterSeconds } from '../../src/engines/shared/call-upstream.ts';
import { failedTaskError, upstreamHttpError, upstreamMessage } from '../../src/engines/wavespeed/wavespeed-upstream-error.ts';
import { sampleRequest } from '../helpers/sample-job.ts';

const task = (request: Partial<ImageRequest>, size?: { width: number; height: number }, inputs: Array<{ width: number; height: number }> = []) =>
  toWaveSpeedTask({
    jobId: 'j',
    request: sampleRequest({ size: undefined, quality: 'auto', ...request }),
    size,
    inputImages: inputs.map((input) => ({ ...input, data: new Uint8Array([1, 2, 3]), mediaType: 'image/png' })),
    mask: undefined,
    credentials: {},
  });

describe('internal request → WaveSpeed task', () => {
  it('picks the closest tier by pixel count', () => {
    expect(closestTier({ width: 1024, height: 1024 })).toBe('1K');
    expect(closestTier({ width: 1200, height: 1200 })).toBe('1K');
    expect(closestTier({ width: 1536, height: 1536 })).toBe('2K');
    expect(closestTier({ width: 2048, height: 1536 })).toBe('2K');
    expect(closestTier({ width: 3840, height: 2160 })).toBe('4K');
  });

  it('maps an exact tier size without a warning, and an odd size to the closest ratio and tier with one', () => {
    expect(task({}, { width: 2736, height: 1536 })).toMatchObject({ modelPath: 'openai/gpt-image-2/text-to-image', body: { aspect_ratio: '16:9', resolution: '2k' }, warnings: [] });
    const odd = task({}, { width: 1024, height: 1536 });
    expect(odd.body).toMatchObject({ aspect_ratio: '2:3', resolution: '1k' });
    expect(odd.warnings[0]?.message).toBe('WaveSpeed sizes images by aspect ratio and resolution: 1024x1536 was sent as 2:3 at 1k, which produces about 832x1248');
  });

  it('leaves the ratio to WaveSpeed for `auto` edits, choosing the tier from the input size', () => {
    const edit = task({}, undefined, [{ width: 2400, height: 1600 }]);
    expect(edit.modelPath).toBe('openai/gpt-image-2/edit');
    expect(edit.body).toEqual({ prompt: 'a lighthouse at dusk', images: ['data:image/png;base64,AQID'], resolution: '2k', quality: 'medium' });
    expect(task({ aspectRatio: '16:10' }).body).toMatchObject({ aspect_ratio: '3:2', resolution: '1k' });
  });

  it('warns about what WaveSpeed cannot do', () => {
    const features = task({ background: 'transparent', seed: 4 }).warnings.map((warning) => warning.feature);
    expect(features).toEqual(['background', 'seed']);
  });
});

describe('WaveSpeed upstream errors', () => {
  it('reads the best message from envelopes, error objects and plain text', () => {
    expect(upstreamMessage('{"code":400,"message":"prompt is required","data":null}')).toBe('prompt is required');
    expect(upstreamMessage('{"error":"webhook callback does not support base64 output"}')).toBe('webhook callback does not support base64 output');
    expect(upstreamMessage('<html>Bad Gateway</html>')).toBe('<html>Bad Gateway</html>');
    expect(upstreamMessage('')).toBe('no details given');
  });

  it('classifies statuses: 429 rate limited, 5xx retryable, 401 final with a hint, 400 final', () => {
    expect(upstreamHttpError(429, '', 'polling', 3)).toMatchObject({ code: 'upstream_rate_limited', retryable: true, retryAfterSeconds: 3 });
    expect(upstreamHttpError(502, '', 'polling')).toMatchObject({ code: 'upstream_error', retryable: true });
    expect(upstreamHttpError(401, '{"message":"bad key"}', 'submitting')).toMatchObject({ retryable: false, message: expect.stringContaining('check WAVESPEED_API_KEY') });
    expect(upstreamHttpError(400, '{"message":"bad size"}', 'submitting').message).toBe('WaveSpeed answered HTTP 400 when submitting: bad size');
    expect(upstreamHttpError(400, '', 'x').retryable).toBe(false);
  });

  it('parses Retry-After seconds with a cap, ignoring dates', () => {
    expect(retryAfterSeconds('2')).toBe(2);
    expect(retryAfterSeconds('99999')).toBe(60);
    expect(retryAfterSeconds('Wed, 21 Oct 2015 07:28:00 GMT')).toBeUndefined();
    expect(retryAfterSeconds(null)).toBeUndefined();
  });

  it('treats content-policy failures as content_rejected', () => {
    expect(failedTaskError('t', 'moderation blocked this image').code).toBe('content_rejected');
    expect(failedTaskError('t', '').message).toBe('WaveSpeed task t failed: no reason given');
  });
});
