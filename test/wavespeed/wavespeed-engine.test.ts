import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/domain/gateway-error.ts';
import type { ImageRequest } from '../../src/domain/image-request.ts';
import type { EngineCallContext, EngineRequest } from '../../src/engines/image-engine.ts';
import { WaveSpeedImageEngine, type WaveSpeedEngineSettings } from '../../src/engines/wavespeed/wavespeed-image-engine.ts';
import { createSafeFetch } from '../../src/net/safe-fetch.ts';
import { startFakeWaveSpeedUpstream, type FakeWaveSpeedUpstream } from '../helpers/fake-wavespeed-upstream.ts';
import { solidPng } from '../helpers/image-fixtures.ts';
import { sampleRequest } from '../helpers/sample-job.ts';

const apiKey = 'ws_test_key';

const baseRequest: ImageRequest = sampleRequest({ model: 'gpt-image-2', prompt: 'a lighthouse at dusk', size: undefined, quality: 'auto' });

const engineRequest = (overrides: Omit<Partial<EngineRequest>, 'request'> & { request?: Partial<ImageRequest> } = {}): EngineRequest => ({
  jobId: 'job-1',
  size: overrides.size,
  inputImages: overrides.inputImages ?? [],
  mask: undefined,
  credentials: {},
  request: { ...baseRequest, ...overrides.request },
});

