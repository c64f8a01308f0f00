import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../domain/gateway-error.ts';
import { fromOpenAiError } from './from-openai-error.ts';

const context = { upstreamName: 'OpenAI', timeoutMs: 600_000, secrets: ['sk-secret-key-123'] };

const statusError = (status: number, error: Record<string, unknown>, headers: Record<string, string> = {}) =>
  APIError.generate(status, { error }, undefined, new Headers(headers));

describe('fromOpenAiError', () => {
  it('maps moderation_blocked (HTTP or mid-stream) to content_rejected with the categories', () => {
    const body = { message: 'rejected by the safety system', type: 'image_generation_user_error', param: null, code: 'moderation_blocked', moderation_details: { moderation_stage: 'input', categories: ['violence'] } };
    for (const error of [statusError(400, body), new APIError(undefined, body, undefined, undefined)]) {
      expect(fromOpenAiError(error, context)).toMatchObject({
        code: 'content_rejected',
        retryable: false,
        status: 400,
        details: { categories: ['violence'], moderation_stage: 'input' },
      });
    }
    expect(fromOpenAiError(statusError(400, { message: 'no', code: 'moderation_blocked' }), context).details).toEqual({ categories: [], moderation_stage: null });
  });

  it('maps rejected keys to a non-retryable upstream_error without the upstream text', () => {
    for (const status of [401, 403]) {
      const error = fromOpenAiError(statusError(status, { message: 'Incorrect API key provided: sk-secr***123' }), context);
      expect(error).toMatchObject({ code: 'upstream_error', retryable: false });
      expect(error.message).toBe(`The OpenAI key was rejected (HTTP ${status}); check the configured or per-request key`);
    }
    const compatible = fromOpenAiError(statusError(401, { message: 'bad key' }), { ...context, upstreamName: 'the localai engine' });
    expect(compatible.message).toContain('The API key for the localai engine was rejected');
  });

  it('maps 429 to upstream_rate_limited with retry-after-ms or retry-after', () => {
    expect(fromOpenAiError(statusError(429, { message: 'slow down' }, { 'retry-after-ms': '1500' }), context)).toMatchObject({ code: 'upstream_rate_limited', retryable: true, retryAfterSeconds: 2 });
    expect(fromOpenAiError(statusError(429, { message: 'slow down' }, { 'retry-after': '20' }), context).retryAfterSeconds).toBe(20);
    expect(fromOpenAiError(statusError(429, { message: 'slow down' }), context).retryAfterSeconds).toBeUndefined();
  });

  it('treats 5xx, 408, 409, connection failures and timeouts as retryable', () => {
    for (const status of [500, 502, 503, 408, 409]) expect(fromOpenAiError(statusError(status, { message: 'busy' }), context)).toMatchObject({ code: 'upstream_error', retryable: true });
    expect(fromOpenAiError(new APIConnectionError({ message: 'ECONNREFUSED' }), context)).toMatchObject({ code: 'upstream_error', retryable: true });
    const timeout = fromOpenAiError(new APIConnectionTimeoutError(), context);
    expect(timeout).toMatchObject({ code: 'timeout', retryable: true });
    expect(timeout.message).toBe('OpenAI did not answer within 600 s');
  });

  it('maps other 4xx to invalid_request with the upstream message and param', () => {
    const error = fromOpenAiError(statusError(400, { message: "Invalid size '100x100'.", param: 'size', type: 'invalid_request_error' }), context);
    expect(error).toMatchObject({ code: 'invalid_request', retryable: false, status: 400, details: { upstream_param: 'size' } });
    expect(error.message).toBe("OpenAI rejected the request (size): Invalid size '100x100'.");
    expect(fromOpenAiError(statusError(404, { message: 'model not found' }), context)).toMatchObject({ code: 'invalid_request', retryable: false });
    const midStream = fromOpenAiError(new APIError(undefined, { message: 'bad prompt', type: 'invalid_request_error' }, undefined, undefined), context);
    expect(midStream).toMatchObject({ code: 'invalid_request', retryable: false });
  });

  it('maps malformed responses to upstream_error and cancellation to cancelled', () => {
    expect(fromOpenAiError(new SyntaxError('Unexpected end of JSON input'), context)).toMatchObject({ code: 'upstream_error' });
    expect(fromOpenAiError(new APIUserAbortError(), context).code).toBe('cancelled');
    const passthrough = new GatewayError('upstream_error', 'already mapped');
    expect(fromOpenAiError(passthrough, context)).toBe(passthrough);
  });

  it('never lets the key into a message', () => {
    const error = fromOpenAiError(statusError(400, { message: 'key sk-secret-key-123 is not allowed for this model' }), context);
    expect(error.message).not.toContain('sk-secret-key-123');
    expect(error.message).toContain('[redacted]');
  });
});
