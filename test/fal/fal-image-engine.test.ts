import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/domain/gateway-error.ts';
import type { ImageRequest } from '../../src/domain/image-request.ts';
import { FalImageEngine } from '../../src/engines/fal/fal-image-engine.ts';
import type { EngineCallContext, EngineImage, EngineProgress, EngineRequest } from '../../src/engines/image-engine.ts';
import { createSafeFetch } from '../../src/net/safe-fetch.ts';
import { startFakeFalUpstream, type FakeFalUpstream } from '../helpers/fake-fal-upstream.ts';
import { patternPng, rectangleMask } from '../helpers/image-fixtures.ts';
import { sampleRequest } from '../helpers/sample-job.ts';

const loopbackFetch = createSafeFetch({ allowlist: ['127.0.0.1'] });

function engineRequest(request: Partial<ImageRequest>, inputImages: EngineImage[] = [], mask?: EngineImage, credentials: Record<string, string> = {}): EngineRequest {
  const full = sampleRequest(request);
  return { jobId: 'job-1', request: full, size: full.size, inputImages, mask, credentials };
}

function callContext(signal = new AbortController().signal): EngineCallContext & { progress: EngineProgress[] } {
  const progress: EngineProgress[] = [];
  return { signal, progress, reportProgress: (entry) => progress.push(entry), reportPartialImage: () => Promise.resolve() };
}

const asEngineImage = async (data: Uint8Array): Promise<EngineImage> => {
  const metadata = await sharp(data).metadata();
  return { data, mediaType: 'image/png', width: metadata.width, height: metadata.height };
};