const callContext = (signal = new AbortController().signal): EngineCallContext => ({
  signal,
  reportProgress: () => undefined,
  reportPartialImage: async () => undefined,
});

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  if (!(error instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(error)}`);
  return error;
}

describe('WaveSpeedImageEngine against a fake WaveSpeed upstream', () => {
  let upstream: FakeWaveSpeedUpstream;
  const loopbackFetch = createSafeFetch({ allowlist: ['127.0.0.1'] });
  const engine = (settings: Partial<WaveSpeedEngineSettings> = {}) =>
    new WaveSpeedImageEngine({ apiKey, baseUrl: `${upstream.baseUrl}/`, fetch: loopbackFetch, pollIntervalMs: 5, retryBaseDelayMs: 5, ...settings });

  beforeAll(async () => {
    upstream = await startFakeWaveSpeedUpstream({ apiKey });
  });
  afterAll(() => upstream.close());
  beforeEach(() => {
    upstream.requests.length = 0;
    upstream.behaviour = {};
  });

  it('submits an edit with the inputs as data URIs, polls /result and downloads the output', async () => {
    const input = await solidPng(1200, 800);
    upstream.behaviour = { pollsBeforeDone: 2 };
    const result = await engine().run(
      engineRequest({ size: { width: 1248, height: 832 }, inputImages: [{ data: input, mediaType: 'image/png', width: 1200, height: 800 }], request: { prompt: 'make it warmer' } }),
      callContext(),
    );
    const [submit] = upstream.submits();
    expect(submit).toMatchObject({ path: '/api/v3/openai/gpt-image-2/edit', authorization: `Bearer ${apiKey}` });
    expect(submit?.body).toEqual({
      prompt: 'make it warmer',
      images: [`data:image/png;base64,${Buffer.from(input).toString('base64')}`],
      aspect_ratio: '3:2',
      resolution: '1k',
      quality: 'medium',
    });
    expect(upstream.polls()).toHaveLength(3);
    expect(upstream.polls().every((poll) => poll.authorization === `Bearer ${apiKey}`)).toBe(true);
    expect(result.warnings).toEqual([]);
    expect(result.images).toHaveLength(1);
    expect(result.images[0]).toMatchObject({ mediaType: 'image/png', width: 1248, height: 832 });
  });

  it('sends text-to-image without images, one task per image, and warns when the size cannot be matched', async () => {
    const result = await engine().run(engineRequest({ size: { width: 1000, height: 700 }, request: { imageCount: 2, quality: 'high' } }), callContext());
    const submits = upstream.submits();
    expect(submits).toHaveLength(2);
    for (const submit of submits) {
      expect(submit.path).toBe('/api/v3/openai/gpt-image-2/text-to-image');
      expect(submit.body).toEqual({ prompt: 'a lighthouse at dusk', aspect_ratio: '3:2', resolution: '1k', quality: 'high' });
    }
    expect(result.images).toHaveLength(2);
    expect(result.warnings).toEqual([expect.objectContaining({ feature: 'size', message: expect.stringContaining('1000x700 was sent as 3:2 at 1k') })]);
  });

  it('converts an output in another format to the requested one', async () => {
    upstream.behaviour = { outputFormat: 'jpeg' };
    const result = await engine().run(engineRequest({ size: { width: 2048, height: 2048 }, request: { outputFormat: 'webp' } }), callContext());
    expect(upstream.submits()[0]?.body).toMatchObject({ aspect_ratio: '1:1', resolution: '2k' });
    expect(result.images[0]).toMatchObject({ mediaType: 'image/webp', width: 2048, height: 2048 });
    expect((await sharp(result.images[0]!.data).metadata()).format).toBe('webp');
  });

  it('surfaces a failed task with its error, not retryable; content-policy refusals as content_rejected', async () => {
    upstream.behaviour = { failTaskWith: 'upstream model exploded' };
    const failed = await failure(engine().run(engineRequest(), callContext()));
    expect(failed.code).toBe('upstream_error');
    expect(failed.retryable).toBe(false);
    expect(failed.message).toMatch(/^WaveSpeed task \w+ failed: upstream model exploded$/);
    upstream.behaviour = { failTaskWith: 'The prompt was flagged by the NSFW safety checker' };
    expect((await failure(engine().run(engineRequest(), callContext()))).code).toBe('content_rejected');
  });

  it('retries 5xx and 429 answers (honouring Retry-After) on submit and poll', async () => {
    upstream.behaviour = { submitStatuses: [503, 429], pollStatuses: [500, 429], retryAfterSeconds: 0 };
    const result = await engine().run(engineRequest(), callContext());
    expect(result.images).toHaveLength(1);
    expect(upstream.submits()).toHaveLength(3);
  });

  it('gives up after the retries with a retryable error naming the status', async () => {
    upstream.behaviour = { submitStatuses: [500, 500, 500] };
    const error = await failure(engine({ maxRetries: 2 }).run(engineRequest(), callContext()));
    expect(error).toMatchObject({ code: 'upstream_error', retryable: true });
    expect(error.message).toContain('WaveSpeed answered HTTP 500 when submitting to openai/gpt-image-2/text-to-image');
    expect(upstream.submits()).toHaveLength(3);
  });

  it('rejects a bad API key clearly and does not retry it', async () => {
    const error = await failure(engine({ apiKey: 'wrong' }).run(engineRequest(), callContext()));
    expect(error).toMatchObject({ code: 'upstream_error', retryable: false });
    expect(error.message).toContain('HTTP 401');
    expect(error.message).toContain('WAVESPEED_API_KEY');
    expect(upstream.submits()).toHaveLength(1);
  });

  it('stops polling when cancelled, and times out with a timeout error', async () => {
    upstream.behaviour = { neverFinish: true };
    const controller = new AbortController();
    const running = failure(engine().run(engineRequest(), callContext(controller.signal)));
    while (upstream.polls().length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort(new GatewayError('cancelled', 'Job cancelled'));
    expect((await running).code).toBe('cancelled');
    const pollsAtCancel = upstream.polls().length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(upstream.polls().length).toBe(pollsAtCancel);

    const timedOut = await failure(engine({ timeoutMs: 100 }).run(engineRequest(), callContext()));
    expect(timedOut.code).toBe('timeout');
    expect(timedOut.message).toContain('WaveSpeed did not finish');
  });

  it('downloads outputs through the SSRF guard: a loopback output URL is refused unless allowlisted', async () => {
    const guarded = new WaveSpeedImageEngine({ apiKey, baseUrl: upstream.baseUrl, fetch: createSafeFetch({ allowlist: [] }), pollIntervalMs: 5 });
    const error = await failure(guarded.run(engineRequest(), callContext()));
    expect(error.code).toBe('upstream_error');
    expect(error.message).toContain('private or reserved address');
  });

  it('declares no mask and no partial images, so JobService refuses masks up front', () => {
    expect(engine().capabilities).toMatchObject({ mask: false, partialImages: false, edit: true, generate: true, maxInputImages: 16 });
  });
});
