import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/domain/gateway-error.ts';
import type { ImageRequest } from '../../src/domain/image-request.ts';
import { gptImage2SizeLimits } from '../../src/domain/size-rules.ts';
import type { EngineCallContext, EngineImage, EngineProgress, EngineRequest } from '../../src/engines/image-engine.ts';
import { compatibleCapabilities, compatibleSizeLimits } from '../../src/engines/openai/create-openai-engines.ts';
import { openAiCapabilities, OpenAiImageEngine, type OpenAiImageEngineOptions } from '../../src/engines/openai/openai-image-engine.ts';
import { createSafeFetch } from '../../src/net/safe-fetch.ts';
import { startFakeOpenAiUpstream, type FakeOpenAiUpstream } from '../helpers/fake-openai-upstream.ts';
import { patternPng, rectangleMask } from '../helpers/image-fixtures.ts';
import { sampleRequest } from '../helpers/sample-job.ts';

const configuredKey = 'sk-configured-0123456789';

type TestContext = EngineCallContext & { controller: AbortController; progress: EngineProgress[]; partials: Array<EngineImage & { index: number }> };

function testContext(): TestContext {
  const controller = new AbortController();
  const progress: EngineProgress[] = [];
  const partials: Array<EngineImage & { index: number }> = [];
  return {
    controller,
    progress,
    partials,
    signal: controller.signal,
    reportProgress: (update) => progress.push(update),
    reportPartialImage: async (image) => {
      partials.push(image);
    },
  };
}

function engineRequest(overrides: Partial<ImageRequest>, extras: Partial<EngineRequest> = {}): EngineRequest {
  const request = sampleRequest(overrides);
  return { jobId: 'job_test', request, size: request.size, inputImages: [], mask: undefined, credentials: {}, ...extras };
}

async function pngImage(width: number, height: number): Promise<EngineImage> {
  return { data: await patternPng(width, height), mediaType: 'image/png', width, height };
}

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

