import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../domain/gateway-error.ts';
import { toOpenAiError, toOpenAiParam } from './to-openai-error.ts';

describe('toOpenAiError', () => {
  it('keeps the status, names the param and tells the SDK not to retry a bad request', () => {
    expect(toOpenAiError(GatewayError.invalid('prompt', 'must not be empty'))).toEqual({
      status: 400,
      body: { error: { message: 'prompt: must not be empty', type: 'invalid_request_error', param: 'prompt', code: 'invalid_value' } },
      headers: { 'x-should-retry': 'false' },
    });
  });

  it('writes nested fields the way OpenAI names parameters', () => {
    expect(toOpenAiParam('images.0.image_url')).toBe('images[0].image_url');
    expect(toOpenAiParam('image.12')).toBe('image[12]');
    expect(toOpenAiParam('output_compression')).toBe('output_compression');
  });

  it('maps each code to the status and type the SDK turns into the right error class', () => {
    const wire = (error: GatewayError) => {
      const { status, body } = toOpenAiError(error);
      return { status, ...(body as { error: { type: string; code: string; param: string | null } }).error };
    };
    expect(wire(new GatewayError('unauthorized', 'Invalid API key'))).toMatchObject({ status: 401, type: 'authentication_error', code: 'invalid_api_key', param: null });
    expect(wire(new GatewayError('forbidden', 'no'))).toMatchObject({ status: 403, type: 'permission_error' });
    expect(wire(new GatewayError('not_found', 'Model not found: x', { field: 'model' }))).toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
    expect(wire(new GatewayError('not_found', 'No such File object', { field: 'file_id' }))).toMatchObject({ status: 404, code: 'not_found' });
    expect(wire(new GatewayError('unsupported_media_type', 'image[1]: gif', { field: 'image.1' }))).toMatchObject({ status: 400, code: 'invalid_image_format', param: 'image[1]' });
    expect(wire(new GatewayError('rate_limited', 'slow down'))).toMatchObject({ status: 429, type: 'rate_limit_error' });
    expect(wire(new GatewayError('upstream_rate_limited', 'slow down'))).toMatchObject({ status: 429, type: 'rate_limit_error' });
    expect(wire(new GatewayError('queue_full', 'full'))).toMatchObject({ status: 503, type: 'server_error' });
    expect(wire(new GatewayError('internal', 'Internal error'))).toMatchObject({ status: 500, type: 'server_error', code: 'internal_error' });
    expect(wire(new GatewayError('unsupported_operation', 'no'))).toMatchObject({ status: 422 });
  });

  it('lets retryable errors be retried by the SDK', () => {
    expect(toOpenAiError(new GatewayError('queue_full', 'full', { retryAfterSeconds: 5 })).headers).toEqual({ 'x-should-retry': 'true' });
  });

  it('reports content rejections as moderation_blocked with the moderation details', () => {
    const error = new GatewayError('content_rejected', 'Your request was rejected by the safety system', {
      details: { moderation_stage: 'input', categories: ['sexual'] },
    });
    expect(toOpenAiError(error)).toMatchObject({
      status: 400,
      body: {
        error: {
          type: 'image_generation_user_error',
          code: 'moderation_blocked',
          param: null,
          moderation_details: { moderation_stage: 'input', categories: ['sexual'] },
        },
      },
    });
    expect(toOpenAiError(new GatewayError('content_rejected', 'rejected')).body).not.toHaveProperty('error.moderation_details');
  });
});