describe('FalImageEngine against a fake fal queue', () => {
  let upstream: FakeFalUpstream;
  const engine = (overrides: Partial<ConstructorParameters<typeof FalImageEngine>[0]> = {}) =>
    new FalImageEngine({ apiKey: upstream.apiKey, queueUrl: upstream.url, fetch: loopbackFetch, pollIntervalMs: 10, retryBaseDelayMs: 5, ...overrides });

  beforeAll(async () => {
    upstream = await startFakeFalUpstream();
  });
  afterAll(() => upstream.close());
  beforeEach(() => {
    upstream.behaviour = {};
    upstream.requests.length = 0;
  });

  it('submits a generation with fal fields, polls owner/alias status URLs and downloads every image', async () => {
    upstream.behaviour = { pollsBeforeDone: 3 };
    const context = callContext();
    const result = await engine().run(engineRequest({ prompt: 'a red fox', size: { width: 1024, height: 768 }, imageCount: 2, outputFormat: 'webp', quality: 'medium' }), context);
    const [submit, ...rest] = upstream.requests;
    expect(submit).toMatchObject({
      method: 'POST',
      path: '/openai/gpt-image-2',
      authorization: `Key ${upstream.apiKey}`,
      body: { prompt: 'a red fox', image_size: { width: 1024, height: 768 }, num_images: 2, output_format: 'webp', quality: 'medium' },
    });
    expect(rest.filter((request) => request.path.endsWith('/status?logs=1'))).toHaveLength(4);
    expect(rest.at(-1)?.path).toMatch(/^\/openai\/gpt-image-2\/requests\/[0-9a-f-]+$/);
    expect(result.images).toHaveLength(2);
    expect(result.images.every((image) => image.mediaType === 'image/webp' && image.width === 64 && image.height === 48)).toBe(true);
    expect(context.progress.map((entry) => entry.message)).toEqual(expect.arrayContaining(['queued at fal (position 2)', 'step 2']));
  });

  it('sends edits to the edit app with inputs and the white-edits mask as data URIs, and BYOK as openai_api_key', async () => {
    const photo = await asEngineImage(await patternPng(64, 48));
    const mask = await asEngineImage(await rectangleMask(64, 48, { left: 8, top: 8, width: 16, height: 16 }));
    await engine().run(engineRequest({ size: undefined, quality: 'auto' }, [photo, photo], mask, { openaiApiKey: 'sk-client' }), callContext());
    const body = upstream.requests[0]!.body!;
    expect(upstream.requests[0]!.path).toBe('/openai/gpt-image-2/edit');
    expect(body.image_size).toBe('auto');
    expect(body).not.toHaveProperty('quality');
    expect(body.openai_api_key).toBe('sk-client');
    const imageUrls = body.image_urls as string[];
    expect(imageUrls).toHaveLength(2);
    expect(Buffer.from(imageUrls[0]!.split(',')[1]!, 'base64').equals(Buffer.from(photo.data))).toBe(true);
    expect(Buffer.from(String(body.mask_image_url).split(',')[1]!, 'base64').equals(Buffer.from(mask.data))).toBe(true);
    // Status and result drop the subpath, as fal-js does.
    expect(upstream.requests.slice(1).every((request) => request.path.startsWith('/openai/gpt-image-2/requests/'))).toBe(true);
  });

  it('converts an output in another format and reads inline (data URI) outputs', async () => {
    upstream.behaviour = { forceFormat: 'png', inlineOutputs: true };
    const result = await engine().run(engineRequest({ outputFormat: 'jpeg' }), callContext());
    expect(result.images[0]).toMatchObject({ mediaType: 'image/jpeg', width: 64, height: 48 });
  });

  it('surfaces a failed request as the real error: 422 detail → invalid_request with fal\'s message', async () => {
    upstream.behaviour = { resultError: { status: 422, body: { detail: [{ loc: ['body', 'image_size'], msg: 'width must be a multiple of 16', type: 'multiple_of' }] } } };
    const failure = await engine().run(engineRequest({}), callContext()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GatewayError);
    expect(failure).toMatchObject({ code: 'invalid_request', retryable: false, field: 'image_size' });
    expect((failure as GatewayError).message).toContain('width must be a multiple of 16');
  });

  it('maps content-policy refusals to content_rejected', async () => {
    upstream.behaviour = { resultError: { status: 422, body: { detail: [{ loc: ['body', 'prompt'], msg: 'flagged by the safety system', type: 'content_policy_violation' }] } } };
    await expect(engine().run(engineRequest({}), callContext())).rejects.toMatchObject({ code: 'content_rejected' });
  });

  it('retries 429 and 503 on submit, then succeeds', async () => {
    upstream.behaviour = { failSubmits: { count: 2, status: 503, retryAfter: '0' } };
    const result = await engine().run(engineRequest({}), callContext());
    expect(result.images).toHaveLength(1);
    expect(upstream.requests.filter((request) => request.method === 'POST')).toHaveLength(3);
    upstream.behaviour = { failSubmits: { count: 1, status: 429, body: { detail: 'Too many requests', error_type: 'rate_limited' } } };
    await expect(engine().run(engineRequest({}), callContext())).resolves.toMatchObject({ images: [expect.anything()] });
  });

  it('gives up after the retries with a retryable error, and names FAL_KEY when the key is rejected', async () => {
    upstream.behaviour = { failSubmits: { count: 10, status: 502 } };
    await expect(engine({ maxRetries: 1 }).run(engineRequest({}), callContext())).rejects.toMatchObject({ code: 'upstream_error', retryable: true });
    upstream.behaviour = {};
    const failure = await engine({ apiKey: 'wrong' }).run(engineRequest({}), callContext()).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'upstream_error', retryable: false });
    expect((failure as Error).message).toContain('FAL_KEY');
  });

  it('cancels upstream when the job is cancelled', async () => {
    upstream.behaviour = { neverComplete: true };
    const controller = new AbortController();
    const running = engine().run(engineRequest({}), callContext(controller.signal));
    while (!upstream.requests.some((request) => request.path.includes('/status'))) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort(new GatewayError('cancelled', 'Job cancelled'));
    await expect(running).rejects.toMatchObject({ code: 'cancelled' });
    await expect.poll(() => upstream.requests.some((request) => request.method === 'PUT' && request.path.endsWith('/cancel'))).toBe(true);
  });

  it('times out (and cancels upstream) when fal never completes', async () => {
    upstream.behaviour = { neverComplete: true };
    await expect(engine({ timeoutMs: 200 }).run(engineRequest({}), callContext())).rejects.toMatchObject({ code: 'timeout' });
    await expect.poll(() => upstream.requests.some((request) => request.method === 'PUT')).toBe(true);
  });

  it('downloads outputs only through the SSRF guard: a loopback result URL is refused without the allowlist', async () => {
    const failure = await engine({ fetch: createSafeFetch({ allowlist: [] }) }).run(engineRequest({}), callContext()).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'upstream_error' });
    expect((failure as Error).message).toContain('private or reserved address');
  });
});