describe('OpenAiImageEngine against a fake OpenAI upstream', () => {
  let fake: FakeOpenAiUpstream;
  const safeFetch = createSafeFetch({ allowlist: ['127.0.0.1'] });
  const engine = (options: Partial<OpenAiImageEngineOptions> = {}) =>
    new OpenAiImageEngine({
      engineId: 'openai',
      apiKey: configuredKey,
      baseUrl: fake.baseUrl,
      capabilities: openAiCapabilities,
      sizeLimits: gptImage2SizeLimits,
      safeFetch,
      ...options,
    });

  beforeAll(async () => {
    fake = await startFakeOpenAiUpstream();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.requests.length = 0;
    fake.faults.length = 0;
  });

  it('maps every field of a generation to the JSON body and forwards nothing internal', async () => {
    const result = await engine().run(
      engineRequest({
        model: 'gpt-image-2',
        prompt: 'a lighthouse at dusk',
        imageCount: 2,
        size: { width: 1536, height: 1024 },
        quality: 'high',
        background: 'opaque',
        outputFormat: 'jpeg',
        outputCompression: 70,
        seed: 42,
        engineOptions: { openai: { moderation: 'low', user: 'end-user-7', internal_flag: true }, fal: { sync_mode: true } },
      }),
      testContext(),
    );
    const [sent] = fake.requests;
    expect(sent?.path).toBe('/v1/images/generations');
    expect(sent?.bodyKind).toBe('json');
    expect(sent?.json).toEqual({
      model: 'gpt-image-2',
      prompt: 'a lighthouse at dusk',
      n: 2,
      size: '1536x1024',
      quality: 'high',
      background: 'opaque',
      output_format: 'jpeg',
      output_compression: 70,
      moderation: 'low',
      user: 'end-user-7',
      stream: false,
    });
    expect(sent?.headers.authorization).toBe(`Bearer ${configuredKey}`);
    expect(result.images).toHaveLength(2);
    expect(result.images.map((image) => [image.mediaType, image.width, image.height])).toEqual([
      ['image/jpeg', 1536, 1024],
      ['image/jpeg', 1536, 1024],
    ]);
    expect(result.warnings.map((warning) => warning.feature).sort()).toEqual(['internal_flag', 'seed']);
    expect(result.usage).toEqual({
      inputTokens: 5,
      outputTokens: 3146,
      totalTokens: 3151,
      inputTextTokens: 5,
      inputImageTokens: 0,
      outputTextTokens: 0,
      outputImageTokens: 3146,
    });
  });

  it('sends auto without a size, and a concrete size for an aspect ratio', async () => {
    await engine().run(engineRequest({ size: undefined }), testContext());
    expect(fake.requests[0]?.json?.size).toBe('auto');
    await engine().run(engineRequest({ size: undefined, aspectRatio: '16:9' }), testContext());
    expect(fake.requests[1]?.json?.size).toBe('1360x768');
  });

  it('sends every input image as image[] in order, the mask as alpha, and the upstream model name', async () => {
    const first = await pngImage(320, 240);
    const second = await pngImage(200, 200);
    const third = await pngImage(64, 96);
    const mask = { data: await rectangleMask(320, 240, { left: 40, top: 30, width: 100, height: 50 }), mediaType: 'image/png', width: 320, height: 240 };
    const result = await engine().run(
      engineRequest(
        { model: 'gpt-image-2-edit', prompt: 'put a hat on it', size: undefined, quality: 'low', outputFormat: 'webp', engineOptions: { openai: { input_fidelity: 'high', moderation: 'auto' } } },
        { inputImages: [first, second, third], mask },
      ),
      testContext(),
    );
    const [sent] = fake.requests;
    expect(sent?.path).toBe('/v1/images/edits');
    expect(sent?.bodyKind).toBe('multipart');
    expect(sent?.fields).toEqual([
      { name: 'model', value: 'gpt-image-2' },
      { name: 'prompt', value: 'put a hat on it' },
      { name: 'n', value: '1' },
      { name: 'size', value: 'auto' },
      { name: 'quality', value: 'low' },
      { name: 'background', value: 'auto' },
      { name: 'output_format', value: 'webp' },
      { name: 'input_fidelity', value: 'high' },
      { name: 'moderation', value: 'auto' },
      { name: 'stream', value: 'false' },
    ]);
    const images = sent?.files.filter((file) => file.field === 'image[]') ?? [];
    expect(images.map((file, index) => Buffer.compare(file.data, [first, second, third][index]!.data))).toEqual([0, 0, 0]);
    expect(images.map((file) => file.contentType)).toEqual(['image/png', 'image/png', 'image/png']);

    const maskFile = sent?.files.find((file) => file.field === 'mask');
    expect(maskFile?.contentType).toBe('image/png');
    const { data: alpha, info } = await sharp(maskFile!.data).ensureAlpha().extractChannel(3).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([320, 240]);
    const { data: internal } = await sharp(mask.data).greyscale().extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    let transparentWhereWhite = 0;
    let mismatches = 0;
    for (let pixel = 0; pixel < 320 * 240; pixel += 1) {
      const white = internal[pixel] === 255;
      if (white && alpha[pixel] === 0) transparentWhereWhite += 1;
      if (white !== (alpha[pixel] === 0)) mismatches += 1;
    }
    expect(transparentWhereWhite).toBe(100 * 50);
    expect(mismatches).toBe(0);
    expect(result.images[0]).toMatchObject({ mediaType: 'image/webp', width: 320, height: 240 });
    expect(result.usage?.inputImageTokens).toBe(4 * 65);
  });

  it('sends a single input image as the part "image"', async () => {
    await engine().run(engineRequest({ size: { width: 1024, height: 1024 } }, { inputImages: [await pngImage(64, 64)] }), testContext());
    expect(fake.requests[0]?.files.map((file) => file.field)).toEqual(['image']);
  });

  it('retries 429 after the retry-after-ms delay, then succeeds', async () => {
    fake.faults.push({ kind: 'rate-limit', retryAfterMs: '300' });
    const result = await engine().run(engineRequest({}), testContext());
    expect(result.images).toHaveLength(1);
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1]!.receivedAt - fake.requests[0]!.receivedAt).toBeGreaterThanOrEqual(290);
    expect(fake.requests[1]?.headers['x-stainless-retry-count']).toBe('1');
  });

  it('retries 500s (edits too) up to maxRetries, then fails retryable', async () => {
    fake.faults.push({ kind: 'server-error', retryAfterMs: '1' }, { kind: 'server-error', status: 503, retryAfterMs: '1' });
    const edit = await engine().run(engineRequest({}, { inputImages: [await pngImage(64, 64)] }), testContext());
    expect(edit.images).toHaveLength(1);
    expect(fake.requests).toHaveLength(3);
    expect(fake.requests.every((request) => request.files.length === 1)).toBe(true);

    fake.requests.length = 0;
    fake.faults.push(...Array.from({ length: 3 }, () => ({ kind: 'server-error' as const, retryAfterMs: '1' })));
    const error = await failure(engine().run(engineRequest({}), testContext()));
    expect(fake.requests).toHaveLength(3);
    expect(error).toMatchObject({ code: 'upstream_error', retryable: true });
  });

  it('does not retry a 400 and reports the upstream message as invalid_request', async () => {
    fake.faults.push({ kind: 'bad-request', message: "Invalid value: 'transparent'. Transparent backgrounds need png or webp.", param: 'background' });
    const error = await failure(engine().run(engineRequest({}), testContext()));
    expect(fake.requests).toHaveLength(1);
    expect(error).toMatchObject({ code: 'invalid_request', retryable: false, status: 400 });
    expect(error.message).toContain('Transparent backgrounds need png or webp');
  });

  it('maps an exhausted 429 to upstream_rate_limited with the retry-after', async () => {
    fake.faults.push({ kind: 'rate-limit', retryAfterMs: '7000' });
    // The SDK would wait the 7 s before retrying; with retries off the job runner gets the hint instead.
    const error = await failure(engine({ maxRetries: 0 }).run(engineRequest({}), testContext()));
    expect(error).toMatchObject({ code: 'upstream_rate_limited', retryable: true, retryAfterSeconds: 7 });
  });

  it('maps 401 to a non-retryable "key was rejected" error that does not echo the key', async () => {
    fake.faults.push({ kind: 'unauthorized' });
    const error = await failure(engine().run(engineRequest({}), testContext()));
    expect(fake.requests).toHaveLength(1);
    expect(error).toMatchObject({ code: 'upstream_error', retryable: false });
    expect(error.message).toContain('The OpenAI key was rejected');
    expect(error.message).not.toContain('sk-');
  });

  it('maps moderation_blocked to content_rejected carrying the categories', async () => {
    fake.faults.push({ kind: 'moderation-blocked', categories: ['sexual', 'violence'], stage: 'input' });
    const error = await failure(engine().run(engineRequest({}), testContext()));
    expect(error).toMatchObject({ code: 'content_rejected', retryable: false, details: { categories: ['sexual', 'violence'], moderation_stage: 'input' } });
    expect(error.message).toContain('rejected by the safety system');
  });

  it('maps a malformed body or a non-image payload to upstream_error', async () => {
    fake.faults.push({ kind: 'malformed' });
    expect(await failure(engine({ maxRetries: 0 }).run(engineRequest({}), testContext()))).toMatchObject({ code: 'upstream_error' });
    fake.faults.push({ kind: 'not-an-image' });
    const error = await failure(engine().run(engineRequest({}), testContext()));
    expect(error).toMatchObject({ code: 'upstream_error' });
    expect(error.message).toContain('not a png, jpeg or webp image');
  });

  it('aborts the upstream call promptly when the job is cancelled', async () => {
    fake.faults.push({ kind: 'hang' });
    const context = testContext();
    const running = engine().run(engineRequest({}), context);
    const request = await fake.waitForRequests(1);
    context.controller.abort(new GatewayError('cancelled', 'Job cancelled'));
    const error = await failure(running);
    expect(error.code).toBe('cancelled');
    await fake.waitForEarlyClose(request);
    expect(request.closedEarly).toBe(true);
    expect(fake.requests).toHaveLength(1);
  });

  it('times out a hanging upstream (retrying once) and reports a retryable timeout', async () => {
    fake.faults.push({ kind: 'hang' }, { kind: 'hang' });
    const error = await failure(engine({ timeoutMs: 300, maxRetries: 1 }).run(engineRequest({}), testContext()));
    expect(error).toMatchObject({ code: 'timeout', retryable: true });
    expect(fake.requests).toHaveLength(2);
    await fake.waitForEarlyClose(fake.requests[1]!);
    expect(fake.requests.every((request) => request.closedEarly)).toBe(true);
  });

  it('streams partial images to the context and takes the final image from the completed event', async () => {
    const context = testContext();
    const result = await engine().run(engineRequest({ partialImages: 2, size: { width: 1024, height: 768 } }), context);
    expect(fake.requests[0]?.json).toMatchObject({ stream: true, partial_images: 2 });
    expect(context.partials.map((partial) => [partial.index, partial.mediaType, partial.width, partial.height])).toEqual([
      [0, 'image/png', 1024, 768],
      [1, 'image/png', 1024, 768],
    ]);
    expect(result.images).toHaveLength(1);
    expect(result.images[0]).toMatchObject({ width: 1024, height: 768 });
    expect(Buffer.compare(result.images[0]!.data, context.partials[1]!.data)).not.toBe(0);
    expect(result.usage?.outputImageTokens).toBe(Math.round((1024 * 768) / 1000));
  });

  it('streams edits too (image_edit.* events) and sums per-image usage over n images', async () => {
    const context = testContext();
    const result = await engine().run(engineRequest({ partialImages: 1, imageCount: 2, size: { width: 1024, height: 1024 } }, { inputImages: [await pngImage(64, 64)] }), context);
    expect(fake.requests[0]?.fields).toContainEqual({ name: 'partial_images', value: '1' });
    expect(context.partials.map((partial) => partial.index)).toEqual([0]);
    expect(result.images).toHaveLength(2);
    expect(result.usage?.outputImageTokens).toBe(2 * Math.round((1024 * 1024) / 1000));
    expect(result.usage?.inputImageTokens).toBe(2 * 65);
  });

  it('turns a moderation error in the middle of a stream into content_rejected', async () => {
    fake.faults.push({ kind: 'stream-moderation-blocked', categories: ['self-harm'] });
    const context = testContext();
    const error = await failure(engine().run(engineRequest({ partialImages: 2 }), context));
    expect(error).toMatchObject({ code: 'content_rejected', details: { categories: ['self-harm'], moderation_stage: 'output' } });
    expect(context.partials).toHaveLength(1);
  });

  it('fetches url results through the SSRF-safe fetch only', async () => {
    fake.faults.push({ kind: 'url-response' });
    const result = await engine().run(engineRequest({ size: { width: 1024, height: 1024 } }), testContext());
    expect(result.images[0]).toMatchObject({ mediaType: 'image/png', width: 1024, height: 1024 });

    fake.faults.push({ kind: 'url-response' });
    const strict = engine({ safeFetch: createSafeFetch({ allowlist: [] }) });
    const error = await failure(strict.run(engineRequest({ size: { width: 1024, height: 1024 } }), testContext()));
    expect(error.code).toBe('upstream_error');
    expect(error.message).toContain('could not fetch');
  });

  it('uses a per-request key when present, and fails clearly without any key', async () => {
    await engine().run(engineRequest({}, { credentials: { openaiApiKey: 'sk-byok-abcdef' } }), testContext());
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer sk-byok-abcdef');

    fake.faults.push({ kind: 'unauthorized' });
    const rejected = await failure(engine().run(engineRequest({}, { credentials: { openaiApiKey: 'sk-byok-abcdef' } }), testContext()));
    expect(rejected.message).not.toContain('sk-byok-abcdef');

    fake.requests.length = 0;
    const error = await failure(engine({ apiKey: undefined }).run(engineRequest({}), testContext()));
    expect(error).toMatchObject({ code: 'upstream_error', retryable: false });
    expect(error.message).toContain('per-request keys live in memory only');
    expect(fake.requests).toHaveLength(0);
  });

  it('as a compatible engine: keyless, never sends a client OpenAI key, and warns about what it cannot do', async () => {
    const compatible = engine({
      engineId: 'localai',
      apiKey: undefined,
      acceptRequestKey: false,
      capabilities: compatibleCapabilities,
      sizeLimits: compatibleSizeLimits,
      models: { 'sdxl-turbo': 'stablediffusion' },
    });
    const result = await compatible.run(
      engineRequest(
        { model: 'sdxl-turbo', partialImages: 2, background: 'transparent', size: { width: 512, height: 512 }, engineOptions: { openai: { moderation: 'low' } } },
        { credentials: { openaiApiKey: 'sk-client-secret' } },
      ),
      testContext(),
    );
    const [sent] = fake.requests;
    expect(sent?.headers.authorization).toBeUndefined();
    expect(sent?.json).toEqual({ model: 'stablediffusion', prompt: 'a lighthouse at dusk', n: 1, size: '512x512', quality: 'high', background: 'auto', output_format: 'png', stream: false });
    expect(result.warnings.map((warning) => warning.feature).sort()).toEqual(['background', 'moderation', 'partial_images']);
  });
});
