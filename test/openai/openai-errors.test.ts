import type OpenAI from 'openai';
import { AuthenticationError, BadRequestError, InternalServerError, NotFoundError, RateLimitError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/domain/gateway-error.ts';
import type { ImageUsage } from '../../src/domain/job.ts';
import type { EngineCallContext, EngineRequest, EngineResult } from '../../src/engines/image-engine.ts';
import { FakeImageEngine } from '../helpers/fake-image-engine.ts';
import { postJson, startTestGateway, type TestGateway } from '../helpers/test-gateway.ts';
import { openAiClient } from './openai-fixtures.ts';

/** A fake upstream that reports token usage, as the OpenAI engine does. */
class MeteredEngine extends FakeImageEngine {
  static readonly usage: ImageUsage = {
    inputTokens: 50,
    outputTokens: 4160,
    totalTokens: 4210,
    inputTextTokens: 10,
    inputImageTokens: 40,
    outputTextTokens: 0,
    outputImageTokens: 4160,
  };

  override async run(request: EngineRequest, context: EngineCallContext): Promise<EngineResult> {
    return { ...(await super.run(request, context)), usage: MeteredEngine.usage };
  }
}

describe('OpenAI errors and SDK error classes', () => {
  let gateway: TestGateway;
  let client: OpenAI;
  const metered = new MeteredEngine('metered');
  const moderating = new FakeImageEngine('moderating', {
    failWith: new GatewayError('content_rejected', 'Your request was rejected by the safety system', { details: { moderation_stage: 'input', categories: ['sexual'] } }),
  });
  const broken = new FakeImageEngine('broken', { failWith: new GatewayError('internal', 'Internal error') });
  const limited = new FakeImageEngine('limited', { failWith: new GatewayError('upstream_rate_limited', 'Upstream rate limit', { retryable: false }) });

  beforeAll(async () => {
    gateway = await startTestGateway({
      environment: { DARKROOM_ROUTES: 'metered-model=metered,moderated-model=moderating,broken-model=broken,limited-model=limited' },
      extraEngines: [metered, moderating, broken, limited],
    });
    client = openAiClient(gateway);
  });
  afterAll(() => gateway.stop());

  it('passes engine usage through, in the spec usage shape', async () => {
    const response = await client.images.generate({ model: 'metered-model', prompt: 'count my tokens', size: '1024x1024' });
    expect(response.usage).toEqual({
      total_tokens: 4210,
      input_tokens: 50,
      output_tokens: 4160,
      input_tokens_details: { text_tokens: 10, image_tokens: 40 },
      output_tokens_details: { image_tokens: 4160, text_tokens: 0 },
    });
  });

  it('raises BadRequestError naming the param for an empty prompt and invalid values', async () => {
    const caught = await client.images.generate({ prompt: '' }).catch((error: unknown) => error);
    expect(caught).toBeInstanceOf(BadRequestError);
    expect(caught).toMatchObject({ status: 400, param: 'prompt', type: 'invalid_request_error', error: { message: expect.stringContaining('prompt') } });
    expect((caught as BadRequestError).requestID).toBeTruthy();
    await expect(client.images.generate({ prompt: 'x', n: 11 })).rejects.toMatchObject({ status: 400, param: 'n' });
    await expect(client.images.generate({ prompt: 'x', size: '10x5000' })).rejects.toMatchObject({ status: 400, param: 'size' });
    await expect(client.images.generate({ prompt: 'x', output_format: 'gif' })).rejects.toMatchObject({ status: 400, param: 'output_format' });
    await expect(client.images.generate({ model: 'gpt-image-2-edit', prompt: 'x' })).rejects.toMatchObject({ status: 400, param: 'model' });
  });

  it('raises NotFoundError (model_not_found) for an unknown model', async () => {
    const caught = await client.images.generate({ model: 'dall-e-9', prompt: 'x' }).catch((error: unknown) => error);
    expect(caught).toBeInstanceOf(NotFoundError);
    expect(caught).toMatchObject({ code: 'model_not_found', param: 'model' });
  });

  it('raises BadRequestError with moderation_details for content rejections, without SDK retries', async () => {
    const caught = await client.images.generate({ model: 'moderated-model', prompt: 'x' }).catch((error: unknown) => error);
    expect(caught).toBeInstanceOf(BadRequestError);
    expect((caught as BadRequestError).error).toEqual({
      message: 'Your request was rejected by the safety system',
      type: 'image_generation_user_error',
      param: null,
      code: 'moderation_blocked',
      moderation_details: { moderation_stage: 'input', categories: ['sexual'] },
    });
  });

  it('raises InternalServerError and RateLimitError, and x-should-retry stops the SDK from resubmitting', async () => {
    const brokenBefore = broken.calls.length;
    await expect(client.images.generate({ model: 'broken-model', prompt: 'x' })).rejects.toBeInstanceOf(InternalServerError);
    // The SDK retries 5xx twice by default; a failed job must not be submitted three times.
    expect(broken.calls.length - brokenBefore).toBe(1);
    await expect(client.images.generate({ model: 'limited-model', prompt: 'x' })).rejects.toBeInstanceOf(RateLimitError);
    expect(limited.calls).toHaveLength(1);
  });

  it('answers malformed JSON with a 400 naming body, in the OpenAI shape', async () => {
    const response = await postJson(`${gateway.baseUrl}/v1/images/generations`, '{"prompt":');
    expect(response.status).toBe(400);
    expect(response.json).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', param: 'body', code: 'invalid_value' } });
  });

  it('raises AuthenticationError once a key exists, and accepts the key as the SDK apiKey', async () => {
    const { key } = await gateway.keys.create('sdk-user', new Date());
    await new Promise((resolve) => setTimeout(resolve, 2100)); // the open-mode check is cached briefly
    const caught = await openAiClient(gateway, 'sk-not-a-darkroom-key').images.generate({ prompt: 'x' }).catch((error: unknown) => error);
    expect(caught).toBeInstanceOf(AuthenticationError);
    expect(caught).toMatchObject({ status: 401, type: 'authentication_error', code: 'invalid_api_key' });
    const anonymous = await postJson(`${gateway.baseUrl}/v1/images/generations`, { prompt: 'x' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.json).toMatchObject({ error: { type: 'authentication_error', param: null } });
    const owner = openAiClient(gateway, key);
    expect((await owner.images.generate({ model: 'metered-model', prompt: 'with a key', size: '64x64' })).data).toHaveLength(1);

    // Files are owner-scoped: another key sees a 404, not the file.
    const uploaded = await owner.files.create({ file: new File([new Uint8Array([1, 2, 3])], 'notes.bin'), purpose: 'user_data' });
    const { key: otherKey } = await gateway.keys.create('someone-else', new Date());
    const other = openAiClient(gateway, otherKey);
    await expect(other.files.retrieve(uploaded.id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await other.files.list()).data).toEqual([]);
    expect((await owner.files.retrieve(uploaded.id)).bytes).toBe(3);
  });
});
